package web_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every text the UI shows comes from the catalogs: a literal in a place where the UI puts text
// (an element's first child, a title, placeholder or aria-label, a label, dialog text or form
// field, a notice) must be a catalog key. The scan reads the places the code's own helpers use;
// a text built elsewhere escapes it, the common ways of writing one do not.

// jsString is a quoted or template literal; a template's ${...} parts are left out when its
// words are counted.
const jsString = `('(?:[^'\\\n]|\\.)*'|` + "`(?:[^`\\\\]|\\\\.)*`" + `)`

var textPlaces = []*regexp.Regexp{
	// h('tag', null|{...}, 'text'): the first child of an element.
	regexp.MustCompile(`\bh\(\s*'[\w-]+'\s*,\s*(?:null|\{[^{}]*\})\s*,\s*` + jsString),
	// Attributes and option fields that show text: title, placeholder, aria-label, alt, and
	// the label, text, confirm, hint, message of dialogs, buttons and forms.
	regexp.MustCompile(`(?:\b(?:title|placeholder|alt|label|text|confirm|hint|message|empty)|'aria-label')\s*:\s*` + jsString),
	// Helpers whose first argument is a label or a message.
	regexp.MustCompile(`\b(?:field|fieldGroup|checkbox|checkGroup|say|showError|showNotice|notify|Error)\(\s*` + jsString),
	// replace(node, 'text') and node.textContent = 'text'.
	regexp.MustCompile(`\breplace\(\s*\w+\s*,\s*` + jsString),
	regexp.MustCompile(`\.(?:textContent|title|placeholder)\s*=\s*` + jsString),
}

// A table of texts ({intro: 'Some words', title: (name) => `Words ${name}`}) is the other way
// English slips in: any property or arrow function whose value has two words counts as text.
var (
	textTables = []*regexp.Regexp{
		regexp.MustCompile(`\b(?:[A-Za-z_]\w*)\s*:\s*` + jsString),
		regexp.MustCompile(`=>\s*` + jsString),
	}
	cssProperty = regexp.MustCompile(`\b(?:class|style)\s*:\s*$`)
	twoWords    = regexp.MustCompile(`\p{L}{2,}\s+\S*\p{L}{2,}`)
)

// A literal without a word of two letters is no text (numbers, symbols, '…', '#'). The product
// name and example addresses (example.org) read the same in every language and are left out
// before the words are counted. The few literals left that are no text either are listed as written
// (quotes included) by what they are, so a new English word still fails.
var (
	word         = regexp.MustCompile(`\p{L}{2,}`)
	templatePart = regexp.MustCompile(`\$\{[^}]*\}`)
	namesAsIs    = regexp.MustCompile(`HoneySens|[\w.:/@-]*example\.org[\w.:/@…-]*`)
	literalsAsIs = map[string]bool{
		// Protocol, header, zone and service names and a PEM marker, as examples in placeholders.
		"'-----BEGIN CERTIFICATE-----'": true, "'Authorization: Bearer <token>'": true, "'Europe/Berlin'": true,
		"'ssh, telnet, ftp, http, recon…'": true, "'ID'": true,
		// A command line to copy.
		"`honeysens sensor --config sensor-${s.id}.json`": true,
		// Programming errors, and the two errors before any catalog is loaded.
		"`missing element #${id}`": true, "`language ${want}: ${res.status}`": true,
		"`Cannot reach the appliance: ${err.message}`": true,
	}
)

func TestUIShowsNoLiteralText(t *testing.T) {
	en := loadCatalog(t, "en")
	err := filepath.WalkDir("../../assets/js", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".js") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		// Comment lines are blanked, so the scan spans lines (an element's text often starts
		// on the next one) and line numbers stay right.
		lines := strings.Split(string(b), "\n")
		for i, line := range lines {
			if trimmed := strings.TrimSpace(line); strings.HasPrefix(trimmed, "//") || strings.HasPrefix(trimmed, "*") || strings.HasPrefix(trimmed, "/*") {
				lines[i] = ""
			}
		}
		src := strings.Join(lines, "\n")
		reported := map[int]bool{}
		check := func(at []int, prose *regexp.Regexp) {
			quoted := src[at[2]:at[3]]
			lit := quoted[1 : len(quoted)-1]
			if _, isKey := en[lit]; isKey || literalsAsIs[quoted] || reported[at[2]] ||
				!prose.MatchString(namesAsIs.ReplaceAllString(templatePart.ReplaceAllString(lit, ""), "")) {
				return
			}
			reported[at[2]] = true
			t.Errorf("%s:%d: text %s is no catalog key", path, 1+strings.Count(src[:at[2]], "\n"), quoted)
		}
		for _, place := range textPlaces {
			for _, at := range place.FindAllStringSubmatchIndex(src, -1) {
				check(at, word)
			}
		}
		for _, table := range textTables {
			for _, at := range table.FindAllStringSubmatchIndex(src, -1) {
				if !cssProperty.MatchString(src[max(0, at[2]-40):at[2]]) {
					check(at, twoWords)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// CSS shows text through content: a word there would stay English; the stylesheets show
// labels with attr(data-label), which the code sets from the catalog.
var cssText = regexp.MustCompile(`content:\s*("[^"]*"|'[^']*')`)

func TestStylesheetsShowNoLiteralText(t *testing.T) {
	err := filepath.WalkDir("../../assets/css", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".css") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		for _, at := range cssText.FindAllStringSubmatchIndex(src, -1) {
			if lit := src[at[2]:at[3]]; word.MatchString(lit) {
				t.Errorf("%s:%d: content %s is text in a stylesheet", path, 1+strings.Count(src[:at[2]], "\n"), lit)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
