package notify

import (
	"context"
	"time"

	"honeysens/app/model"
)

// Template is a notification type with its default and the operator's own text, as the
// System → Notification templates page shows it.
type Template struct {
	Kind
	Default string  `json:"default_body"`
	Custom  *string `json:"custom_body"` // nil: the default is in use
}

// Templates lists every notification type's template, each default in the mail language.
func (s *Service) Templates(ctx context.Context) ([]Template, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	custom, err := s.st.Templates(ctx)
	if err != nil {
		return nil, err
	}
	defaults := s.defaultsOf(set.Language)
	out := make([]Template, 0, len(Kinds))
	for _, k := range Kinds {
		t := Template{Kind: k, Default: defaults[k.Type]}
		if c, ok := custom[k.Type]; ok {
			t.Custom = &c
		}
		out = append(out, t)
	}
	return out, nil
}

// SetTemplate stores the operator's text for a type after checking it; nil resets to default.
func (s *Service) SetTemplate(ctx context.Context, kind string, body *string) error {
	k, ok := KindOf(kind)
	if !ok {
		return model.Errorf(model.ErrNotFound, "No such template.")
	}
	if body != nil {
		if err := k.Validate(*body); err != nil {
			return err
		}
	}
	return s.st.SetTemplate(ctx, kind, body)
}

// Preview renders a template text (the default when body is nil) with the kind's sample values,
// in the mail language.
func (s *Service) Preview(ctx context.Context, kind string, body *string) (subject, text string, err error) {
	k, ok := KindOf(kind)
	if !ok {
		return "", "", model.Errorf(model.ErrNotFound, "No such template.")
	}
	set, err := s.settings(ctx)
	if err != nil {
		return "", "", err
	}
	t := s.defaultsOf(set.Language)[kind]
	if body != nil {
		if err := k.Validate(*body); err != nil {
			return "", "", err
		}
		t = *body
	}
	return wordsFor(set.Language).previewSubject(kind), render(t, k.samples()), nil
}

// previewSubject is the subject the sample mail of a kind would have.
func (w *words) previewSubject(kind string) string {
	week := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	switch kind {
	case model.MailEvent:
		return w.eventSubject(&model.Event{ID: 4711, Classification: model.ClassHoneypot})
	case model.MailTimeout:
		return w.timeoutSubject(&model.Sensor{ID: 3, Name: "office-pi"})
	case model.MailOnline:
		return w.onlineSubject(&model.Sensor{ID: 3, Name: "office-pi"})
	case model.MailWeekly:
		return w.weeklySubject(week.AddDate(0, 0, -7), week)
	case model.MailStorm:
		return w.stormSubject(&model.Storm{Events: 250})
	}
	return ""
}
