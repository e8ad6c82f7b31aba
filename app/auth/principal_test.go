package auth

import (
	"fmt"
	"slices"
	"testing"

	"honeysens/app/model"
)

var allAccess = []Access{Public, Sensor, Self, Observer, Manager, Admin}

func TestAccessString(t *testing.T) {
	want := []string{"public", "sensor", "self", "observer", "manager", "admin"}
	for i, a := range allAccess {
		if a.String() != want[i] {
			t.Errorf("Access(%d).String() = %q, want %q", a, a.String(), want[i])
		}
	}
}

func TestPrincipalAllows(t *testing.T) {
	// For each access level: whether an Observer, Manager and Admin get in, first with the
	// password change done, then while it is still required.
	type byRole [3]bool
	want := map[Access]struct{ done, mustChange byRole }{
		Public:   {byRole{true, true, true}, byRole{true, true, true}},
		Sensor:   {byRole{false, false, false}, byRole{false, false, false}},
		Self:     {byRole{true, true, true}, byRole{true, true, true}},
		Observer: {byRole{true, true, true}, byRole{false, false, false}},
		Manager:  {byRole{false, true, true}, byRole{false, false, false}},
		Admin:    {byRole{false, false, true}, byRole{false, false, false}},
	}
	roles := []model.Role{model.RoleObserver, model.RoleManager, model.RoleAdmin}

	for _, a := range allAccess {
		for i, role := range roles {
			for _, mustChange := range []bool{false, true} {
				name := fmt.Sprintf("%s/%s/must_change=%v", a, role, mustChange)
				t.Run(name, func(t *testing.T) {
					p := &Principal{User: &model.User{ID: 1, Login: "u", Role: role, MustChangePassword: mustChange}}
					w := want[a].done[i]
					if mustChange {
						w = want[a].mustChange[i]
					}
					if got := p.Allows(a); got != w {
						t.Errorf("Allows = %v, want %v", got, w)
					}
				})
			}
		}
	}

	// Nobody logged in: only public routes.
	anonymous := map[string]*Principal{"nil principal": nil, "no user": {ClientIP: "192.0.2.1"}}
	for name, p := range anonymous {
		for _, a := range allAccess {
			if got, w := p.Allows(a), a == Public; got != w {
				t.Errorf("%s: Allows(%s) = %v, want %v", name, a, got, w)
			}
		}
	}

	// A user with no valid role (0 is HoneySens' guest) gets only Self.
	guest := &Principal{User: &model.User{Role: 0}}
	for _, a := range []Access{Observer, Manager, Admin} {
		if guest.Allows(a) {
			t.Errorf("role 0: Allows(%s) = true, want false", a)
		}
	}
	if !guest.Allows(Self) {
		t.Error("role 0: Allows(self) = false, want true")
	}
}

func TestPrincipalGroups(t *testing.T) {
	admin := &Principal{User: &model.User{Role: model.RoleAdmin}}
	observer := &Principal{User: &model.User{Role: model.RoleObserver, Groups: []int64{1, 3}}}
	manager := &Principal{User: &model.User{Role: model.RoleManager}} // Groups nil
	var nobody *Principal

	tests := []struct {
		name    string
		p       *Principal
		isAdmin bool
		in      map[int64]bool
		scope   []int64 // nil means all groups
	}{
		{"admin sees all", admin, true, map[int64]bool{1: true, 2: true, 99: true}, nil},
		{"observer sees own", observer, false, map[int64]bool{1: true, 2: false, 3: true}, []int64{1, 3}},
		{"no groups", manager, false, map[int64]bool{1: false}, []int64{}},
		{"nil principal", nobody, false, map[int64]bool{1: false}, []int64{}},
		{"no user", &Principal{}, false, map[int64]bool{1: false}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.IsAdmin(); got != tt.isAdmin {
				t.Errorf("IsAdmin = %v, want %v", got, tt.isAdmin)
			}
			for g, want := range tt.in {
				if got := tt.p.InGroup(g); got != want {
					t.Errorf("InGroup(%d) = %v, want %v", g, got, want)
				}
			}
			scope := tt.p.GroupScope()
			if tt.scope == nil {
				if scope != nil {
					t.Errorf("GroupScope = %v, want nil (all groups)", scope)
				}
				return
			}
			// A non-admin never gets nil, which would read as "all groups".
			if scope == nil || !slices.Equal(scope, tt.scope) {
				t.Errorf("GroupScope = %#v, want %#v", scope, tt.scope)
			}
		})
	}
}

func TestUnknownAccessLevelAdmitsNobody(t *testing.T) {
	admin := &Principal{User: &model.User{Role: model.RoleAdmin}}
	if admin.Allows(Access(99)) {
		t.Error("an unknown access level let an admin through")
	}
	if Access(99).String() != "unknown" {
		t.Errorf("String() = %q", Access(99).String())
	}
}
