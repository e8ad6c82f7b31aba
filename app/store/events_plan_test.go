package store

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"honeysens/app/model"
)

// TestEventPlans records, for each shape of filter, how the list plans its page and total and
// the SQL it runs, in testdata/events_plan.golden: a change to the planner shows as a diff of
// that file. HONEYSENS_WRITE_GOLDEN=1 writes the file instead of comparing.
func TestEventPlans(t *testing.T) {
	ctx := context.Background()
	s := planFixture(t)
	from, to := eventBase.Add(10*time.Hour), eventBase.Add(12*time.Hour)
	changed := testNow.Add(time.Hour)
	prefix := netip.MustParsePrefix("10.0.3.0/24")
	def := []model.Status{model.StatusNew, model.StatusInProgress}
	newest := EventPage{Sort: "timestamp", Desc: true, Limit: 50}
	type shape struct {
		name string
		f    EventFilter
		p    EventPage
	}
	shapes := []shape{
		{"no filter", EventFilter{}, newest},
		{"status: one", EventFilter{Status: []model.Status{model.StatusResolved}}, newest},
		{"status: new and in progress (the default view)", EventFilter{Status: def}, newest},
		{"classification: rare", EventFilter{Classification: []model.Classification{model.ClassScan}}, newest},
		{"classification: common", EventFilter{Classification: []model.Classification{model.ClassUnknown}}, newest},
		{"classification: rare, by summary", EventFilter{Classification: []model.Classification{model.ClassScan}},
			EventPage{Sort: "summary", Limit: 50}},
		{"status: one, by summary", EventFilter{Status: []model.Status{model.StatusIgnored}}, EventPage{Sort: "summary", Limit: 50}},
		{"group", EventFilter{Groups: []int64{1}}, newest},
		{"no group (a user without groups)", EventFilter{Groups: []int64{}}, newest},
		{"sensor", EventFilter{SensorID: 3}, newest},
		{"status and group", EventFilter{Status: def, Groups: []int64{2}}, newest},
		{"time range", EventFilter{From: &from, To: &to}, newest},
		{"source prefix", EventFilter{Source: &prefix}, newest},
		{"service", EventFilter{Service: "http"}, newest},
		{"target port", EventFilter{TargetPort: 22}, newest},
		{"fact: user name", EventFilter{Fact: &Fact{Kind: "username", Value: "admin"}}, newest},
		{"fact: path, with status", EventFilter{Status: def, Fact: &Fact{Kind: "path", Value: "/wp-login.php"}}, newest},
		{"changed before", EventFilter{ChangedBefore: &changed}, newest},
		{"ids", EventFilter{IDs: []int64{500, 501, 502}}, newest},
		{"search: an address", EventFilter{Query: "10.0.1.2"}, newest},
		{"search: the start of an address", EventFilter{Query: "10.0.1."}, newest},
		{"search: a short start of an address", EventFilter{Query: "19"}, newest},
		{"search: a short start of an address, by source", EventFilter{Query: "19"}, EventPage{Sort: "source", Limit: 50}},
		{"search: a short start of an address, by summary", EventFilter{Query: "19"}, EventPage{Sort: "summary", Limit: 50}},
		{"search: a short start of every address", EventFilter{Query: "10"}, newest},
		{"search: common text", EventFilter{Query: "login"}, newest},
		{"search: common text, with status and group", EventFilter{Query: "login", Status: def, Groups: []int64{1}}, newest},
		{"search: text only in other groups", EventFilter{Query: "login", Groups: []int64{2}}, newest},
		{"search: uncommon text", EventFilter{Query: "admin"}, newest},
		{"search: rare text", EventFilter{Query: "oracle"}, newest},
		{"search: rare text, with a group", EventFilter{Query: "oracle", Groups: []int64{1}}, newest},
		{"search: rare text, in a time range", EventFilter{Query: "oracle", From: &from, To: &to}, newest},
		{"search: short text", EventFilter{Query: "ab"}, newest},
		{"search: no match", EventFilter{Query: "no such text"}, newest},
		{"search: few candidates", EventFilter{Query: "login", IDs: []int64{500, 501, 502}}, newest},
		{"archive: no filter", EventFilter{Archive: true}, newest},
		{"archive: status", EventFilter{Archive: true, Status: def}, newest},
		{"archive: search", EventFilter{Archive: true, Query: "login"}, newest},
		{"archive: fact", EventFilter{Archive: true, Fact: &Fact{Kind: "username", Value: "admin"}}, newest},
		{"archive: changed before", EventFilter{Archive: true, ChangedBefore: &changed}, newest},
	}
	for _, key := range []string{"id", "timestamp", "group", "sensor", "classification", "source", "target_port", "summary", "status"} {
		for _, desc := range []bool{false, true} {
			shapes = append(shapes, shape{fmt.Sprintf("sort: %s, desc %v (the default view)", key, desc), EventFilter{Status: def},
				EventPage{Sort: key, Desc: desc, Limit: 50}})
		}
	}
	for _, key := range []string{"timestamp", "source"} {
		f := EventFilter{Status: def}
		p := EventPage{Sort: key, Desc: true, Limit: 50}
		_, next, err := s.ListEvents(ctx, &f, p)
		if err != nil || next == "" {
			t.Fatalf("first page by %s: next %q, %v", key, next, err)
		}
		p.Cursor = next
		shapes = append(shapes, shape{"second page by " + key + " (the default view)", f, p})
	}

	var b strings.Builder
	for _, sh := range shapes {
		q, err := s.planEvents(ctx, &sh.f, &sh.p)
		if err != nil {
			t.Fatalf("%s: %v", sh.name, err)
		}
		// The SQL must run: a plan that renders broken SQL fails here, not in the golden file.
		if _, err := s.Page(ctx, &sh.f, sh.p); err != nil {
			t.Fatalf("%s: Page: %v", sh.name, err)
		}
		fmt.Fprintf(&b, "== %s\n%s", sh.name, describePlan(q))
	}
	golden := filepath.Join("testdata", "events_plan.golden")
	if os.Getenv("HONEYSENS_WRITE_GOLDEN") != "" {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (HONEYSENS_WRITE_GOLDEN=1 writes it)", err)
	}
	if got := b.String(); got != string(want) {
		gotLines, wantLines := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gotLines), len(wantLines)) {
			g, w := lineAt(gotLines, i), lineAt(wantLines, i)
			if g != w {
				t.Fatalf("the plans differ from %s from line %d:\n got: %s\nwant: %s\n"+
					"(if the change is meant, HONEYSENS_WRITE_GOLDEN=1 rewrites the file: review its diff)", golden, i+1, g, w)
			}
		}
	}
}

