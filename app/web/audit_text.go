package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"

	"honeysens/app/model"
)

// englishTexts is the UI's English catalog (assets/i18n/en.json). An audit detail is stored with
// its catalog key, so the Audit page shows it in the reader's language, and with the English
// text rendered from this catalog, so the log reads the same without the UI (API, backups).
type englishTexts map[string]any

func loadEnglishTexts(assets fs.FS) (englishTexts, error) {
	b, err := fs.ReadFile(assets, "i18n/en.json")
	if err != nil {
		return nil, err
	}
	var texts englishTexts
	if err := json.Unmarshal(b, &texts); err != nil {
		return nil, fmt.Errorf("i18n/en.json: %w", err)
	}
	return texts, nil
}

// describe sets e's detail to note: its key and arguments, and its English text.
func (t englishTexts) describe(e *model.AuditEntry, note model.Text) {
	e.Detail, e.DetailKey, e.DetailArgs = t.render(note), note.Key, note.Args
}

// placeholder is a {name} of a catalog text.
var placeholder = regexp.MustCompile(`\{(\w+)\}`)

// render fills the text of x.Key with its arguments, as the UI's t() does: a plural text
// picks its form by the "count" argument, an argument that is a Text is rendered itself. An
// unknown key renders as the key, so that a gap is visible (a test keeps the keys known).
func (t englishTexts) render(x model.Text) string {
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
			return t.render(sub)
		}
		return fmt.Sprint(arg)
	})
}

// statusText names an event status in the catalogs' words.
func statusText(st model.Status) model.Text {
	keys := map[model.Status]string{
		model.StatusNew: "status.new", model.StatusInProgress: "status.in_progress",
		model.StatusResolved: "status.resolved", model.StatusIgnored: "status.ignored",
	}
	return model.Text{Key: keys[st]}
}

// roleText names a user role in the catalogs' words.
func roleText(r model.Role) model.Text {
	keys := map[model.Role]string{model.RoleObserver: "role.observer", model.RoleManager: "role.manager", model.RoleAdmin: "role.admin"}
	return model.Text{Key: keys[r]}
}

// countText is "N events", "N sensors", ... as a part of a longer text.
func countText(key string, n any) model.Text {
	return model.Text{Key: key, Args: model.TextArgs{"count": n}}
}
