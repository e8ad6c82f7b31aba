// The admin's archive settings (System → Event archive) as the remove dialogs
// need them: "prefer" pre-ticks "Move events to archive". Read fresh each time
// a dialog opens (an admin may just have changed it in another tab); when the
// read fails the last known value is used, so a dialog always opens.

import { api } from './api.js';

let last = { prefer: false };

/** archiveSettings resolves to {move_days, keep_days, prefer, run_at}, never rejects. */
export async function archiveSettings() {
  try {
    last = await api.get('/settings/archive');
  } catch {
    // Keep the cached value; the dialog works without the preference.
  }
  return last;
}

/** rememberArchiveSettings stores settings the System page just saved. */
export function rememberArchiveSettings(s) {
  if (s) last = s;
}
