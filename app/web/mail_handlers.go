package web

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
	"honeysens/app/notify"
	"honeysens/app/texts"
)

// smtpView is the SMTP settings as the API answers them: the password never leaves the box,
// only whether one is stored.
type smtpView struct {
	model.SMTPSettings
	PasswordSet bool `json:"password_set"`
}

func viewSMTP(set model.SMTPSettings) smtpView {
	v := smtpView{SMTPSettings: set, PasswordSet: set.Password != ""}
	v.Password = ""
	return v
}

// smtpInput is a change of the SMTP settings: keys given replace the stored ones. A password
// given replaces the stored one ("" removes it); without a user there is no password either.
// To is the test mail's recipient and belongs only to that request.
type smtpInput struct {
	model.SMTPSettings
	Password *string `json:"password"`
	To       *string `json:"to"`
}

func (s *Server) storedSMTP(ctx context.Context) (model.SMTPSettings, error) {
	set := model.DefaultSMTPSettings()
	err := s.Store.Settings(ctx, "smtp", &set)
	return set, err
}

// decodeSMTP applies the request body to the stored settings; it returns the test mail's
// recipient when test is set.
func (s *Server) decodeSMTP(c *fiber.Ctx, test bool) (model.SMTPSettings, string, error) {
	set, err := s.storedSMTP(c.UserContext())
	if err != nil {
		return set, "", err
	}
	in := smtpInput{SMTPSettings: set}
	if err := decodeJSON(c, &in); err != nil {
		return set, "", err
	}
	if in.To != nil && !test {
		return set, "", &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{"to": "Unknown field."}}
	}
	old := set
	set = in.SMTPSettings
	set.Password = old.Password
	if in.Password != nil {
		set.Password = *in.Password
	} else if old.Password != "" && strings.TrimSpace(set.User) != "" && (set.Host != old.Host || set.Port != old.Port || set.User != old.User ||
		weaker(set.Encryption, old.Encryption)) {
		// The stored password goes only to the server it was given for.
		return set, "", &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{"password": "Enter the password again: the server, user or encryption changed."}}
	}
	if strings.TrimSpace(set.User) == "" {
		set.Password = ""
	}
	to := ""
	if in.To != nil {
		to = strings.TrimSpace(*in.To)
	}
	return set, to, nil
}

// weaker reports whether encryption a protects less than b.
func weaker(a, b string) bool {
	rank := map[string]int{model.EncryptionNone: 0, model.EncryptionSTARTTLS: 1, model.EncryptionTLS: 1}
	return rank[a] < rank[b]
}

// smtpSettingsGet is GET /api/settings/smtp.
func (s *Server) smtpSettingsGet(c *fiber.Ctx) error {
	set, err := s.storedSMTP(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(viewSMTP(set))
}

// smtpSettingsUpdate is PATCH /api/settings/smtp. Saving makes queued mails due at once (the
// operator has probably just fixed what made them fail) and moves the weekly summary's job.
func (s *Server) smtpSettingsUpdate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	old, err := s.storedSMTP(ctx)
	if err != nil {
		return err
	}
	set, _, err := s.decodeSMTP(c, false)
	if err != nil {
		return err
	}
	if err := set.Validate(); err != nil {
		return err
	}
	if err := s.Store.SetSettings(ctx, "smtp", set); err != nil {
		return err
	}
	if err := s.resumeMail(c, true); err != nil {
		return err
	}
	if s.Schedule != nil {
		if err := s.Schedule.Weekly(set); err != nil {
			return err
		}
	}
	if _, err := s.Mail.Retry(ctx, false); err != nil {
		return err
	}
	s.Mail.StatusChanged()
	s.auditChanges(c, model.AuditSettingsUpdated, "settings", 0, "smtp", "", model.Diff(old, set))
	return c.JSON(viewSMTP(set))
}

