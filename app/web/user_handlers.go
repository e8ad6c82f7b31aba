package web

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
	"honeysens/app/model"
)

// userInput is the body of user create and update. Pointers tell "absent" from "empty", so an
// update changes exactly the keys it names.
type userInput struct {
	Login              *string  `json:"login"`
	FullName           *string  `json:"full_name"`
	Email              *string  `json:"email"`
	Role               *int     `json:"role"`
	Groups             *[]int64 `json:"groups"`
	Password           *string  `json:"password"`
	MustChangePassword *bool    `json:"must_change_password"`
}

// apply copies the given keys onto u, validates the result and hashes a new password.
// It returns a short description of what changed, for the audit log.
func (in *userInput) apply(u *model.User, creating bool) (string, error) {
	var changed []string
	set := func(name string, dst *string, src *string) {
		if src != nil && *src != *dst {
			*dst = *src
			changed = append(changed, name)
		}
	}
	set("login", &u.Login, in.Login)
	set("full name", &u.FullName, in.FullName)
	set("e-mail", &u.Email, in.Email)
	if in.Role != nil && model.Role(*in.Role) != u.Role {
		changed = append(changed, fmt.Sprintf("role %s → %s", u.Role, model.Role(*in.Role)))
		u.Role = model.Role(*in.Role)
	}
	if in.Groups != nil && !slices.Equal(*in.Groups, u.Groups) {
		u.Groups = *in.Groups
		changed = append(changed, "groups")
	}
	if in.MustChangePassword != nil && *in.MustChangePassword != u.MustChangePassword {
		u.MustChangePassword = *in.MustChangePassword
		changed = append(changed, "password change required")
	}
	f := model.FieldErrors{}
	if err := u.Validate(); err != nil {
		for k, v := range err.(*model.Error).Fields {
			f.Add(k, v)
		}
	}
	u.PasswordHash = ""
	switch {
	case in.Password != nil && *in.Password != "":
		if msg := model.ValidatePassword(*in.Password); msg != "" {
			f.Add("password", msg)
		}
	case creating:
		f.Add("password", "Set a first password.")
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	if in.Password != nil && *in.Password != "" {
		hash, err := auth.HashPassword(*in.Password)
		if err != nil {
			return "", err
		}
		u.PasswordHash = hash
		changed = append(changed, "password (sessions ended, API tokens revoked)")
	}
	return strings.Join(changed, ", "), nil
}

// userChanges are the audit log's changes of an update: roles by name, and a new password as
// a masked change (the hash is no field of the user's JSON).
func userChanges(old, u *model.User) model.Changes {
	changes := model.Diff(old, u)
	if _, ok := changes["role"]; ok {
		changes["role"] = [2]any{old.Role.String(), u.Role.String()}
	}
	if u.PasswordHash != "" {
		changes["password"] = [2]any{model.SecretMask, model.SecretMask}
	}
	return changes
}

func (s *Server) userList(c *fiber.Ctx) error {
	users, err := s.Store.Users(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": users})
}

func (s *Server) userGet(c *fiber.Ctx) error {
	u, err := s.userParam(c)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

// userParam returns the user the :id parameter names.
func (s *Server) userParam(c *fiber.Ctx) (*model.User, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	return s.Store.User(c.UserContext(), id)
}

func (s *Server) userCreate(c *fiber.Ctx) error {
	var in userInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u := &model.User{Role: model.RoleObserver, Groups: []int64{}}
	if _, err := in.apply(u, true); err != nil {
		return err
	}
	if err := s.Store.CreateUser(c.UserContext(), u); err != nil {
		return err
	}
	s.audit(c, model.AuditUserCreated, "user", u.ID, u.Login, "role "+u.Role.String())
	return c.Status(fiber.StatusCreated).JSON(u)
}

func (s *Server) userUpdate(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in userInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.UserContext()
	u, err := s.Store.User(ctx, id)
	if err != nil {
		return err
	}
	old := *u // apply replaces fields, so this copy keeps the old values
	changed, err := in.apply(u, false)
	if err != nil {
		return err
	}
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	s.auditChanges(c, model.AuditUserUpdated, "user", u.ID, u.Login, changed, userChanges(&old, u))
	return c.JSON(u)
}

func (s *Server) userDelete(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if p := principal(c); p.User.ID == id {
		return model.Errorf(model.ErrConflict, "You cannot delete your own account.")
	}
	u, err := s.Store.DeleteUser(c.UserContext(), id)
	if err != nil {
		return err
	}
	s.audit(c, model.AuditUserDeleted, "user", u.ID, u.Login, "")
	return c.SendStatus(fiber.StatusNoContent)
}
