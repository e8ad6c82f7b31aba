package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"honeysens/app/auth"
	"honeysens/app/model"
)

const userColumns = `id, login, full_name, email, role, password_hash, must_change_password, first_admin, created_at, language, time_zone`

func scanUser(row interface{ Scan(...any) error }) (*model.User, error) {
	var u model.User
	var created int64
	err := row.Scan(&u.ID, &u.Login, &u.FullName, &u.Email, &u.Role, &u.PasswordHash,
		&u.MustChangePassword, &u.FirstAdmin, &created, &u.Language, &u.TimeZone)
	if err != nil {
		return nil, err
	}
	u.CreatedAt = fromMS(created)
	u.Groups = []int64{}
	return &u, nil
}

// CreateUser inserts u with its group memberships and sets u.ID.
func (s *Store) CreateUser(ctx context.Context, u *model.User) error {
	now := s.now()
	return s.write(ctx, func(tx *sql.Tx) error { return insertUser(ctx, tx, now, u) })
}

// AddUser creates the account u with its first password, for the API and the command line
// alike: u's fields and the password are checked together (every field error at once), the
// password is stored hashed, and the audit entry is written in the same transaction, so no
// account exists without it. by is the actor (user, IP) with the caller's description of the
// account (its detail, in the catalog's words).
func (s *Store) AddUser(ctx context.Context, u *model.User, password string, by model.AuditEntry) error {
	if err := u.ValidateWithPassword(password, true); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	by.Action, by.ObjectType, by.ObjectName = model.AuditUserCreated, "user", u.Login
	now := s.now()
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := insertUser(ctx, tx, now, u); err != nil {
			return err
		}
		by.ObjectID = &u.ID
		return insertAudit(ctx, tx, now, &by)
	})
}

func insertUser(ctx context.Context, tx *sql.Tx, now time.Time, u *model.User) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO users (login, full_name, email, role, password_hash,
		must_change_password, first_admin, created_at, password_changed_at) VALUES (?,?,?,?,?,?,?,?,?)`,
		u.Login, u.FullName, u.Email, u.Role, u.PasswordHash, u.MustChangePassword, u.FirstAdmin, ms(now), ms(now))
	if isUnique(err) {
		return &model.Error{Code: model.ErrConflict, Message: "A user with this login exists already.",
			Fields: map[string]string{"login": "This login is taken."}}
	}
	if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	u.ID, _ = res.LastInsertId()
	u.CreatedAt = fromMS(ms(now))
	return setUserGroups(ctx, tx, u.ID, u.Groups)
}

// setUserGroups replaces the user's memberships. An unknown group id is a field error.
func setUserGroups(ctx context.Context, tx *sql.Tx, userID int64, groups []int64) error {
	return userGroupsSQL.replace(ctx, tx, userID, groups, func(g int64) error {
		return &model.Error{Code: model.ErrInvalid, Message: "Unknown group.",
			Fields: map[string]string{"groups": fmt.Sprintf("Group %d does not exist.", g)}}
	})
}

// membershipSQL replaces one side of user_groups: a user's groups or a group's members.
type membershipSQL struct{ what, clear, add string }

var (
	userGroupsSQL = membershipSQL{"set user groups", `DELETE FROM user_groups WHERE user_id = ?`,
		`INSERT OR IGNORE INTO user_groups (user_id, group_id) VALUES (?, ?)`}
	groupMembersSQL = membershipSQL{"set group members", `DELETE FROM user_groups WHERE group_id = ?`,
		`INSERT OR IGNORE INTO user_groups (group_id, user_id) VALUES (?, ?)`}
)

// replace makes others the memberships of id; unknown is the error for an id in others that
// does not exist.
func (m membershipSQL) replace(ctx context.Context, tx *sql.Tx, id int64, others []int64, unknown func(int64) error) error {
	if _, err := tx.ExecContext(ctx, m.clear, id); err != nil {
		return fmt.Errorf("store: %s: %w", m.what, err)
	}
	for _, o := range others {
		_, err := tx.ExecContext(ctx, m.add, id, o)
		if isForeignKey(err) {
			return unknown(o)
		}
		if err != nil {
			return fmt.Errorf("store: %s: %w", m.what, err)
		}
	}
	return nil
}

// User returns one user with its groups.
func (s *Store) User(ctx context.Context, id int64) (*model.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	return s.withGroups(ctx, u, err)
}

// UserByLogin returns the user with that login (case-insensitive).
func (s *Store) UserByLogin(ctx context.Context, login string) (*model.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE login = ?`, login))
	return s.withGroups(ctx, u, err)
}

