package web

import (
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
	"honeysens/app/model"
)

func (s *Server) tokenList(c *fiber.Ctx) error {
	list, err := s.Store.Tokens(c.UserContext(), principal(c).User.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list})
}

// tokenCreate answers the secret once; only its hash is stored.
func (s *Server) tokenCreate(c *fiber.Ctx) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	in.Name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 64 || strings.ContainsAny(in.Name, "\r\n\x00") {
		return &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{"name": "Use 1-64 characters on one line."}}
	}
	p := principal(c)
	secret, hash := auth.NewAPIToken()
	tok := &model.APIToken{UserID: p.User.ID, Name: in.Name}
	if err := s.Store.CreateToken(c.UserContext(), tok, hash); err != nil {
		return err
	}
	s.audit(c, model.AuditTokenCreated, "token", tok.ID, tok.Name, "")
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": tok.ID, "name": tok.Name, "token": secret, "created_at": tok.CreatedAt})
}

func (s *Server) tokenDelete(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	tok, err := s.Store.DeleteToken(c.UserContext(), principal(c).User.ID, id)
	if err != nil {
		return err
	}
	s.audit(c, model.AuditTokenDeleted, "token", tok.ID, tok.Name, "")
	return c.SendStatus(fiber.StatusNoContent)
}
