// Words for the audit log: what each action key of the server means and what
// kind of object an entry is about. A Go test (app/web/audit_test.go) fails
// when the server writes an action that has no label here.

import { t } from './i18n.js';

/** Action keys as the server writes them, with their readable names. */
export const AUDIT_ACTIONS = {
  login: 'audit_action.login',
  login_failed: 'audit_action.login_failed',
  logout: 'audit_action.logout',
  password_changed: 'audit_action.password_changed',
  password_reset: 'audit_action.password_reset',
  session_ended: 'audit_action.session_ended',
  token_created: 'audit_action.token_created',
  token_deleted: 'audit_action.token_deleted',
  user_created: 'audit_action.user_created',
  user_updated: 'audit_action.user_updated',
  user_deleted: 'audit_action.user_deleted',
  group_created: 'audit_action.group_created',
  group_updated: 'audit_action.group_updated',
  group_deleted: 'audit_action.group_deleted',
  sensor_created: 'audit_action.sensor_created',
  sensor_updated: 'audit_action.sensor_updated',
  sensor_deleted: 'audit_action.sensor_deleted',
  service_updated: 'audit_action.service_updated',
  sensor_config_downloaded: 'audit_action.sensor_config_downloaded',
  filter_created: 'audit_action.filter_created',
  filter_updated: 'audit_action.filter_updated',
  filter_deleted: 'audit_action.filter_deleted',
  events_updated: 'audit_action.events_updated',
  events_archived: 'audit_action.events_archived',
  events_deleted: 'audit_action.events_deleted',
  settings_updated: 'audit_action.settings_updated',
  archive_run: 'audit_action.archive_run',
  test_mail_sent: 'audit_action.test_mail_sent',
  test_mail_failed: 'audit_action.test_mail_failed',
  template_updated: 'audit_action.template_updated',
  mails_retried: 'audit_action.mails_retried',
  backup_downloaded: 'audit_action.backup_downloaded',
  output_created: 'audit_action.output_created',
  output_updated: 'audit_action.output_updated',
  output_deleted: 'audit_action.output_deleted',
  output_retried: 'audit_action.output_retried',
  test_event_sent: 'audit_action.test_event_sent',
};

/** Object types of the entries, as the server writes them. */
export const AUDIT_OBJECTS = {
  user: 'audit_object.user',
  group: 'audit_object.group',
  sensor: 'audit_object.sensor',
  filter: 'audit_object.filter',
  token: 'audit_object.token',
  event: 'audit_object.event',
  settings: 'audit_object.settings',
  template: 'audit_object.template',
  system: 'audit_object.system',
  output: 'audit_object.output',
};

/** actionName is the readable name of an action key (the key itself for one this UI does not know). */
export function actionName(key) {
  return AUDIT_ACTIONS[key] ? t(AUDIT_ACTIONS[key]) : key;
}

/** objectTypeName is the readable name of an object type. */
export function objectTypeName(key) {
  return AUDIT_OBJECTS[key] ? t(AUDIT_OBJECTS[key]) : key;
}
