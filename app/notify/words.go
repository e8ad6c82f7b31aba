package notify

import (
	"fmt"
	"io/fs"

	"honeysens/app/model"
)

// words are the fixed texts of the mails the appliance writes itself (subjects and the text
// blocks behind {{DETAILS}} and {{EVENTS}}) in one language. The operator's own templates are
// used as written; the language of the built-in ones is the mail setting "language".
type words struct {
	eventSubjectFormat    string // id, classification
	criticalSubjectFormat string // id, classification
	timeoutSubjectFormat  string // sensor name, id
	onlineSubjectFormat   string // sensor name, id
	stormSubjectFormat    string // count
	weeklySubjectFormat   string // from, to (dates)

	additional   string
	interaction  string
	packets      string
	noDetails    string
	linesOmitted string // count
	never        string
	andMore      string // count

	groupHead        string // group name
	groupTotals      string // events, critical
	byClassification string
	bySensor         string
	criticalEvents   string
	classes          map[model.Classification]string
}

var english = &words{
	eventSubjectFormat:    "HoneySens: Event #%d (%s)",
	criticalSubjectFormat: "HoneySens: Critical event #%d (%s)",
	timeoutSubjectFormat:  "HoneySens: Sensor %s (ID %d) offline",
	onlineSubjectFormat:   "HoneySens: Sensor %s (ID %d) back online",
	stormSubjectFormat:    "HoneySens: %d further events (storm guard)",
	weeklySubjectFormat:   "HoneySens: Event summary for %s to %s",

	additional:   "Additional information",
	interaction:  "Sensor interaction (times in UTC)",
	packets:      "Packets (times in UTC | protocol/port | flags | payload)",
	noDetails:    "No further details.",
	linesOmitted: "... %d more lines left out",
	never:        "never",
	andMore:      "... and %d more",

	groupHead:        "### Group \"%s\" ###",
	groupTotals:      "%d events, %d critical",
	byClassification: "By classification:",
	bySensor:         "By sensor:",
	criticalEvents:   "Critical events:",
}

var german = &words{
	eventSubjectFormat:    "HoneySens: Ereignis #%d (%s)",
	criticalSubjectFormat: "HoneySens: Kritisches Ereignis #%d (%s)",
	timeoutSubjectFormat:  "HoneySens: Sensor %s (ID %d) offline",
	onlineSubjectFormat:   "HoneySens: Sensor %s (ID %d) wieder online",
	stormSubjectFormat:    "HoneySens: %d weitere Ereignisse (Sturmschutz)",
	weeklySubjectFormat:   "HoneySens: Ereignisübersicht vom %s bis %s",

	additional:   "Zusatzinformationen",
	interaction:  "Sensorinteraktion (Zeiten in UTC)",
	packets:      "Pakete (Zeiten in UTC | Protokoll/Port | Flags | Nutzdaten)",
	noDetails:    "Keine weiteren Details.",
	linesOmitted: "... %d weitere Zeilen ausgelassen",
	never:        "nie",
	andMore:      "... und %d weitere",

	groupHead:        "### Gruppe \"%s\" ###",
	groupTotals:      "%d Ereignisse, %d kritisch",
	byClassification: "Nach Klassifizierung:",
	bySensor:         "Nach Sensor:",
	criticalEvents:   "Kritische Ereignisse:",
	classes: map[model.Classification]string{
		model.ClassUnknown: "Unbekannt", model.ClassICMP: "ICMP", model.ClassConnAttempt: "Verbindungsversuch",
		model.ClassHoneypot: "Honeypot", model.ClassScan: "Portscan",
	},
}

// mailWords are the mail texts by language code (model.Languages).
var mailWords = map[string]*words{"en": english, "de": german}

// wordsFor returns the texts of a language; an unknown one gets English.
func wordsFor(language string) *words {
	if w, ok := mailWords[language]; ok {
		return w
	}
	return english
}

// class names a classification in the mail's language.
func (w *words) class(c model.Classification) string {
	if name, ok := w.classes[c]; ok {
		return name
	}
	return c.String()
}

// templateDir is where the built-in templates of a language live: assets/mail for English,
// assets/mail/<language> for the others.
func templateDir(language string) string {
	if language == "en" {
		return "mail"
	}
	return "mail/" + language
}

// Defaults reads the built-in template texts of every mail language: language → type → text.
func Defaults(assets fs.FS) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for language := range mailWords {
		out[language] = map[string]string{}
		for _, k := range Kinds {
			name := templateDir(language) + "/" + k.Type + ".txt"
			b, err := fs.ReadFile(assets, name)
			if err != nil {
				return nil, fmt.Errorf("notify: default template %s: %w", name, err)
			}
			if err := k.Validate(string(b)); err != nil {
				return nil, fmt.Errorf("notify: default template %s: %w", name, err)
			}
			out[language][k.Type] = string(b)
		}
	}
	return out, nil
}
