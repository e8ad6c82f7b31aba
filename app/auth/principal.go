package auth

import (
	"slices"

	"honeysens/app/model"
)

// Access is what a route demands of the caller. Every route in the web route table names one.
type Access int

// Access levels, from open to strict.
const (
	Public   Access = iota // anyone, logged in or not (login page, static files, health)
	Sensor                 // a sensor authenticated by its HMAC signature (checked by ingest)
	Self                   // any logged-in user, even one who must still change the password
	Observer               // role Observer or higher, password change done
	Manager                // role Manager or higher
	Admin                  // role Admin
)

// String names the level as the route table and its test print it.
func (a Access) String() string {
	names := [...]string{"public", "sensor", "self", "observer", "manager", "admin"}
	if a < 0 || int(a) >= len(names) {
		return "unknown"
	}
	return names[a]
}

// Principal is the logged-in user a request acts for.
type Principal struct {
	User     *model.User
	Session  *model.Session // nil when authenticated by API token
	ViaToken bool
	ClientIP string
}

// Allows reports whether the principal meets the access level. Public and Sensor routes are
// decided elsewhere; for every other level the caller must be logged in and, except for Self,
// have finished a forced password change.
func (p *Principal) Allows(a Access) bool {
	switch a {
	case Public:
		return true
	case Sensor:
		return false
	}
	if p == nil || p.User == nil {
		return false
	}
	if a == Self {
		return true
	}
	if p.User.MustChangePassword {
		return false
	}
	need, ok := roleFor[a]
	return ok && p.User.Role >= need
}

// roleFor is the lowest role each role-based level admits; a level missing here admits nobody.
var roleFor = map[Access]model.Role{Observer: model.RoleObserver, Manager: model.RoleManager, Admin: model.RoleAdmin}

// IsAdmin reports whether the principal is an administrator (who sees every group).
func (p *Principal) IsAdmin() bool {
	return p != nil && p.User != nil && p.User.Role == model.RoleAdmin
}

// InGroup reports whether the principal may see data of the group: admins see all groups,
// everyone else the groups they are a member of.
func (p *Principal) InGroup(groupID int64) bool {
	return p.IsAdmin() || (p != nil && p.User != nil && slices.Contains(p.User.Groups, groupID))
}

// GroupScope returns the group ids a query must be limited to, or nil for "all groups" (admins).
func (p *Principal) GroupScope() []int64 {
	if p.IsAdmin() {
		return nil
	}
	if p == nil || p.User == nil || p.User.Groups == nil {
		return []int64{}
	}
	return p.User.Groups
}