func lineAt(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end of file)"
}

// planFixture is a small database whose plans depend on its data as the appliance's do: more
// rows than the search's probe reads, a rare classification, common and rare text, rare and
// common addresses, and an archive.
func planFixture(t *testing.T) *Store {
	t.Helper()
	s := newStore(t)
	ctx := context.Background()
	g1, g2 := addGroup(t, s, "Office"), addGroup(t, s, "Lab")
	sensors := []*model.Sensor{addSensor(t, s, "edge-1", g1.ID), addSensor(t, s, "edge-2", g1.ID), addSensor(t, s, "lab-1", g2.ID)}
	users := []string{"root", "admin", "pi", "oracle", "test"}
	var evs []*model.Event
	for i := range 2400 {
		sn := sensors[i%len(sensors)]
		e := &model.Event{Timestamp: eventBase.Add(time.Duration(i) * time.Minute), SensorID: sn.ID, GroupID: sn.GroupID,
			Source: netip.AddrFrom4([4]byte{10, 0, byte(i % 16), byte(i % 250)}), SourcePort: 40000 + i,
			Protocol: model.ProtoTCP, Status: model.StatusNew, Classification: model.Classification(i % 4)}
		// Shares near the planner's thresholds, so that moving one changes a plan below.
		switch r := i % 100; {
		case r >= 93:
			e.Status = model.StatusIgnored // 7%: too many to read by their index
		case r >= 70:
			e.Status = model.StatusResolved
		case r >= 60:
			e.Status = model.StatusInProgress
		}
		if i%25 == 0 {
			e.Classification = model.ClassScan // 4%: few enough
		}
		if i%4 == 0 {
			e.Source = netip.AddrFrom4([4]byte{192, 0, 2, byte(i % 250)}) // "19": a quarter, still looked up
		}
		switch i % 3 {
		case 0:
			e.Service, e.TargetPort, e.Summary = "ssh", 22, fmt.Sprintf("SSH login as %s (#%d)", users[i%4], i)
			e.AddLogin(users[i%4], "123456", false)
		case 1:
			e.Service, e.TargetPort, e.Summary = "http", 80, fmt.Sprintf("GET /wp-login.php (#%d)", i)
			e.AddPath("/wp-login.php")
		default:
			e.Service, e.TargetPort, e.Summary = "recon", 3389, fmt.Sprintf("Connection attempt (#%d)", i)
		}
		if i == 1234 {
			e.Summary = "SSH login as oracle"
		}
		evs = append(evs, e)
	}
	if err := s.InsertEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	var old []int64
	for i := range 400 {
		old = append(old, evs[i].ID)
	}
	if _, err := s.ArchiveEvents(ctx, &EventFilter{IDs: old}); err != nil {
		t.Fatal(err)
	}
	return s
}