// smtpTest is POST /api/settings/smtp/test: a test mail to "to" with the posted settings, saved
// or not (a password left out means the stored one). The answer waits for the mail server.
func (s *Server) smtpTest(c *fiber.Ctx) error {
	set, to, err := s.decodeSMTP(c, true)
	if err != nil {
		return err
	}
	set.Enabled = true // the server fields are required for the test
	f := model.FieldErrors{}
	if msg := model.ValidateEmail(to); msg != "" {
		f.Add("to", msg)
	}
	if err := set.ValidateServer(); err != nil {
		if me, ok := err.(*model.Error); ok {
			for k, v := range me.Fields {
				f.Add(k, v)
			}
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 45*time.Second)
	defer cancel()
	server := net.JoinHostPort(set.Host, strconv.Itoa(set.Port))
	if err := s.Mail.SendTest(ctx, set, to); err != nil {
		s.auditNote(c, model.AuditTestMailFailed, "settings", 0, "smtp", model.Text{Key: "audit_detail.test_mail_failed",
			Args: model.TextArgs{"to": to, "server": server, "error": err.Error()}}, nil)
		return &model.Error{Code: model.ErrMailFailed, Message: err.Error()} // translated by errorHandler
	}
	s.auditNote(c, model.AuditTestMailSent, "settings", 0, "smtp", model.Text{Key: "audit_detail.test_mail_sent",
		Args: model.TextArgs{"to": to, "server": server}}, nil)
	return c.JSON(fiber.Map{"sent": true, "message": s.say(c, "The test mail to %s was accepted by %s.", to, set.Host)})
}

// templateList is GET /api/templates.
func (s *Server) templateList(c *fiber.Ctx) error {
	list, err := s.Mail.Templates(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list})
}

// templateBody is {"body": "..."} or {"body": null} (the default).
type templateBody struct {
	Body *string `json:"body"`
}

// templateUpdate is PUT /api/templates/:type: the operator's own text, or null to go back to
// the default. Unknown variables are refused.
func (s *Server) templateUpdate(c *fiber.Ctx) error {
	var in templateBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.UserContext()
	kind := c.Params("type")
	old, err := s.template(ctx, kind)
	if err != nil {
		return err
	}
	if err := s.Mail.SetTemplate(ctx, kind, in.Body); err != nil {
		return err
	}
	note := model.Text{Key: "audit_detail.template_custom"}
	if in.Body == nil {
		note.Key = "audit_detail.template_default"
	}
	t, err := s.template(ctx, kind)
	if err != nil {
		return err
	}
	s.auditNote(c, model.AuditTemplateUpdated, "template", 0, kind, note,
		model.Diff(map[string]any{"custom_body": old.Custom}, map[string]any{"custom_body": t.Custom}))
	return c.JSON(t)
}

// template returns the template of one notification type.
func (s *Server) template(ctx context.Context, kind string) (notify.Template, error) {
	list, err := s.Mail.Templates(ctx)
	if err != nil {
		return notify.Template{}, err
	}
	for _, t := range list {
		if t.Type == kind {
			return t, nil
		}
	}
	return notify.Template{}, model.Errorf(model.ErrNotFound, "No such template.")
}

// templatePreview is POST /api/templates/:type/preview: the text (null: the default) rendered
// with sample data, as the mail would read.
func (s *Server) templatePreview(c *fiber.Ctx) error {
	var in templateBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	subject, body, err := s.Mail.Preview(c.UserContext(), c.Params("type"), in.Body)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"subject": subject, "body": body})
}

// mailList is GET /api/mails: the outbox, newest first, with counts by status.
func (s *Server) mailList(c *fiber.Ctx) error {
	ctx := c.UserContext()
	limit := c.QueryInt("limit", 100)
	if limit < 1 || limit > 500 {
		return &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{"limit": "Use 1 to 500."}}
	}
	list, err := s.Store.Mails(ctx, c.Query("status"), limit)
	if err != nil {
		return err
	}
	for _, m := range list {
		m.Body = "" // the list stays small; GET /api/mails/:id has the text
		m.LastError = s.translate(c, m.LastError)
	}
	counts, err := s.Store.MailCounts(ctx)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "counts": counts})
}

// mailGet is GET /api/mails/:id, with the text.
func (s *Server) mailGet(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	m, err := s.Store.Mail(c.UserContext(), id)
	if err != nil {
		return err
	}
	m.LastError = s.translate(c, m.LastError) // the mail server's diagnosis, in the reader's language
	return c.JSON(m)
}

// mailRetry is POST /api/mails/retry: queued mails are tried at once, failed ones queued again.
func (s *Server) mailRetry(c *fiber.Ctx) error {
	n, err := s.Mail.Retry(c.UserContext(), true)
	if err != nil {
		return err
	}
	s.auditNote(c, model.AuditMailsRetried, "settings", 0, "smtp", texts.Count("audit_detail.mail_count", n), nil)
	return c.JSON(fiber.Map{"retried": n})
}
