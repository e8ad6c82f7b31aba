package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
)

// serverMessages translates the English texts of model errors into the other UI languages.
// Each language has a catalog, assets/i18n/server.<lang>.json, keyed by the English message
// or, for formatted messages, by the English format string.
type serverMessages map[string]*messageCatalog

type messageCatalog struct {
	texts map[string]string
	// patterns recognise formatted texts whose format was not kept (field messages are plain
	// strings), so their arguments can be put into the translation.
	patterns []messagePattern
}

type messagePattern struct {
	english *regexp.Regexp
	format  string // the translation with every verb turned into %s (the captured text)
}

// formatVerb matches one fmt verb with its optional argument index, flags, width and precision.
var formatVerb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]`)

func loadServerMessages(assets fs.FS) (serverMessages, error) {
	out := serverMessages{}
	for _, lang := range model.Languages {
		if lang == "en" {
			continue // the messages are written in English
		}
		b, err := fs.ReadFile(assets, "i18n/server."+lang+".json")
		if err != nil {
			return nil, err
		}
		var texts map[string]string
		if err := json.Unmarshal(b, &texts); err != nil {
			return nil, fmt.Errorf("i18n/server.%s.json: %w", lang, err)
		}
		out[lang] = newMessageCatalog(texts)
	}
	return out, nil
}

func newMessageCatalog(texts map[string]string) *messageCatalog {
	c := &messageCatalog{texts: texts}
	for english, translated := range texts {
		if !formatVerb.MatchString(strings.ReplaceAll(english, "%%", "")) {
			continue
		}
		c.patterns = append(c.patterns, messagePattern{
			english: regexp.MustCompile("^" + patternOf(english) + "$"),
			format: formatVerb.ReplaceAllStringFunc(translated, func(v string) string {
				if v == "%%" {
					return v
				}
				return "%" + formatVerb.FindStringSubmatch(v)[1] + "s"
			}),
		})
	}
	// The most specific format (the longest) is tried first, and the order never depends on
	// the map's iteration.
	slices.SortFunc(c.patterns, func(a, b messagePattern) int {
		if d := len(b.english.String()) - len(a.english.String()); d != 0 {
			return d
		}
		return strings.Compare(a.english.String(), b.english.String())
	})
	return c
}

// patternOf turns an English format into a regular expression that captures each argument.
func patternOf(format string) string {
	var b strings.Builder
	last := 0
	for _, loc := range formatVerb.FindAllStringIndex(format, -1) {
		b.WriteString(regexp.QuoteMeta(format[last:loc[0]]))
		switch verb := format[loc[1]-1]; verb {
		case '%':
			b.WriteString("%")
		case 'd':
			b.WriteString(`(-?\d+)`)
		case 'q':
			b.WriteString(`("(?:[^"\\]|\\.)*")`)
		default:
			b.WriteString(`(.+?)`)
		}
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(format[last:]))
	return b.String()
}

// localize returns e with its message and field messages in lang; e itself is shared (package
// level errors) and stays as it is. Texts without a translation stay English.
func (m serverMessages) localize(e *model.Error, lang string) *model.Error {
	c := m[lang]
	if c == nil {
		return e
	}
	out := *e
	out.Message = c.message(e)
	if len(e.Fields) > 0 {
		out.Fields = make(map[string]string, len(e.Fields))
		for field, msg := range e.Fields {
			out.Fields[field] = c.text(msg)
		}
	}
	return &out
}

func (c *messageCatalog) message(e *model.Error) string {
	format, args := e.Template()
	translated, ok := c.texts[format]
	switch {
	case !ok:
		return c.text(e.Message)
	case len(args) == 0:
		return translated
	}
	return fmt.Sprintf(translated, args...)
}

// text translates a finished English text: by the text itself, else by the format it matches.
func (c *messageCatalog) text(english string) string {
	if translated, ok := c.texts[english]; ok {
		return translated
	}
	for _, p := range c.patterns {
		if parts := p.english.FindStringSubmatch(english); parts != nil {
			args := make([]any, len(parts)-1)
			for i, s := range parts[1:] {
				args[i] = s
			}
			return fmt.Sprintf(p.format, args...)
		}
	}
	return english
}

// say is a message for the caller in their language: format is the English text (the key of
// the server catalogs), args fill it.
func (s *Server) say(c *fiber.Ctx, format string, args ...any) string {
	if translated, ok := s.messages[callerLanguage(c)].lookup(format); ok {
		format = translated
	}
	return fmt.Sprintf(format, args...)
}

// translate is a finished English text (such as a mail server diagnosis composed by the
// mailer) in the caller's language, as far as the catalog knows its form.
func (s *Server) translate(c *fiber.Ctx, english string) string {
	if cat := s.messages[callerLanguage(c)]; cat != nil {
		return cat.text(english)
	}
	return english
}

// lookup is the translation of an English text or format; a nil catalog (English) has none.
func (c *messageCatalog) lookup(english string) (string, bool) {
	if c == nil {
		return "", false
	}
	translated, ok := c.texts[english]
	return translated, ok
}

// callerLanguage is the language the caller reads: the signed-in user's choice, else the
// browser's first catalog language (as the UI picks it), else English.
func callerLanguage(c *fiber.Ctx) string {
	if p := principal(c); p != nil && p.User != nil && p.User.Language != "" {
		return p.User.Language
	}
	for tag := range strings.SplitSeq(c.Get(fiber.HeaderAcceptLanguage), ",") {
		base := strings.ToLower(strings.TrimSpace(tag))
		if len(base) >= 2 && slices.Contains(model.Languages, base[:2]) {
			return base[:2]
		}
	}
	return "en"
}