func (s *Store) withGroups(ctx context.Context, u *model.User, err error) (*model.User, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrNotFound, "No such user.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: get user: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT group_id FROM user_groups WHERE user_id = ? ORDER BY group_id`, u.ID)
	if err != nil {
		return nil, fmt.Errorf("store: get user groups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g int64
		if err := rows.Scan(&g); err != nil {
			return nil, err
		}
		u.Groups = append(u.Groups, g)
	}
	return u, rows.Err()
}

// Users lists every user ordered by login, each with its groups.
func (s *Store) Users(ctx context.Context) ([]*model.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY login`)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var list []*model.User
	byID := map[int64]*model.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list users: %w", err)
		}
		list = append(list, u)
		byID[u.ID] = u
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	err = s.eachPair(ctx, func(uid, gid int64) {
		if u := byID[uid]; u != nil {
			u.Groups = append(u.Groups, gid)
		}
	}, `SELECT user_id, group_id FROM user_groups ORDER BY group_id`)
	return list, err
}

// eachPair runs a two-integer-column query and calls fn for every row.
func (s *Store) eachPair(ctx context.Context, fn func(a, b int64), query string, args ...any) error {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", query, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		fn(a, b)
	}
	return rows.Err()
}

// UserCount returns how many users exist (zero only before the first start finished).
func (s *Store) UserCount(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// UpdateUser stores u's profile, role and groups; the password too when u.PasswordHash is set,
// which also ends the user's sessions and revokes their API tokens.
// The first admin and the last admin keep their admin role.
func (s *Store) UpdateUser(ctx context.Context, u *model.User) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		old, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, u.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return model.Errorf(model.ErrNotFound, "No such user.")
		}
		if err != nil {
			return fmt.Errorf("store: update user: %w", err)
		}
		if old.Role == model.RoleAdmin && u.Role != model.RoleAdmin {
			if err := keepAdmin(ctx, tx, old, false); err != nil {
				return err
			}
		}
		q := `UPDATE users SET login = ?, full_name = ?, email = ?, role = ?, must_change_password = ? WHERE id = ?`
		args := []any{u.Login, u.FullName, u.Email, u.Role, u.MustChangePassword, u.ID}
		if u.PasswordHash != "" {
			q = `UPDATE users SET login = ?, full_name = ?, email = ?, role = ?, must_change_password = ?,
				password_hash = ?, password_changed_at = ? WHERE id = ?`
			args = []any{u.Login, u.FullName, u.Email, u.Role, u.MustChangePassword, u.PasswordHash, ms(s.now()), u.ID}
		}
		_, err = tx.ExecContext(ctx, q, args...)
		if isUnique(err) {
			return &model.Error{Code: model.ErrConflict, Message: "A user with this login exists already.",
				Fields: map[string]string{"login": "This login is taken."}}
		}
		if err != nil {
			return fmt.Errorf("store: update user: %w", err)
		}
		if u.PasswordHash != "" {
			// A password set by an administrator (a reset after a compromise) logs the user out
			// everywhere: browser sessions and API tokens.
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
				return fmt.Errorf("store: end sessions: %w", err)
			}
			if _, err := deleteUserTokens(ctx, tx, u.ID); err != nil {
				return err
			}
		}
		return setUserGroups(ctx, tx, u.ID, u.Groups)
	})
}

// SetPreferences stores a user's own UI language and time zone.
func (s *Store) SetPreferences(ctx context.Context, userID int64, language, timeZone string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET language = ?, time_zone = ? WHERE id = ?`, language, timeZone, userID)
		if err != nil {
			return fmt.Errorf("store: set preferences: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ErrNotFound, "No such user.")
		}
		return nil
	})
}

// keepAdmin refuses to take the admin role from the first admin or from the last admin, by a
// change of role or by deleting the user. Each case is a whole sentence, so that it translates.
func keepAdmin(ctx context.Context, tx *sql.Tx, u *model.User, deleting bool) error {
	if u.FirstAdmin {
		if deleting {
			return model.Errorf(model.ErrConflict, "The first administrator (%s) cannot be deleted.", u.Login)
		}
		return model.Errorf(model.ErrConflict, "The first administrator (%s) cannot be demoted.", u.Login)
	}
	var admins int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = ?`, model.RoleAdmin).Scan(&admins); err != nil {
		return fmt.Errorf("store: count admins: %w", err)
	}
	if admins > 1 {
		return nil
	}
	if deleting {
		return model.Errorf(model.ErrConflict, "%s is the last administrator and cannot be deleted.", u.Login)
	}
	return model.Errorf(model.ErrConflict, "%s is the last administrator and cannot be demoted.", u.Login)
}

// PasswordChange is a user's new password and what else it ends.
type PasswordChange struct {
	Hash         string
	MustChange   bool
	KeepSession  string // token hash of the session that stays logged in; "" ends all
	RevokeTokens bool   // also revoke the user's API tokens
}

// ChangePassword replaces a user's password hash and ends every other session of the user, so
// a password change also locks out whoever may have known the old one; with RevokeTokens the
// API tokens go too. It returns how many tokens it revoked.
func (s *Store) ChangePassword(ctx context.Context, userID int64, ch PasswordChange) (int64, error) {
	var revoked int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = ?,
			password_changed_at = ? WHERE id = ?`, ch.Hash, ch.MustChange, ms(s.now()), userID)
		if err != nil {
			return fmt.Errorf("store: set password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ErrNotFound, "No such user.")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, ch.KeepSession); err != nil {
			return fmt.Errorf("store: end sessions: %w", err)
		}
		if ch.RevokeTokens {
			revoked, err = deleteUserTokens(ctx, tx, userID)
		}
		return err
	})
	return revoked, err
}

// SetPassword is ChangePassword without revoking the API tokens.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, mustChange bool, keepSession string) error {
	_, err := s.ChangePassword(ctx, userID, PasswordChange{Hash: hash, MustChange: mustChange, KeepSession: keepSession})
	return err
}

func deleteUserTokens(ctx context.Context, tx *sql.Tx, userID int64) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("store: revoke tokens: %w", err)
	}
	return res.RowsAffected()
}

// DeleteUser removes a user with its sessions, tokens and memberships.
func (s *Store) DeleteUser(ctx context.Context, id int64) (*model.User, error) {
	var old *model.User
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		old, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return model.Errorf(model.ErrNotFound, "No such user.")
		}
		if err != nil {
			return fmt.Errorf("store: delete user: %w", err)
		}
		if old.FirstAdmin || old.Role == model.RoleAdmin {
			if err := keepAdmin(ctx, tx, old, true); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
		return err
	})
	return old, err
}
