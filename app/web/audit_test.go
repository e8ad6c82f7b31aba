package web_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"honeysens/app/model"
)

// auditPage is GET /api/audit with the given query, decoded.
func auditPage(t *testing.T, c *client, query url.Values) []model.AuditEntry {
	t.Helper()
	res := c.do("GET", "/api/audit?"+query.Encode(), nil).mustStatus(t, 200)
	var page struct{ Items []model.AuditEntry }
	if err := json.Unmarshal([]byte(res.body), &page); err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func actionsOf(list []model.AuditEntry) string {
	var out []string
	for _, e := range list {
		out = append(out, e.Action)
	}
	return strings.Join(out, " ")
}

func TestAuditFilters(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	lab := h.createGroup(admin, "Lab")
	dmz := h.createGroup(admin, "DMZ")
	carolID := h.createUser(admin, "carol", 3, []int64{lab})
	carol := h.login("carol", "carol-password")
	carol.do("PATCH", fmt.Sprintf("/api/groups/%d", dmz), map[string]any{"name": "Perimeter"}).mustStatus(t, 200)
	admin.do("PATCH", fmt.Sprintf("/api/groups/%d", lab), map[string]any{"name": "Lab 2"}).mustStatus(t, 200)

	for _, tc := range []struct {
		query url.Values
		want  string
	}{
		{url.Values{"action": {"group_updated"}}, "group_updated group_updated"},
		{url.Values{"user": {"carol"}}, "group_updated login"},
		{url.Values{"user": {strconv.FormatInt(carolID, 10)}}, "group_updated login"},
		{url.Values{"user": {"carol"}, "action": {"group_updated"}}, "group_updated"},
		{url.Values{"object_type": {"user"}}, "login user_created login"},
		{url.Values{"object_type": {"group"}, "object_id": {strconv.FormatInt(lab, 10)}}, "group_updated group_created"},
		{url.Values{"from": {"2000-01-01T00:00:00Z"}, "to": {time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, "action": {"group_created"}},
			"group_created group_created"},
		{url.Values{"to": {"2000-01-01T00:00:00Z"}}, ""},
		{url.Values{"from": {time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}}, ""},
		{url.Values{"action": {"archive_run"}}, ""},
	} {
		if got := actionsOf(auditPage(t, admin, tc.query)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.query.Encode(), got, tc.want)
		}
	}

	// Paging keeps the filter: the cursor continues the filtered list.
	first := admin.do("GET", "/api/audit?action=group_created&limit=1", nil).mustStatus(t, 200).json()
	cur, _ := first["next_cursor"].(string)
	rest := auditPage(t, admin, url.Values{"action": {"group_created"}, "limit": {"1"}, "cursor": {cur}})
	if len(rest) != 1 || rest[0].ObjectName != "Lab" {
		t.Errorf("second page of group_created: %+v", rest)
	}

	for query, fields := range map[string][]string{
		"action=frobnicate":                                 {"action"},
		"object_type=planet":                                {"object_type"},
		"object_id=3":                                       {"object_id"},
		"object_type=group&object_id=x":                     {"object_id"},
		"from=yesterday&to=2026-01-01":                      {"from", "to"},
		"from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z": {"to"},
		"limit=501&cursor=-1":                               {"limit", "cursor"},
		"user=" + strings.Repeat("x", 65):                   {"user"},
	} {
		res := admin.do("GET", "/api/audit?"+query, nil)
		if res.status != 400 || res.code() != model.ErrInvalid {
			t.Errorf("%s: %d %s", query, res.status, res.body)
			continue
		}
		for _, f := range fields {
			if res.field(f) == "" {
				t.Errorf("%s: no message for %s: %s", query, f, res.body)
			}
		}
	}
}

func TestAuditRecordsWhatAnUpdateChanged(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	g := h.createGroup(admin, "Lab")
	admin.do("PATCH", fmt.Sprintf("/api/groups/%d", g), map[string]any{"name": "Lab 2"}).mustStatus(t, 200)
	carol := h.createUser(admin, "carol", 1, []int64{g})
	admin.do("PATCH", fmt.Sprintf("/api/users/%d", carol), map[string]any{"role": 2, "password": "new-password-1", "full_name": "carol"}).mustStatus(t, 200)
	rule := admin.do("POST", "/api/filters", map[string]any{"name": "Scanner", "group": g,
		"conditions": []map[string]any{{"attribute": "source", "value": "192.0.2.1"}}}).mustStatus(t, 201).json()
	admin.do("PATCH", "/api/filters/"+itoa(rule["id"].(float64)), map[string]any{"enabled": false}).mustStatus(t, 200)
	admin.do("PATCH", "/api/settings/archive", map[string]any{"keep_days": 60}).mustStatus(t, 200)
	admin.do("PATCH", "/api/settings/smtp", map[string]any{"host": "mail.example.org", "port": 465, "encryption": "tls",
		"from": "honeysens@example.org", "user": "mailer", "password": "pa55-word"}).mustStatus(t, 200)
	admin.do("PUT", "/api/templates/event", map[string]any{"body": "Event {{ID}}"}).mustStatus(t, 200)
	sn := h.createSensor(admin, "edge", g)
	admin.do("PATCH", fmt.Sprintf("/api/sensors/%d", sn.id), map[string]any{"name": "edge-2"}).mustStatus(t, 200)
	admin.do("PUT", fmt.Sprintf("/api/sensors/%d/services/recon", sn.id), map[string]any{"enabled": true,
		"config": map[string]any{"ports": []int{4444, 5555, 6666}}}).mustStatus(t, 200)
	admin.do("PUT", fmt.Sprintf("/api/sensors/%d/services/recon", sn.id), map[string]any{"enabled": false,
		"config": map[string]any{"ports": []int{4444, 5555, 7777}}}).mustStatus(t, 200)

	changes := map[string]model.Changes{}
	raw := admin.do("GET", "/api/audit", nil).mustStatus(t, 200)
	var page struct{ Items []model.AuditEntry }
	if err := json.Unmarshal([]byte(raw.body), &page); err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Items {
		if _, seen := changes[e.Action+" "+e.ObjectName]; e.Changes != nil && !seen { // the newest
			changes[e.Action+" "+e.ObjectName] = e.Changes
		}
	}
	want := map[string]string{
		"group_updated Lab 2":      `{"name":["Lab","Lab 2"]}`,
		"user_updated carol":       `{"password":["•••","•••"],"role":["Observer","Manager"]}`,
		"filter_updated Scanner":   `{"enabled":[true,false]}`,
		"settings_updated archive": `{"keep_days":[0,60]}`,
		"settings_updated smtp":    `{"from":["","honeysens@example.org"],"host":["","mail.example.org"],"password":["","•••"],"port":[587,465],"user":["","mailer"],"encryption":["starttls","tls"]}`,
		"template_updated event":   `{"custom_body":[null,"Event {{ID}}"]}`,
		"sensor_updated edge-2":    `{"name":["edge","edge-2"]}`,
		"service_updated edge-2":   `{"enabled":[true,false],"ports":[[4444,5555,6666],[4444,5555,7777]]}`,
	}
	for key, w := range want {
		var wc model.Changes
		if err := json.Unmarshal([]byte(w), &wc); err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(changes[key])
		exp, _ := json.Marshal(wc)
		if string(got) != string(exp) {
			t.Errorf("%s: changes %s, want %s", key, got, exp)
		}
	}
	if strings.Contains(raw.body, "pa55-word") || strings.Contains(raw.body, "new-password-1") {
		t.Error("the audit log holds a password")
	}
	// A change to nothing still says that someone saved, with no changes.
	admin.do("PATCH", fmt.Sprintf("/api/groups/%d", g), map[string]any{"name": "Lab 2"}).mustStatus(t, 200)
	if last := auditPage(t, admin, url.Values{"limit": {"1"}})[0]; last.Action != "group_updated" || len(last.Changes) != 0 {
		t.Errorf("unchanged save: %+v", last)
	}
}

// TestAuditActionsHaveLabels finds every action the appliance writes to the audit log (the
// calls of audit helpers in its Go code) and checks that the action filter accepts it and the
// UI has a readable name for it; labels of actions nobody writes are flagged too.
func TestAuditActionsHaveLabels(t *testing.T) {
	consts := auditConstants(t)
	written := map[string]string{} // action -> where
	objects := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			var name string
			method := false
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name, method = fn.Sel.Name, true
			}
			if name != "audit" && name != "auditChanges" && name != "auditNote" {
				return true
			}
			where := fset.Position(call.Pos()).String()
			if v, ok := auditString(t, call.Args[1], consts, where); ok {
				written[v] = where
			}
			// The server's helpers take the object type next; the command line's is always "user".
			if method && len(call.Args) > 2 {
				if v, ok := auditString(t, call.Args[2], consts, where); ok {
					objects[v] = where
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(written) < 20 {
		t.Fatalf("found only %d audit actions in the code: %v", len(written), written)
	}
	for _, v := range consts {
		written[v] = "app/model/audit.go"
	}
	labels := jsLabelKeys(t, "AUDIT_ACTIONS")
	for action, where := range written {
		if !slices.Contains(model.AuditActions, action) {
			t.Errorf("%s: action %q is missing in model.AuditActions", where, action)
		}
		if !labels[action] {
			t.Errorf("%s: action %q has no label in assets/js/audit_labels.js", where, action)
		}
	}
	for action := range labels {
		if _, ok := written[action]; !ok {
			t.Errorf("assets/js/audit_labels.js labels %q, which the appliance never writes", action)
		}
	}
	objectLabels := jsLabelKeys(t, "AUDIT_OBJECTS")
	objects["user"] = "app/cli.go"
	for o, where := range objects {
		if !slices.Contains(model.AuditObjectTypes, o) || !objectLabels[o] {
			t.Errorf("%s: object type %q is missing in model.AuditObjectTypes or its label", where, o)
		}
	}
}

// auditConstants reads the action constants of app/model/audit.go: name -> value.
func auditConstants(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../model/audit.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && strings.HasPrefix(n.Name, "Audit") {
					out[n.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
	}
	return out
}

// auditString is the value of an action or object type argument: a string literal or a
// model.Audit* constant. A plain identifier forwards a caller's value and is checked there.
func auditString(t *testing.T, e ast.Expr, consts map[string]string, where string) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		v, err := strconv.Unquote(x.Value)
		return v, err == nil
	case *ast.SelectorExpr:
		if v, ok := consts[x.Sel.Name]; ok {
			return v, true
		}
	case *ast.Ident:
		return "", false
	}
	t.Errorf("%s: pass the audit action as a model.Audit constant or a string literal", where)
	return "", false
}

// jsLabelKeys returns the keys of one exported object of assets/js/audit_labels.js.
func jsLabelKeys(t *testing.T, name string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("../../assets/js/audit_labels.js")
	if err != nil {
		t.Fatal(err)
	}
	body := regexp.MustCompile(`(?s)export const ` + name + ` = \{(.*?)\n\};`).FindSubmatch(b)
	if body == nil {
		t.Fatalf("no %s in audit_labels.js", name)
	}
	keys := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+([a-z_]+): '`).FindAllSubmatch(body[1], -1) {
		keys[string(m[1])] = true
	}
	return keys
}

