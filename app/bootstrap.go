package app

import (
	"context"
	"fmt"
	"io"

	"honeysens/app/auth"
	"honeysens/app/model"
	"honeysens/app/store"
)

// DefaultGroupName is the group that first start creates for the admin and the local sensor.
const DefaultGroupName = "Default"

// firstLogin is what the operator needs to log in after the first start.
type firstLogin struct {
	Login     string
	Password  string // empty when it came from HONEYSENS_ADMIN_PASSWORD
	Generated bool
}

// bootstrap creates the default group and the first admin when the database has no user yet.
// A generated password must be changed at first login; one given by the operator need not.
func bootstrap(ctx context.Context, st *store.Store, adminPassword string) (*firstLogin, error) {
	n, err := st.UserCount(ctx)
	if err != nil || n > 0 {
		return nil, err
	}
	fl := &firstLogin{Login: "admin", Password: adminPassword}
	if adminPassword == "" {
		fl.Password, fl.Generated = auth.GeneratePassword(), true
	} else if msg := model.ValidatePassword(adminPassword); msg != "" {
		return nil, fmt.Errorf("HONEYSENS_ADMIN_PASSWORD: %s", msg)
	}
	g := &model.Group{Name: DefaultGroupName}
	if err := st.CreateGroup(ctx, g); err != nil {
		return nil, fmt.Errorf("create default group: %w", err)
	}
	hash, err := auth.HashPassword(fl.Password)
	if err != nil {
		return nil, err
	}
	u := &model.User{Login: fl.Login, FullName: "Administrator", Role: model.RoleAdmin, Groups: []int64{g.ID},
		PasswordHash: hash, MustChangePassword: fl.Generated, FirstAdmin: true}
	if err := st.CreateUser(ctx, u); err != nil {
		return nil, fmt.Errorf("create admin: %w", err)
	}
	if !fl.Generated {
		fl.Password = ""
	}
	return fl, nil
}

// print tells the operator how to log in for the first time; nothing once that was told.
func (fl *firstLogin) print(w io.Writer) {
	switch {
	case fl == nil:
	case fl.Generated:
		fmt.Fprintf(w, "  Login:    %s / %s\n", fl.Login, fl.Password)
		fmt.Fprintf(w, "            (shown only now; you will be asked to change it at first login)\n")
	default:
		fmt.Fprintf(w, "  Login:    %s / the password from HONEYSENS_ADMIN_PASSWORD\n", fl.Login)
	}
}
