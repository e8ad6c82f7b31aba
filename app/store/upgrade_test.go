package store

// Upgrades keep data: testdata/schema-v<N>.db is a database written by the release whose
// schema.sql had version N, through this package's own API (users, groups, a sensor, live and
// archived events, a filter rule with hits, a token, settings, audit lines), stopped cleanly as
// the appliance leaves it (WAL checkpointed into the one file).
//
// Every future schema change (schema.sql's PRAGMA user_version goes up) must add its upgrade step
// to app/store/migrate.go; TestUpgradeFixtures then proves on the committed fixtures of the
// earlier releases that Open upgrades them and keeps every row, and that the queries of the
// new release work on the result. Never regenerate or edit an existing fixture: it stands for
// databases in the field. A release that changes the schema adds the fixture of its own version:
//
//	HONEYSENS_WRITE_FIXTURE=1 go test ./app/store -run TestWriteUpgradeFixture
//
// (writes testdata/schema-v<current>.db unless it exists). The expectations below describe what
// the writer stored; keep them valid for the old fixtures when the model changes.
//
// Like every store test this reads only files in app/store and ../../schema.sql, so the test
// binary also runs under qemu from app/store.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/netip"
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

// fixtureTime is the clock of the fixture writer; every stored time derives from it.
var fixtureTime = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// fixtureEvents are the live events the writer stores, oldest first; the one at
// fixtureArchived is then moved to the archive, and fixtureDropped counts the filter hits.
var fixtureEvents = []struct {
	offset  time.Duration
	service string
	class   model.Classification
	source  string
	port    int
	summary string
}{
	{0, "ssh", model.ClassHoneypot, "198.51.100.7", 22, "Login attempt root/123456"},
	{10 * time.Minute, "telnet", model.ClassHoneypot, "203.0.113.9", 23, "Login attempt admin/admin"},
	{20 * time.Minute, "recon", model.ClassScan, "2001:db8::77", 3306, "Port scan"},
	{30 * time.Minute, "http", model.ClassConnAttempt, "198.51.100.8", 80, "GET /wp-login.php"},
	{40 * time.Minute, "ftp", model.ClassHoneypot, "203.0.113.10", 21, "Login attempt anonymous"},
}

const (
	fixtureArchived = 1 // index into fixtureEvents
	fixtureDropped  = 2 // filter rule hits
	fixtureComment  = "checked by the fixture writer"
)

