package web

import (
	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
	"honeysens/app/model"
	"honeysens/app/texts"
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

// copyTo copies the given keys onto u (the audit log's changes come from comparing the user
// before and after, see userChanges). The password is not copied: a new account's is hashed
// by the store, a changed one by apply.
func (in *userInput) copyTo(u *model.User) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&u.Login, in.Login)
	set(&u.FullName, in.FullName)
	set(&u.Email, in.Email)
	if in.Role != nil {
		u.Role = model.Role(*in.Role)
	}
	if in.Groups != nil {
		u.Groups = *in.Groups
	}
	if in.MustChangePassword != nil {
		u.MustChangePassword = *in.MustChangePassword
	}
}

// password is the new password, "" when the body sets none.
func (in *userInput) password() string {
	if in.Password == nil {
		return ""
	}
	return *in.Password
}

// apply copies the given keys onto an existing user, validates the result and hashes a new
// password.
func (in *userInput) apply(u *model.User) error {
	in.copyTo(u)
	if err := u.ValidateWithPassword(in.password(), false); err != nil {
		return err
	}
	u.PasswordHash = ""
	if in.password() != "" {
		hash, err := auth.HashPassword(in.password())
		if err != nil {
			return err
		}
		u.PasswordHash = hash
	}
	return nil
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
	in.copyTo(u)
	by := actor(c)
	s.english.Describe(&by, model.Text{Key: "audit_detail.role", Args: model.TextArgs{"role": texts.Role(u.Role)}})
	if err := s.Store.AddUser(c.UserContext(), u, in.password(), by); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(u)
}

func (s *Server) userUpdate(c *fiber.Ctx) error {
	u, err := s.userParam(c)
	if err != nil {
		return err
	}
	var in userInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.UserContext()
	old := *u // apply replaces fields, so this copy keeps the old values
	if err := in.apply(u); err != nil {
		return err
	}
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	var note model.Text // the changes say the rest
	if u.PasswordHash != "" {
		note.Key = "audit_detail.password_set"
	}
	s.auditNote(c, model.AuditUserUpdated, "user", u.ID, u.Login, note, userChanges(&old, u))
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
