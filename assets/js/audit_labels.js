// Words for the audit log: what each action key of the server means and what
// kind of object an entry is about. A Go test (app/web/audit_test.go) fails
// when the server writes an action that has no label here.

/** Action keys as the server writes them, with their readable names. */
export const AUDIT_ACTIONS = {
  login: 'Logged in',
  login_failed: 'Login failed',
  logout: 'Logged out',
  password_changed: 'Password changed',
  password_reset: 'Password reset',
  session_ended: 'Session ended',
  token_created: 'API token created',
  token_deleted: 'API token deleted',
  user_created: 'User created',
  user_updated: 'User changed',
  user_deleted: 'User deleted',
  group_created: 'Group created',
  group_updated: 'Group changed',
  group_deleted: 'Group deleted',
  sensor_created: 'Sensor created',
  sensor_updated: 'Sensor changed',
  sensor_deleted: 'Sensor deleted',
  service_updated: 'Sensor service changed',
  sensor_config_downloaded: 'Sensor configuration downloaded',
  filter_created: 'Filter rule created',
  filter_updated: 'Filter rule changed',
  filter_deleted: 'Filter rule deleted',
  events_updated: 'Events edited',
  events_archived: 'Events moved to the archive',
  events_deleted: 'Events deleted',
  settings_updated: 'Settings changed',
  archive_run: 'Archive job run by hand',
  test_mail_sent: 'Test mail sent',
  test_mail_failed: 'Test mail failed',
  template_updated: 'Notification template changed',
  mails_retried: 'Mails retried',
  backup_downloaded: 'Backup downloaded',
  output_created: 'Integration created',
  output_updated: 'Integration changed',
  output_deleted: 'Integration deleted',
  output_retried: 'Integration retried',
  test_event_sent: 'Test event sent',
};

/** Object types of the entries, as the server writes them. */
export const AUDIT_OBJECTS = {
  user: 'User',
  group: 'Group',
  sensor: 'Sensor',
  filter: 'Filter rule',
  token: 'API token',
  event: 'Events',
  settings: 'Settings',
  template: 'Notification template',
  system: 'System',
  output: 'Integration',
};

/** actionName is the readable name of an action key (the key itself for one this UI does not know). */
export function actionName(key) {
  return AUDIT_ACTIONS[key] || key;
}

/** objectTypeName is the readable name of an object type. */
export function objectTypeName(key) {
  return AUDIT_OBJECTS[key] || key;
}