// describePlan renders a query's decisions and SQL, one fact a line.
func describePlan(q *eventQuery) string {
	var b strings.Builder
	fmt.Fprintf(&b, "filter: %s\n", describeFilter(&q.f))
	fmt.Fprintf(&b, "page:   sort %s desc %v limit %d", q.sort, q.desc, q.limit)
	if q.after != nil {
		fmt.Fprintf(&b, ", after %+v", *q.after)
	}
	b.WriteString("\n")
	if q.f.Query != "" {
		fmt.Fprintf(&b, "search: lookup %v, n %d, exact %v\n", q.plan.lookup, q.plan.n, q.plan.exact)
	}
	fmt.Fprintf(&b, "list:   hint %q, search %s, split %v\n", q.hint, modeNames[q.list.search], q.list.split)
	stmt, args := q.listSQL()
	fmt.Fprintf(&b, "  %s\n  args %s\n", sqlText(stmt), argsText(args))
	if q.plan.n >= 0 {
		fmt.Fprintf(&b, "total:  from the probe\n\n")
		return b.String()
	}
	fmt.Fprintf(&b, "total:  search %s, split %v\n", modeNames[q.total.search], q.total.split)
	stmt, args = q.countSQL()
	fmt.Fprintf(&b, "  %s\n  args %s\n\n", sqlText(stmt), argsText(args))
	return b.String()
}

var modeNames = map[searchMode]string{searchIndexed: "indexed", searchScan: "scan", searchLookup: "lookup"}

func describeFilter(f *EventFilter) string {
	var parts []string
	add := func(name string, v any) { parts = append(parts, fmt.Sprintf("%s=%v", name, v)) }
	if f.Archive {
		add("archive", true)
	}
	if f.Status != nil {
		add("status", f.Status)
	}
	if f.Classification != nil {
		add("classification", f.Classification)
	}
	if f.Groups != nil {
		add("groups", f.Groups)
	}
	if f.SensorID != 0 {
		add("sensor", f.SensorID)
	}
	if f.From != nil {
		add("from", f.From.UTC().Format(time.RFC3339))
	}
	if f.To != nil {
		add("to", f.To.UTC().Format(time.RFC3339))
	}
	if f.Query != "" {
		add("q", fmt.Sprintf("%q", f.Query))
	}
	if f.IDs != nil {
		add("ids", f.IDs)
	}
	if f.Source != nil {
		add("source", *f.Source)
	}
	if f.Service != "" {
		add("service", f.Service)
	}
	if f.TargetPort != 0 {
		add("target_port", f.TargetPort)
	}
	if f.Fact != nil {
		add("fact", f.Fact.Kind+":"+f.Fact.Value)
	}
	if f.ChangedBefore != nil {
		add("changed_before", f.ChangedBefore.UTC().Format(time.RFC3339))
	}
	if parts == nil {
		return "(none)"
	}
	return strings.Join(parts, " ")
}

// sqlText shortens the column lists, which are no decision of the planner, and breaks the
// statement before its clauses so that a diff points at the clause that changed.
func sqlText(stmt string) string {
	stmt = strings.ReplaceAll(stmt, liveColumns, "{live columns}")
	stmt = strings.ReplaceAll(stmt, archivedColumns, "{archived columns}")
	for _, clause := range []string{" WHERE ", " ORDER BY ", " UNION "} {
		stmt = strings.ReplaceAll(stmt, clause, "\n    "+clause[1:])
	}
	return stmt
}

func argsText(args []any) string {
	out := make([]string, len(args))
	for i, a := range args {
		if b, ok := a.([]byte); ok {
			out[i] = fmt.Sprintf("x'%x'", b)
		} else {
			out[i] = fmt.Sprintf("%v", a)
		}
	}
	return "[" + strings.Join(out, ", ") + "]"
}
