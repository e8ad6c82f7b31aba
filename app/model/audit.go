package model

import (
	"encoding/json"
	"reflect"
	"time"
	"unicode/utf8"
)

// AuditEntry is one line of the audit log. Changes lists, for an update, what it changed.
// Detail is English; DetailKey and DetailArgs, when set, name the same text in the UI's
// message catalogs so that each reader sees it in their own language.
type AuditEntry struct {
	ID         int64     `json:"id"`
	Time       time.Time `json:"time"`
	UserID     *int64    `json:"user_id"`
	User       string    `json:"user"`
	IP         string    `json:"ip"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   *int64    `json:"object_id"`
	ObjectName string    `json:"object_name"`
	Detail     string    `json:"detail"`
	DetailKey  string    `json:"detail_key,omitempty"`
	DetailArgs TextArgs  `json:"detail_args,omitempty"`
	Changes    Changes   `json:"changes,omitempty"`
}

// TextArgs fill the {name} placeholders of a catalog text. A value is a number, a string, or a
// Text of its own (a word the reader's language says differently, such as a status name).
type TextArgs map[string]any

// Text is a catalog text by key with its arguments; "count" picks the plural form.
type Text struct {
	Key  string   `json:"key"`
	Args TextArgs `json:"args,omitempty"`
}

// Audit actions: every kind of entry the appliance writes to the audit log. The UI names each
// one in assets/js/audit_labels.js; a test keeps the code, this list and the labels in step.
const (
	AuditLogin                  = "login"
	AuditLoginFailed            = "login_failed"
	AuditLogout                 = "logout"
	AuditPasswordChanged        = "password_changed"
	AuditPasswordReset          = "password_reset"
	AuditSessionEnded           = "session_ended"
	AuditTokenCreated           = "token_created"
	AuditTokenDeleted           = "token_deleted"
	AuditUserCreated            = "user_created"
	AuditUserUpdated            = "user_updated"
	AuditUserDeleted            = "user_deleted"
	AuditGroupCreated           = "group_created"
	AuditGroupUpdated           = "group_updated"
	AuditGroupDeleted           = "group_deleted"
	AuditSensorCreated          = "sensor_created"
	AuditSensorUpdated          = "sensor_updated"
	AuditSensorDeleted          = "sensor_deleted"
	AuditServiceUpdated         = "service_updated"
	AuditSensorConfigDownloaded = "sensor_config_downloaded"
	AuditFilterCreated          = "filter_created"
	AuditFilterUpdated          = "filter_updated"
	AuditFilterDeleted          = "filter_deleted"
	AuditEventsUpdated          = "events_updated"
	AuditEventsArchived         = "events_archived"
	AuditEventsDeleted          = "events_deleted"
	AuditSettingsUpdated        = "settings_updated"
	AuditArchiveRun             = "archive_run"
	AuditTestMailSent           = "test_mail_sent"
	AuditTestMailFailed         = "test_mail_failed"
	AuditTemplateUpdated        = "template_updated"
	AuditMailsRetried           = "mails_retried"
	AuditBackupDownloaded       = "backup_downloaded"
	AuditOutputCreated          = "output_created"
	AuditOutputUpdated          = "output_updated"
	AuditOutputDeleted          = "output_deleted"
	AuditOutputRetried          = "output_retried"
	AuditTestEventSent          = "test_event_sent"
)

// AuditActions lists every action above: the values the audit log's action filter accepts.
var AuditActions = []string{
	AuditLogin, AuditLoginFailed, AuditLogout, AuditPasswordChanged, AuditPasswordReset,
	AuditSessionEnded, AuditTokenCreated, AuditTokenDeleted,
	AuditUserCreated, AuditUserUpdated, AuditUserDeleted,
	AuditGroupCreated, AuditGroupUpdated, AuditGroupDeleted,
	AuditSensorCreated, AuditSensorUpdated, AuditSensorDeleted, AuditServiceUpdated, AuditSensorConfigDownloaded,
	AuditFilterCreated, AuditFilterUpdated, AuditFilterDeleted,
	AuditEventsUpdated, AuditEventsArchived, AuditEventsDeleted,
	AuditSettingsUpdated, AuditArchiveRun, AuditTestMailSent, AuditTestMailFailed, AuditTemplateUpdated, AuditMailsRetried,
	AuditBackupDownloaded,
	AuditOutputCreated, AuditOutputUpdated, AuditOutputDeleted, AuditOutputRetried, AuditTestEventSent,
}

// AuditObjectTypes are the kinds of object an audit entry is about.
var AuditObjectTypes = []string{"user", "group", "sensor", "filter", "token", "event", "settings", "template", "system", "output"}

// Changes are the fields an update changed, each with its old and new value as JSON shows them.
type Changes map[string][2]any

// SecretMask stands for a secret's value in Changes: the log tells that a secret was set,
// changed or removed, never what it is.
const SecretMask = "•••"

// secretKeys are field names whose values are secrets wherever they occur.
var secretKeys = map[string]bool{"password": true, "password_hash": true, "secret": true, "token": true}

// maxChangeText caps a string value in Changes: a template's whole text would swamp the log.
const maxChangeText = 200

// Diff returns the top-level fields of before and after (structs or maps, compared as their
// JSON) that differ. Secrets are masked at any depth, long texts shortened. Values that cannot
// be encoded give no changes rather than a failed update.
func Diff(before, after any) Changes {
	a, b := jsonFields(before), jsonFields(after)
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	out := Changes{}
	for k := range keys {
		if !reflect.DeepEqual(a[k], b[k]) {
			out[k] = [2]any{clean(k, a[k]), clean(k, b[k])}
		}
	}
	return out
}

func jsonFields(v any) map[string]any {
	m := map[string]any{}
	b, err := json.Marshal(v)
	if err != nil || json.Unmarshal(b, &m) != nil {
		return map[string]any{}
	}
	return m
}

// clean prepares one value of the field key for the log.
func clean(key string, v any) any {
	if secretKeys[key] {
		if v == nil || v == "" {
			return ""
		}
		return SecretMask
	}
	switch x := v.(type) {
	case string:
		if utf8.RuneCountInString(x) > maxChangeText {
			return string([]rune(x)[:maxChangeText]) + "…"
		}
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = clean(k, e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = clean("", e)
		}
		return l
	}
	return v
}
