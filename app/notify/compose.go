package notify

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"honeysens/app/model"
	"honeysens/app/store"
)

// inert makes attacker data safe to put into a plain-text mail: control characters (CR and LF
// included), Unicode line separators and bidirectional overrides are written as escapes, so
// the text cannot start a new line, forge a header or reorder what the reader sees.
func inert(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			b.WriteString(`\x` + strconv.FormatUint(uint64(s[i]), 16))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// maxBlock bounds one generated text block (an event's details, a summary's lists), so that one
// event with a thousand interaction lines cannot make a mail of megabytes.
const maxBlock = 64 << 10

// block collects lines up to maxBlock and then says how many were left out.
type block struct {
	w       *words
	b       strings.Builder
	omitted int
}

func (k *block) line(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if k.omitted > 0 || k.b.Len()+len(s) > maxBlock {
		k.omitted++
		return
	}
	k.b.WriteString(s)
	k.b.WriteByte('\n')
}

func (k *block) String() string {
	if k.omitted > 0 {
		return k.b.String() + fmt.Sprintf(k.w.linesOmitted+"\n", k.omitted)
	}
	return k.b.String()
}

const timeLayout = "2006-01-02 15:04:05"

func utc(t time.Time) string { return t.UTC().Format(timeLayout) }

func endpoint(a netip.Addr, port int) string {
	if !a.IsValid() {
		return "unknown"
	}
	if port == 0 {
		return a.String()
	}
	return netip.AddrPortFrom(a, uint16(port)).String()
}

// eventSubject names the event and its classification; it carries no attacker data.
func (w *words) eventSubject(e *model.Event) string {
	if e.Classification == model.ClassHoneypot {
		return fmt.Sprintf(w.criticalSubjectFormat, e.ID, w.class(e.Classification))
	}
	return fmt.Sprintf(w.eventSubjectFormat, e.ID, w.class(e.Classification))
}

// eventValues are the event template's variables for e (read with its details and packets).
func (w *words) eventValues(e *model.Event) map[string]string {
	return map[string]string{
		"ID":             strconv.FormatInt(e.ID, 10),
		"TIME":           utc(e.Timestamp),
		"SENSOR":         inert(e.SensorName),
		"GROUP":          inert(e.GroupName),
		"CLASSIFICATION": w.class(e.Classification),
		"SERVICE":        inert(e.Service),
		"SOURCE":         endpoint(e.Source, e.SourcePort),
		"TARGET":         endpoint(e.Target, e.TargetPort),
		"SUMMARY":        inert(e.Summary),
		"DETAILS":        w.eventDetails(e),
	}
}

// eventDetails writes an event's details and packets as text blocks.
func (w *words) eventDetails(e *model.Event) string {
	k := block{w: w}
	var generic, interaction []model.Detail
	for _, d := range e.Details {
		if d.Type == model.DetailInteraction {
			interaction = append(interaction, d)
		} else {
			generic = append(generic, d)
		}
	}
	if len(generic) > 0 {
		k.line("%s", w.additional)
		for _, d := range generic {
			k.line("  %s", inert(d.Data))
		}
		k.line("")
	}
	if len(interaction) > 0 {
		k.line("%s", w.interaction)
		for _, d := range interaction {
			at := "--:--:--"
			if d.Timestamp != nil {
				at = d.Timestamp.UTC().Format("15:04:05")
			}
			k.line("  %s  %s", at, inert(d.Data))
		}
		k.line("")
	}
	if len(e.Packets) > 0 {
		k.line("%s", w.packets)
		for _, p := range e.Packets {
			k.line("  %s | %s/%d | %s | %s", p.Timestamp.UTC().Format("15:04:05"), p.Protocol, p.Port, tcpFlags(p.Flags),
				inert(strings.ToValidUTF8(string(p.Payload), "\uFFFD")))
		}
	}
	if k.b.Len() == 0 {
		return w.noDetails
	}
	return strings.TrimRight(k.String(), "\n")
}

// tcpFlags writes a TCP flags bitmask as letters (F S R P A U).
func tcpFlags(f int) string {
	var b strings.Builder
	for i, c := range "FSRPAU" {
		if f&(1<<i) != 0 {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

// eventLine is one event on one line, for the storm and weekly summaries.
func (w *words) eventLine(e *model.Event) string {
	return fmt.Sprintf("%s  #%d  %s  %s  %s  %s", utc(e.Timestamp), e.ID, w.class(e.Classification), inert(e.SensorName),
		endpoint(e.Source, 0), inert(e.Summary))
}

func (w *words) timeoutSubject(sn *model.Sensor) string {
	return fmt.Sprintf(w.timeoutSubjectFormat, model.OneLine(sn.Name), sn.ID)
}

func (w *words) onlineSubject(sn *model.Sensor) string {
	return fmt.Sprintf(w.onlineSubjectFormat, model.OneLine(sn.Name), sn.ID)
}

func (w *words) timeoutValues(sn *model.Sensor, group string, since time.Time) map[string]string {
	last := w.never
	if sn.LastContact != nil {
		last = utc(*sn.LastContact)
	}
	return map[string]string{
		"SENSOR_NAME":       inert(sn.Name),
		"SENSOR_ID":         strconv.FormatInt(sn.ID, 10),
		"GROUP":             inert(group),
		"UPDATE_INTERVAL":   (time.Duration(sn.UpdateInterval) * time.Second).String(),
		"TIMEOUT_TOLERANCE": model.HeartbeatTolerance.String(),
		"LAST_CONTACT":      last,
		"OFFLINE_SINCE":     utc(since),
	}
}

func onlineValues(sn *model.Sensor, group string, offline, online time.Time) map[string]string {
	return map[string]string{
		"SENSOR_NAME":   inert(sn.Name),
		"SENSOR_ID":     strconv.FormatInt(sn.ID, 10),
		"GROUP":         inert(group),
		"OFFLINE_SINCE": utc(offline),
		"ONLINE_SINCE":  utc(online),
		"DOWNTIME":      online.Sub(offline).Round(time.Second).String(),
	}
}

// stormLines is how many events a storm summary lists one by one.
const stormLines = 50

func (w *words) stormSubject(st *model.Storm) string {
	return fmt.Sprintf(w.stormSubjectFormat, st.Events)
}

func (w *words) stormValues(st *model.Storm, limit int) map[string]string {
	events := strings.Join(st.Lines, "\n")
	if more := st.Events - len(st.Lines); more > 0 {
		events += "\n" + fmt.Sprintf(w.andMore, more)
	}
	return map[string]string{
		"COUNT":      strconv.Itoa(st.Events),
		"CRITICAL":   strconv.Itoa(st.Critical),
		"LIMIT":      strconv.Itoa(limit),
		"RANGE_FROM": utc(st.FirstAt),
		"RANGE_TO":   utc(st.LastAt),
		"EVENTS":     events,
	}
}

// weeklyCritical is how many critical events a weekly summary lists per group.
const weeklyCritical = 100

const weekLayout = "2006-01-02 15:04 MST"

func (w *words) weeklySubject(from, to time.Time) string {
	return fmt.Sprintf(w.weeklySubjectFormat, from.Format("2006-01-02"), to.Format("2006-01-02"))
}

// classOrder lists classifications by severity, for the summaries.
var classOrder = []model.Classification{model.ClassHoneypot, model.ClassScan, model.ClassConnAttempt, model.ClassICMP, model.ClassUnknown}

// weeklyValues writes the summary of the recipient's groups (those with events, by name).
func (w *words) weeklyValues(from, to time.Time, weeks []*store.GroupWeek, groupNames map[int64]string) map[string]string {
	sort.Slice(weeks, func(i, j int) bool { return groupNames[weeks[i].GroupID] < groupNames[weeks[j].GroupID] })
	k := block{w: w}
	total := 0
	for _, week := range weeks {
		total += week.Total
		k.line(w.groupHead, inert(groupNames[week.GroupID]))
		k.line(w.groupTotals, week.Total, week.CriticalTotal)
		k.line("")
		k.line("%s", w.byClassification)
		for _, c := range classOrder {
			if n := week.ByClassification[c]; n > 0 {
				k.line("  %-20s %8d", w.class(c), n)
			}
		}
		k.line("")
		k.line("%s", w.bySensor)
		names := make([]string, 0, len(week.BySensor))
		for n := range week.BySensor {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			k.line("  %-20s %8d", inert(n), week.BySensor[n])
		}
		if len(week.Critical) > 0 {
			k.line("")
			k.line("%s", w.criticalEvents)
			for _, e := range week.Critical {
				k.line("  %s", w.eventLine(e))
			}
			if more := week.CriticalTotal - len(week.Critical); more > 0 {
				k.line("  "+w.andMore, more)
			}
		}
		k.line("")
	}
	return map[string]string{
		"RANGE_FROM": from.Format(weekLayout),
		"RANGE_TO":   to.Format(weekLayout),
		"TOTAL":      strconv.Itoa(total),
		"EVENTS":     strings.TrimRight(k.String(), "\n"),
	}
}