// TestWriteUpgradeFixture writes the fixture of the current schema version when asked to.
func TestWriteUpgradeFixture(t *testing.T) {
	if os.Getenv("HONEYSENS_WRITE_FIXTURE") == "" {
		t.Skip("set HONEYSENS_WRITE_FIXTURE=1 to write testdata/schema-v<current>.db")
	}
	version, err := SchemaVersion(repoSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join("testdata", fmt.Sprintf("schema-v%d.db", version))
	if _, err := os.Stat(dst); err == nil {
		t.Fatalf("%s exists; a fixture stands for a released database and is never rewritten", dst)
	}
	ctx := context.Background()
	path := tempDBPath(t)
	s, err := Open(ctx, path, repoSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return fixtureTime }
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	admin := &model.User{Login: "fixture-admin", FullName: "Fixture Admin", Email: "admin@example.org",
		Role: model.RoleAdmin, PasswordHash: "hash-of-fixture-admin", FirstAdmin: true}
	must("CreateUser admin", s.CreateUser(ctx, admin))
	g := &model.Group{Name: "Fixture group"}
	must("CreateGroup", s.CreateGroup(ctx, g))
	manager := &model.User{Login: "fixture-manager", FullName: "Fixture Manager", Email: "manager@example.org",
		Role: model.RoleManager, PasswordHash: "hash-of-fixture-manager", MustChangePassword: true, Groups: []int64{g.ID}}
	must("CreateUser manager", s.CreateUser(ctx, manager))
	sn := &model.Sensor{Name: "fixture-sensor", Location: "Server room", GroupID: g.ID, UpdateInterval: 60,
		Secret: "fixture-secret"}
	must("CreateSensor", s.CreateSensor(ctx, sn))
	rule := &model.FilterRule{GroupID: g.ID, Name: "Ignore the scanner", Description: "Our own vulnerability scanner",
		Enabled: true, Conditions: []model.FilterCondition{
			{Attribute: model.AttrSource, Value: "192.0.2.0/24"},
			{Attribute: model.AttrTargetPort, Value: "1-1024"},
		}}
	must("CreateFilterRule", s.CreateFilterRule(ctx, rule))

	var events []*model.Event
	for i, fe := range fixtureEvents {
		e := &model.Event{Timestamp: fixtureTime.Add(fe.offset), SensorID: sn.ID, GroupID: g.ID, Service: fe.service,
			Classification: fe.class, Source: netip.MustParseAddr(fe.source), SourcePort: 40000 + i,
			Target: netip.MustParseAddr("192.0.2.200"), TargetPort: fe.port, Protocol: model.ProtoTCP, Summary: fe.summary}
		if i == 0 {
			e.Details = []model.Detail{{Type: model.DetailGeneric, Data: "SSH-2.0-libssh_0.9.6"}}
			e.Packets = []model.Packet{{Timestamp: e.Timestamp, Protocol: model.ProtoTCP, Port: 22, Flags: 2,
				Payload: []byte("SSH-2.0-libssh_0.9.6\r\n")}}
		}
		events = append(events, e)
	}
	must("CommitBatch", s.CommitBatch(ctx, events, map[int64]int64{rule.ID: fixtureDropped},
		[]BatchID{{Sensor: sn.ID, ID: "fixture-batch-1"}}))
	status, comment := model.StatusInProgress, fixtureComment
	_, err = s.UpdateEvents(ctx, &EventFilter{IDs: []int64{events[0].ID}}, EventChange{Status: &status, Comment: &comment})
	must("UpdateEvents", err)
	_, err = s.ArchiveEvents(ctx, &EventFilter{IDs: []int64{events[fixtureArchived].ID}})
	must("ArchiveEvents", err)
	must("CreateToken", s.CreateToken(ctx, &model.APIToken{UserID: admin.ID, Name: "fixture-token"}, "fixture-token-hash"))
	must("SetSettings", s.SetSettings(ctx, "fixture", map[string]any{"kept": true}))
	must("AddAudit", s.AddAudit(ctx, &model.AuditEntry{Time: fixtureTime, UserID: &admin.ID, User: admin.Login,
		IP: "192.0.2.1", Action: "create", ObjectType: "filter", ObjectID: &rule.ID, ObjectName: rule.Name}))
	must("Close", s.Close())

	must("mkdir testdata", os.MkdirAll("testdata", 0o755))
	copyFile(t, path, dst)
	t.Logf("wrote %s", dst)
}

// TestUpgradeFixtures opens a copy of every committed fixture with the current schema and checks
// that it was brought to the current version with all its data, and that the queries work.
func TestUpgradeFixtures(t *testing.T) {
	want, err := SchemaVersion(repoSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	names, err := filepath.Glob(filepath.Join("testdata", "schema-v*.db"))
	if err != nil {
		t.Fatal(err)
	}
	versions := map[int]string{}
	for _, name := range names {
		m := regexp.MustCompile(`schema-v(\d+)\.db$`).FindStringSubmatch(name)
		if m == nil {
			t.Fatalf("%s: want testdata/schema-v<N>.db", name)
		}
		v, _ := strconv.Atoi(m[1])
		versions[v] = name
	}
	if versions[1] == "" {
		t.Fatal("testdata/schema-v1.db (the first release's database) is missing")
	}
	fresh := schemaShape(t, openStoreAt(t, tempDBPath(t)))
	for v, name := range versions {
		if v > want {
			t.Errorf("%s is newer than schema.sql (version %d)", name, want)
			continue
		}
		t.Run(filepath.Base(name), func(t *testing.T) {
			if got := fileSchemaVersion(t, name); got != v {
				t.Fatalf("%s has user_version %d, its name says %d", name, got, v)
			}
			path := tempDBPath(t)
			copyFile(t, name, path)
			s := openStoreAt(t, path) // fails the test if the upgrade fails
			checkFixture(t, s, want)
			if got := schemaShape(t, s); !slices.Equal(got, fresh) {
				t.Errorf("the upgraded schema differs from a fresh one:\n%s\nwant:\n%s",
					strings.Join(got, "\n"), strings.Join(fresh, "\n"))
			}
		})
	}
}

// TestUpgradeFixtureRehearsal plays the next schema change on the newest fixture: schema.sql
// one version up and an upgrade step that adds a column. Open must run the step, stamp the new
// version and keep every row, which is what a real step in migrate.go will have to do.
func TestUpgradeFixtureRehearsal(t *testing.T) {
	schema := repoSchema(t)
	cur, err := SchemaVersion(schema)
	if err != nil {
		t.Fatal(err)
	}
	next := cur + 1
	schema = versionPattern.ReplaceAllString(schema, fmt.Sprintf("PRAGMA user_version = %d;", next))
	saved := upgrades
	upgrades = append(slices.Clone(upgrades), upgrade{to: next,
		sql: `ALTER TABLE sensors ADD COLUMN rehearsal TEXT NOT NULL DEFAULT 'upgraded';`})
	t.Cleanup(func() { upgrades = saved })

	path := tempDBPath(t)
	copyFile(t, filepath.Join("testdata", fmt.Sprintf("schema-v%d.db", cur)), path)
	s, err := Open(context.Background(), path, schema)
	if err != nil {
		t.Fatalf("Open with an upgrade step to version %d: %v", next, err)
	}
	t.Cleanup(func() { s.Close() })
	checkFixture(t, s, next)
	var v string
	if err := s.r.QueryRow(`SELECT rehearsal FROM sensors WHERE name = 'fixture-sensor'`).Scan(&v); err != nil || v != "upgraded" {
		t.Errorf("the upgrade step's column: %q, %v", v, err)
	}
}

// schemaShape lists the database's tables with their columns, its indexes with their columns,
// collations and flags, and the text of its triggers and virtual tables (blanks and IF NOT
// EXISTS aside), independent of how the schema text was written (an upgrade step's ALTER TABLE
// leaves other text than schema.sql's CREATE TABLE), so that an upgraded database can be
// compared with a fresh one.
func schemaShape(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	rows, err := s.r.Query(`SELECT m.type, m.name, m.tbl_name, coalesce(group_concat(c.line, '; '), ''),
			iif(m.type = 'trigger' OR m.sql LIKE 'CREATE VIRTUAL%', m.sql, '')
		FROM sqlite_schema m LEFT JOIN (
			SELECT m2.name AS owner, t.name || ' ' || t.type || ' notnull=' || t."notnull" || ' default=' ||
				coalesce(t.dflt_value, 'NULL') || ' pk=' || t.pk AS line
			FROM sqlite_schema m2, pragma_table_info(m2.name) t WHERE m2.type = 'table'
			UNION ALL
			SELECT m2.name, format('%d:%s %s %s', x.seqno, x.name, iif(x.desc, 'desc', 'asc'), x.coll)
			FROM sqlite_schema m2, pragma_index_xinfo(m2.name) x WHERE m2.type = 'index' AND x.key
			UNION ALL
			SELECT m2.name, format('~unique=%d partial=%d', l."unique", l.partial)
			FROM sqlite_schema m2, pragma_index_list(m2.tbl_name) l WHERE m2.type = 'index' AND l.name = m2.name
			ORDER BY 1, 2) c ON c.owner = m.name
		WHERE m.name NOT LIKE 'sqlite_%'
		GROUP BY m.type, m.name ORDER BY m.type, m.name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	blanks := regexp.MustCompile(`\s+`)
	for rows.Next() {
		var typ, name, table, cols, text string
		if err := rows.Scan(&typ, &name, &table, &cols, &text); err != nil {
			t.Fatal(err)
		}
		text = strings.Replace(blanks.ReplaceAllString(text, " "), " IF NOT EXISTS ", " ", 1)
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s on %s: %s %s", typ, name, table, cols, text)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkFixture checks what TestWriteUpgradeFixture stored, read back through the current API.
func checkFixture(t *testing.T, s *Store, wantVersion int) {
	ctx := context.Background()
	if got := pragma(t, s.w, "user_version"); got != strconv.Itoa(wantVersion) {
		t.Errorf("user_version after Open = %s, want %d", got, wantVersion)
	}
	if got := pragma(t, s.w, "integrity_check"); got != "ok" {
		t.Errorf("integrity_check = %s", got)
	}
	if n := countRows(t, s, "pragma_foreign_key_check", ""); n != 0 {
		t.Errorf("foreign_key_check: %d violations", n)
	}

	// Users and groups.
	admin, err := s.UserByLogin(ctx, "fixture-admin")
	if err != nil {
		t.Fatalf("UserByLogin(fixture-admin): %v", err)
	}
	if admin.Role != model.RoleAdmin || !admin.FirstAdmin || admin.Email != "admin@example.org" ||
		admin.PasswordHash != "hash-of-fixture-admin" || !admin.CreatedAt.Equal(fixtureTime) {
		t.Errorf("admin = %+v", admin)
	}
	manager, err := s.UserByLogin(ctx, "fixture-manager")
	if err != nil {
		t.Fatalf("UserByLogin(fixture-manager): %v", err)
	}
	groups, err := s.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].Name != "Fixture group" || !slices.Equal(groups[0].Members, []int64{manager.ID}) {
		t.Fatalf("groups = %+v, want Fixture group with the manager", groups)
	}
	g := groups[0]
	if manager.Role != model.RoleManager || !manager.MustChangePassword || !slices.Equal(manager.Groups, []int64{g.ID}) {
		t.Errorf("manager = %+v", manager)
	}
	if users, err := s.Users(ctx); err != nil || len(users) != 2 {
		t.Errorf("Users = %d users, %v; want 2", len(users), err)
	}

	// The sensor, its secret (sensors keep authenticating) and its delivered batch.
	sensors, err := s.Sensors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sensors) != 1 || sensors[0].Name != "fixture-sensor" || sensors[0].GroupID != g.ID {
		t.Fatalf("sensors = %+v", sensors)
	}
	sn, err := s.Sensor(ctx, sensors[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if sn.Secret != "fixture-secret" || sn.Location != "Server room" || sn.UpdateInterval != 60 {
		t.Errorf("sensor = %+v", sn)
	}
	if ok, err := s.BatchDelivered(ctx, BatchID{Sensor: sn.ID, ID: "fixture-batch-1"}); err != nil || !ok {
		t.Errorf("BatchDelivered = %v, %v; want true (a resent batch stays a duplicate)", ok, err)
	}

	// The filter rule with its conditions and hits.
	rules, err := s.FilterRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 || rules[0].Name != "Ignore the scanner" || !rules[0].Enabled || rules[0].GroupID != g.ID ||
		rules[0].Hits != fixtureDropped || len(rules[0].Conditions) != 2 ||
		rules[0].Conditions[0] != (model.FilterCondition{Attribute: model.AttrSource, Value: "192.0.2.0/24"}) {
		t.Errorf("filter rules = %+v", rules)
	}

	// Live events through the list API: newest first, and with the filters the UI sends.
	var live []string
	for i, fe := range fixtureEvents {
		if i != fixtureArchived {
			live = append(live, fe.summary)
		}
	}
	slices.Reverse(live)
	list := func(f *EventFilter, sortKey string) []*model.Event {
		t.Helper()
		items, _, err := s.ListEvents(ctx, f, EventPage{Sort: sortKey, Desc: true, Limit: 50})
		if err != nil {
			t.Fatalf("ListEvents(%+v, %s): %v", f, sortKey, err)
		}
		return items
	}
	summaries := func(items []*model.Event) []string {
		var out []string
		for _, e := range items {
			out = append(out, e.Summary)
		}
		return out
	}
	items := list(&EventFilter{}, "timestamp")
	if got := summaries(items); !slices.Equal(got, live) {
		t.Errorf("live events by time = %q, want %q", got, live)
	}
	for _, e := range items {
		if e.SensorName != "fixture-sensor" || e.GroupName != "Fixture group" || e.Archived {
			t.Errorf("event %d: sensor %q group %q archived %v", e.ID, e.SensorName, e.GroupName, e.Archived)
		}
	}
	if n, err := s.CountEvents(ctx, &EventFilter{}); err != nil || n != int64(len(live)) {
		t.Errorf("CountEvents(live) = %d, %v; want %d", n, err, len(live))
	}
	for _, sortKey := range slices.Sorted(maps.Keys(SortKeys)) {
		if got := list(&EventFilter{}, sortKey); len(got) != len(live) {
			t.Errorf("sort %s: %d events, want %d", sortKey, len(got), len(live))
		}
	}
	filtered := []struct {
		name string
		f    *EventFilter
		want []string
	}{
		{"status", &EventFilter{Status: []model.Status{model.StatusInProgress}}, []string{fixtureEvents[0].summary}},
		{"classification", &EventFilter{Classification: []model.Classification{model.ClassScan}}, []string{"Port scan"}},
		{"group", &EventFilter{Groups: []int64{g.ID}}, live},
		{"no group", &EventFilter{Groups: []int64{}}, nil},
		{"sensor", &EventFilter{SensorID: sn.ID}, live},
		{"search", &EventFilter{Query: "Login attempt"}, []string{fixtureEvents[4].summary, fixtureEvents[0].summary}},
		{"search comment", &EventFilter{Query: "fixture writer"}, []string{fixtureEvents[0].summary}},
	}
	for _, tc := range filtered {
		if got := summaries(list(tc.f, "timestamp")); !slices.Equal(got, tc.want) {
			t.Errorf("filter %s: %q, want %q", tc.name, got, tc.want)
		}
	}

	// One event in full, with its triage, details and packets.
	first := items[len(items)-1]
	e, err := s.Event(ctx, first.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != model.StatusInProgress || e.Comment != fixtureComment || e.Source != netip.MustParseAddr("198.51.100.7") ||
		e.TargetPort != 22 || e.Protocol != model.ProtoTCP || !e.Timestamp.Equal(fixtureTime) ||
		len(e.Details) != 1 || e.Details[0].Data != "SSH-2.0-libssh_0.9.6" ||
		len(e.Packets) != 1 || string(e.Packets[0].Payload) != "SSH-2.0-libssh_0.9.6\r\n" {
		t.Errorf("event %d = %+v", first.ID, e)
	}

	// The archived event.
	arch := list(&EventFilter{Archive: true}, "timestamp")
	if got := summaries(arch); !slices.Equal(got, []string{fixtureEvents[fixtureArchived].summary}) {
		t.Fatalf("archived events = %q", got)
	}
	a, err := s.Event(ctx, arch[0].ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Archived || a.ArchivedAt == nil || a.OriginalID == 0 || a.SensorName != "fixture-sensor" || a.GroupName != "Fixture group" {
		t.Errorf("archived event = %+v", a)
	}
	if n, err := s.CountEvents(ctx, &EventFilter{Archive: true}); err != nil || n != 1 {
		t.Errorf("CountEvents(archive) = %d, %v; want 1", n, err)
	}

	// Token, settings and audit log.
	if toks, err := s.Tokens(ctx, admin.ID); err != nil || len(toks) != 1 || toks[0].Name != "fixture-token" {
		t.Errorf("Tokens = %+v, %v", toks, err)
	}
	if tok, err := s.TokenByHash(ctx, "fixture-token-hash"); err != nil || tok.UserID != admin.ID {
		t.Errorf("TokenByHash = %+v, %v", tok, err)
	}
	var set map[string]any
	if err := s.Settings(ctx, "fixture", &set); err != nil || set["kept"] != true {
		t.Errorf("Settings(fixture) = %v, %v", set, err)
	}
	if audit, err := s.Audit(ctx, 0, 10); err != nil || len(audit) != 1 || audit[0].ObjectName != "Ignore the scanner" {
		t.Errorf("Audit = %+v, %v", audit, err)
	}

	// The upgraded database takes new data: ingest continues after the ids it had.
	next := &model.Event{Timestamp: fixtureTime.Add(time.Hour), SensorID: sn.ID, GroupID: g.ID, Service: "ssh",
		Classification: model.ClassHoneypot, Source: netip.MustParseAddr("198.51.100.99"), TargetPort: 22,
		Protocol: model.ProtoTCP, Summary: "after the upgrade"}
	if err := s.InsertEvents(ctx, []*model.Event{next}); err != nil {
		t.Fatalf("InsertEvents after the upgrade: %v", err)
	}
	if next.ID <= items[0].ID {
		t.Errorf("new event id %d, want more than %d", next.ID, items[0].ID)
	}
	if got := list(&EventFilter{}, "timestamp"); len(got) != len(live)+1 || got[0].Summary != "after the upgrade" {
		t.Errorf("after an insert: %q", summaries(got))
	}
	if n, err := s.CountEvents(ctx, &EventFilter{}); err != nil || n != int64(len(live)+1) {
		t.Errorf("CountEvents after an insert = %d, %v; want %d", n, err, len(live)+1)
	}

	// The search index answers on the upgraded database as a row by row test does.
	for _, q := range []string{"Login attempt", "wp-login", "after the upgrade", "no such text"} {
		viaIndex, err1 := s.CountEvents(ctx, &EventFilter{Query: q})
		viaRows, err2 := countScanned(ctx, s, &EventFilter{Query: q})
		if err1 != nil || err2 != nil || viaIndex != viaRows {
			t.Errorf("search %q: %d through the index, %d row by row (%v, %v)", q, viaIndex, viaRows, err1, err2)
		}
	}
	if n, _ := s.CountEvents(ctx, &EventFilter{Query: "Login attempt"}); n == 0 {
		t.Error("the search index finds none of the fixture's logins")
	}

	// Notifications: status changes recorded before them count as notified, and the group
	// takes contacts.
	if notices, err := s.UnmailedStatusChanges(ctx); err != nil || len(notices) != 0 {
		t.Errorf("UnmailedStatusChanges after the upgrade = %+v, %v; want none", notices, err)
	}
	g.Contacts = []model.Contact{{Email: "soc@example.org", CriticalEvents: true}}
	if err := s.UpdateGroup(ctx, g); err != nil {
		t.Fatalf("UpdateGroup with a contact: %v", err)
	}
	if r, err := s.Recipients(ctx); err != nil || len(r) != 1 || r[0].Email != "soc@example.org" || r[0].GroupID != g.ID {
		t.Errorf("Recipients = %+v, %v", r, err)
	}
}

// fileSchemaVersion reads user_version from a database file's header (4 bytes, big-endian, at
// offset 60) without opening it as a database, so that nothing is written beside it.
func fileSchemaVersion(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 100 || string(b[:16]) != "SQLite format 3\x00" {
		t.Fatalf("%s is not a SQLite database", path)
	}
	return int(binary.BigEndian.Uint32(b[60:64]))
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		t.Fatal(err)
	}
	if err := errors.Join(out.Sync(), out.Close()); err != nil {
		t.Fatal(err)
	}
}