// TestAuditDetailsAreCatalogTexts: a detail comes with its catalog key and arguments, for the
// Audit page to show in the reader's language, and with its English text, one or many alike.
func TestAuditDetailsAreCatalogTexts(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	lab := h.createGroup(admin, "Lab")
	sn := h.createSensor(admin, "lab-sensor", lab)
	now := time.Now().Unix()
	h.ingestEvents(sn, sshEvent("192.0.2.1", now), sshEvent("192.0.2.2", now), sshEvent("192.0.2.3", now)).mustStatus(t, 200)
	admin.do("PATCH", "/api/events", map[string]any{"ids": []int{1, 2}, "status": 2}).mustStatus(t, 200)
	admin.do("DELETE", "/api/events", map[string]any{"ids": []int{1}, "archive": true}).mustStatus(t, 200)
	admin.do("DELETE", fmt.Sprintf("/api/groups/%d", lab), map[string]any{"archive": true}).mustStatus(t, 200)

	byAction := map[string]model.AuditEntry{}
	for _, e := range auditPage(t, admin, url.Values{}) {
		byAction[e.Action] = e
	}
	for action, want := range map[string]struct{ key, text, args string }{
		model.AuditEventsUpdated: {"audit_detail.events_status", "2 events set to Resolved",
			`{"count":2,"status":{"key":"status.resolved"}}`},
		model.AuditEventsArchived: {"audit_detail.events_archived", "1 event moved to the archive", `{"count":1}`},
		model.AuditGroupDeleted: {"audit_detail.group_archived", "1 sensor removed, 2 events moved to the archive",
			`{"events":{"args":{"count":2},"key":"audit_detail.event_count"},"sensors":{"args":{"count":1},"key":"audit_detail.sensor_count"}}`},
	} {
		e := byAction[action]
		args, _ := json.Marshal(e.DetailArgs)
		if e.DetailKey != want.key || e.Detail != want.text || string(args) != want.args {
			t.Errorf("%s: key %q, text %q, args %s; want %q, %q, %s", action, e.DetailKey, e.Detail, args, want.key, want.text, want.args)
		}
	}
}

// TestAuditDetailKeysAreInTheCatalogs finds every audit_detail key in the server's code: each
// needs an English text (the catalog test keeps the other languages complete).
func TestAuditDetailKeysAreInTheCatalogs(t *testing.T) {
	b, err := os.ReadFile("../../assets/i18n/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var catalog map[string]any
	if err := json.Unmarshal(b, &catalog); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	found := 0
	for _, name := range slices.DeleteFunc(files, func(n string) bool { return strings.HasSuffix(n, "_test.go") }) {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"(audit_detail\.\w+)"`).FindAllSubmatch(src, -1) {
			found++
			if _, ok := catalog[string(m[1])]; !ok {
				t.Errorf("%s: %s has no text in assets/i18n/en.json", name, m[1])
			}
		}
	}
	if found < 20 {
		t.Errorf("found only %d audit detail keys in the code", found)
	}
}
