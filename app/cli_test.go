package app

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"honeysens/app/auth"
	"honeysens/app/model"
	"honeysens/app/store"
)

func testResources(t *testing.T) Resources {
	t.Helper()
	schema, err := os.ReadFile("../schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	return Resources{Schema: string(schema), Assets: os.DirFS("../assets"), Version: "1.2.3"}
}

// run calls Main like the shell would and returns exit code, stdout and stderr.
func run(t *testing.T, res Resources, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, res, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestVersionAndUsage(t *testing.T) {
	res := testResources(t)
	if code, out, _ := run(t, res, "version"); code != 0 || out != "honeysens 1.2.3\n" {
		t.Errorf("version: %d %q", code, out)
	}
	if code, _, errOut := run(t, res, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	if code, _, _ := run(t, res, "serve", "--listen", "nonsense"); code != 1 {
		t.Errorf("bad listen address accepted")
	}
}

func TestUserAndTokenCommands(t *testing.T) {
	res := testResources(t)
	dir := t.TempDir()
	code, out, errOut := run(t, res, "user", "create", "--data", dir, "--login", "ops", "--role", "manager", "--email", "ops@example.org")
	if code != 0 || !strings.Contains(out, "First password: ") {
		t.Fatalf("user create: %d %q %q", code, out, errOut)
	}
	password := strings.Fields(strings.SplitN(out, "First password: ", 2)[1])[0]

	st, err := openStore(dir, res, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.UserByLogin(context.Background(), "ops")
	if err != nil || u.Role != 2 || !u.MustChangePassword || len(u.Groups) != 1 {
		t.Fatalf("created user: %+v %v", u, err)
	}
	entries, err := st.SearchAudit(context.Background(), store.AuditFilter{Action: model.AuditUserCreated, Limit: 10})
	st.Close()
	if err != nil || len(entries) != 1 || entries[0].User != "(command line)" || *entries[0].ObjectID != u.ID ||
		entries[0].Detail != "Created on the command line, role Manager" || entries[0].DetailKey != "audit_detail.cli_user_created" {
		t.Fatalf("audit entries of the create: %+v %v", entries, err)
	}
	if ok, _ := auth.CheckPassword(u.PasswordHash, password); !ok {
		t.Error("printed password does not match the stored hash")
	}

	if code, _, errOut := run(t, res, "user", "create", "--data", dir, "--login", "ops"); code != 1 || !strings.Contains(errOut, "conflict") {
		t.Errorf("duplicate user: %d %q", code, errOut)
	}
	code, out, _ = run(t, res, "user", "reset-password", "--data", dir, "ops")
	if code != 0 || !strings.Contains(out, "New password for ops: ") {
		t.Fatalf("reset-password: %d %q", code, out)
	}
	code, out, _ = run(t, res, "token", "create", "--data", dir, "--user", "ops")
	if code != 0 || !strings.HasPrefix(out, "hs_") {
		t.Fatalf("token create: %d %q", code, out)
	}
	st, _ = openStore(dir, res, io.Discard)
	defer st.Close()
	tok, err := st.TokenByHash(context.Background(), auth.HashSecret(strings.TrimSpace(out)))
	if err != nil || tok.UserID != u.ID {
		t.Errorf("token: %+v %v", tok, err)
	}
	if code, _, _ := run(t, res, "token", "create", "--data", dir, "--user", "ghost"); code != 1 {
		t.Error("token for an unknown user was created")
	}
}

func TestFlagsHaveEnvAliases(t *testing.T) {
	res := testResources(t)
	dir := t.TempDir()
	t.Setenv("HONEYSENS_DATA", dir)
	t.Setenv("HONEYSENS_LOGIN", "fromenv")
	if code, _, errOut := run(t, res, "user", "create"); code != 0 {
		t.Fatalf("user create from env: %q", errOut)
	}
	st, _ := openStore(dir, res, io.Discard)
	defer st.Close()
	if _, err := st.UserByLogin(context.Background(), "fromenv"); err != nil {
		t.Error(err)
	}
}

func TestFirstStartCreatesAdminOnce(t *testing.T) {
	res := testResources(t)
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"), res.Schema)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	first, err := bootstrap(context.Background(), st, "")
	if err != nil || first == nil || !first.Generated || first.Password == "" {
		t.Fatalf("first start: %+v %v", first, err)
	}
	admin, err := st.UserByLogin(context.Background(), "admin")
	if err != nil || !admin.MustChangePassword || !admin.FirstAdmin || admin.Role != 3 || len(admin.Groups) != 1 {
		t.Fatalf("admin: %+v %v", admin, err)
	}
	again, err := bootstrap(context.Background(), st, "")
	if err != nil || again != nil {
		t.Errorf("second start bootstrapped again: %+v %v", again, err)
	}
	// A password given by the operator needs no change.
	st2, _ := store.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"), res.Schema)
	defer st2.Close()
	if _, err := bootstrap(context.Background(), st2, "short"); err == nil {
		t.Error("a too short HONEYSENS_ADMIN_PASSWORD was accepted")
	}
	if _, err := bootstrap(context.Background(), st2, "operator-chosen"); err != nil {
		t.Fatal(err)
	}
	a2, _ := st2.UserByLogin(context.Background(), "admin")
	if a2.MustChangePassword {
		t.Error("operator-chosen admin password must not be forced to change")
	}
}
