// Package texts renders the English texts of the UI's message catalog on the server, for the
// audit details that the API and the command line write.
package texts

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"

	"honeysens/app/model"
)

// English is the UI's English catalog (assets/i18n/en.json). An audit detail is stored with
// its catalog key, so the Audit page shows it in the reader's language, and with the English
// text rendered from this catalog, so the log reads the same without the UI (API, backups).
type English map[string]any

// LoadEnglish reads the English catalog from the appliance's assets.
func LoadEnglish(assets fs.FS) (English, error) {
	b, err := fs.ReadFile(assets, "i18n/en.json")
	if err != nil {
		return nil, err
	}
	var texts English
	if err := json.Unmarshal(b, &texts); err != nil {
		return nil, fmt.Errorf("i18n/en.json: %w", err)
	}
	return texts, nil
}

// Describe sets e's detail to note: its key and arguments, and its English text.
func (t English) Describe(e *model.AuditEntry, note model.Text) {
	e.Detail, e.DetailKey, e.DetailArgs = t.Render(note), note.Key, note.Args
}

// placeholder is a {name} of a catalog text.
var placeholder = regexp.MustCompile(`\{(\w+)\}`)

// Render fills the text of x.Key with its arguments, as the UI's t() does: a plural text
// picks its form by the "count" argument, an argument that is a Text is rendered itself. An
// unknown key renders as the key, so that a gap is visible (a test keeps the keys known).
func (t English) Render(x model.Text) string {
	var text string
	switch v := t[x.Key].(type) {
	case string:
		text = v
	case map[string]any:
		form := "other"
		if fmt.Sprint(x.Args["count"]) == "1" {
			form = "one"
		}
		text, _ = v[form].(string)
	default:
		return x.Key
	}
	return placeholder.ReplaceAllStringFunc(text, func(tok string) string {
		arg, ok := x.Args[tok[1:len(tok)-1]]
		if !ok {
			return tok
		}
		if sub, ok := arg.(model.Text); ok {
			return t.Render(sub)
		}
		return fmt.Sprint(arg)
	})
}

// Status names an event status in the catalogs' words.
func Status(st model.Status) model.Text {
	keys := map[model.Status]string{
		model.StatusNew: "status.new", model.StatusInProgress: "status.in_progress",
		model.StatusResolved: "status.resolved", model.StatusIgnored: "status.ignored",
	}
	return model.Text{Key: keys[st]}
}

// Role names a user role in the catalogs' words.
func Role(r model.Role) model.Text {
	keys := map[model.Role]string{model.RoleObserver: "role.observer", model.RoleManager: "role.manager", model.RoleAdmin: "role.admin"}
	return model.Text{Key: keys[r]}
}

// Count is "N events", "N sensors", ... as a part of a longer text.
func Count(key string, n any) model.Text {
	return model.Text{Key: key, Args: model.TextArgs{"count": n}}
}
