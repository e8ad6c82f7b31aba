package web_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"honeysens/app/notify"
)

// The UI's message catalogs, assets/i18n/<lang>.json: every language has every key, with the
// same placeholders, and every key the UI's code names exists.

const catalogDir = "../../assets/i18n"

// catalog maps a key to its text, or to its plural forms ({"one": ..., "other": ...}).
type catalog map[string]any

func loadCatalog(t *testing.T, lang string) catalog {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(catalogDir, lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var c catalog
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s.json: %v", lang, err)
	}
	return c
}

var placeholderPattern = regexp.MustCompile(`\{(\w+)\}`)

// placeholders lists the {name}s of a text or of all its plural forms, sorted and unique.
func placeholders(t *testing.T, key string, v any) []string {
	t.Helper()
	var texts []string
	switch v := v.(type) {
	case string:
		texts = []string{v}
	case map[string]any:
		if _, ok := v["other"]; !ok {
			t.Errorf("%s: a plural text needs an \"other\" form", key)
		}
		for form, text := range v {
			s, ok := text.(string)
			if !ok {
				t.Errorf("%s.%s: not a text", key, form)
			}
			texts = append(texts, s)
		}
	default:
		t.Errorf("%s: neither a text nor plural forms", key)
	}
	var names []string
	for _, s := range texts {
		for _, m := range placeholderPattern.FindAllStringSubmatch(s, -1) {
			names = append(names, m[1])
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func TestCatalogsHaveTheSameKeysAndPlaceholders(t *testing.T) {
	en, de := loadCatalog(t, "en"), loadCatalog(t, "de")
	if len(en) == 0 {
		t.Fatal("the English catalog is empty")
	}
	for key := range en {
		if _, ok := de[key]; !ok {
			t.Errorf("%s: in en.json, missing in de.json", key)
		}
	}
	for key, deText := range de {
		enText, ok := en[key]
		if !ok {
			t.Errorf("%s: in de.json, missing in en.json", key)
			continue
		}
		if a, b := placeholders(t, key, enText), placeholders(t, key, deText); !slices.Equal(a, b) {
			t.Errorf("%s: placeholders en %v, de %v", key, a, b)
		}
	}
}

// The UI names a key as t('key', ...) or as a plain literal in a table of labels
// ('classification.honeypot'); a literal counts as a key when it starts with one of the
// catalog's namespaces (the part before the first dot).
var (
	tCall      = regexp.MustCompile(`\bt\(\s*'([^']+)'`)
	keyLiteral = regexp.MustCompile(`'([a-z][a-z0-9_]*)\.([a-z0-9_.]+)'`)
	// Download names ('events.csv') and host names ('mail.example.org') are no keys.
	notAKey = regexp.MustCompile(`\.(js|json|csv|txt|css|html|svg|png|org|com|net)$`)
)

func TestUIUsesOnlyCatalogKeys(t *testing.T) {
	en := loadCatalog(t, "en")
	namespaces := map[string]bool{}
	for key := range en {
		namespaces[strings.SplitN(key, ".", 2)[0]] = true
	}
	used := 0
	err := filepath.WalkDir("../../assets/js", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".js") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		for _, m := range tCall.FindAllStringSubmatch(src, -1) {
			used++
			if _, ok := en[m[1]]; !ok {
				t.Errorf("%s: t('%s') has no catalog entry", path, m[1])
			}
		}
		for _, m := range keyLiteral.FindAllStringSubmatch(src, -1) {
			key := m[1] + "." + m[2]
			if _, ok := en[key]; namespaces[m[1]] && !ok && !notAKey.MatchString(key) {
				t.Errorf("%s: '%s' looks like a catalog key but has none", path, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if used == 0 {
		t.Fatal("found no t('...') call in assets/js")
	}
}

// The template editor shows each notification type's name, description and variables from the
// catalog; a type or variable the server adds needs its text there too.
func TestCatalogDescribesEveryTemplate(t *testing.T) {
	en := loadCatalog(t, "en")
	for _, k := range notify.Kinds {
		for _, key := range []string{"template_kind." + k.Type + ".name", "template_kind." + k.Type + ".description"} {
			if _, ok := en[key]; !ok {
				t.Errorf("%s: missing in the catalogs", key)
			}
		}
		for _, v := range k.Variables {
			if _, ok := en["template_var."+k.Type+"."+v.Name]; !ok {
				t.Errorf("template_var.%s.%s: missing in the catalogs", k.Type, v.Name)
			}
		}
	}
}
