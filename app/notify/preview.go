package notify

import (
	"context"

	"honeysens/app/model"
)

// Template is a notification type with its default and the operator's own text, as the
// System → Notification templates page shows it.
type Template struct {
	Kind
	Default string  `json:"default_body"`
	Custom  *string `json:"custom_body"` // nil: the default is in use
}

// Templates lists every notification type's template.
func (s *Service) Templates(ctx context.Context) ([]Template, error) {
	custom, err := s.st.Templates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Template, 0, len(Kinds))
	for _, k := range Kinds {
		t := Template{Kind: k, Default: s.defaults[k.Type]}
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

// Preview renders a template text (the default when body is nil) with the kind's sample values.
func (s *Service) Preview(kind string, body *string) (subject, text string, err error) {
	k, ok := KindOf(kind)
	if !ok {
		return "", "", model.Errorf(model.ErrNotFound, "No such template.")
	}
	t := s.defaults[kind]
	if body != nil {
		if err := k.Validate(*body); err != nil {
			return "", "", err
		}
		t = *body
	}
	return previewSubjects[kind], render(t, k.samples()), nil
}

// previewSubjects are the subjects the sample mails would have.
var previewSubjects = map[string]string{
	model.MailEvent:   "HoneySens: Critical event #4711 (Honeypot)",
	model.MailTimeout: "HoneySens: Sensor office-pi (ID 3) offline",
	model.MailOnline:  "HoneySens: Sensor office-pi (ID 3) back online",
	model.MailWeekly:  "HoneySens: Event summary for 2026-11-23 to 2026-11-30",
	model.MailStorm:   "HoneySens: 250 further events (storm guard)",
}
