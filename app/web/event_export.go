package web

import (
	"bufio"
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
)

// csvHeader are the export's columns, with English labels.
var csvHeader = []string{"ID", "Time (UTC)", "Group", "Sensor", "Service", "Classification", "Source", "Source port",
	"Target", "Target port", "Protocol", "Summary", "Status", "Comment", "Last modified (UTC)", "Details", "Packets", "Archived"}

// The export writes CSV (RFC 4180, LF line ends) by appending to one reused buffer per row:
// encoding/csv's []string per row, with a string for every number and time, cost more than
// reading the rows from the database and capped the export below its target rate.

// formulaStart reports whether a spreadsheet would run the cell as a formula: text starting
// with = + - @ or a tab/CR/LF, also after leading blanks (some spreadsheets trim them).
func formulaStart(s string) bool {
	if s == "" {
		return false
	}
	if strings.ContainsRune("=+-@\t\r\n", rune(s[0])) {
		return true
	}
	t := strings.TrimLeft(s, " \t\r\n")
	return t != "" && strings.ContainsRune("=+-@", rune(t[0]))
}

// appendText appends free text (attacker-chosen summaries, names) as one field: a would-be
// formula gets a leading apostrophe, so it stays text in a spreadsheet.
func appendText(b []byte, s string) []byte {
	if formulaStart(s) {
		s = "'" + s
	}
	return appendField(b, s)
}

// appendField appends one field, quoted when it holds a separator, a quote or a line break,
// or starts with a blank (which readers may trim).
func appendField(b []byte, s string) []byte {
	if s == "" || !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[0] != '\t' {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

func appendPort(b []byte, p int) []byte {
	if p == 0 {
		return b
	}
	return strconv.AppendInt(b, int64(p), 10)
}

// appendCSVRow appends one event as a CSV line, in csvHeader's columns.
func appendCSVRow(b []byte, e *model.Event) []byte {
	id := e.ID
	if e.Archived {
		id = e.OriginalID
	}
	b = strconv.AppendInt(b, id, 10)
	b = append(b, ',')
	b = e.Timestamp.AppendFormat(b, time.RFC3339)
	for _, t := range []string{e.GroupName, e.SensorName, e.Service} {
		b = append(b, ',')
		b = appendText(b, t)
	}
	b = append(b, ',')
	b = append(b, e.Classification.String()...)
	b = append(b, ',')
	b = e.Source.AppendTo(b)
	b = append(b, ',')
	b = appendPort(b, e.SourcePort)
	b = append(b, ',')
	if e.Target.IsValid() {
		b = e.Target.AppendTo(b)
	}
	b = append(b, ',')
	b = appendPort(b, e.TargetPort)
	b = append(b, ',')
	b = append(b, e.Protocol.String()...)
	b = append(b, ',')
	b = appendText(b, e.Summary)
	b = append(b, ',')
	b = append(b, e.Status.String()...)
	b = append(b, ',')
	b = appendText(b, e.Comment)
	b = append(b, ',')
	if e.ModifiedAt != nil {
		b = e.ModifiedAt.AppendFormat(b, time.RFC3339)
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(e.DetailsCount), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(e.PacketsCount), 10)
	if e.Archived {
		b = append(b, ",Yes\n"...)
	} else {
		b = append(b, ",No\n"...)
	}
	return b
}

// eventExport is GET /api/events/export.csv: every event matching the list keys (or the ids
// in ids=1,2,3), streamed page by page in the list's sort order (with no sort key: newest
// stored first). Memory stays constant.
func (s *Server) eventExport(c *fiber.Ctx) error {
	f, err := parseEventFilter(queryOf(c), principal(c))
	if err != nil {
		return err
	}
	if s := c.Query("ids"); s != "" {
		for _, part := range strings.Split(s, ",") {
			id, err := positiveID("ids", strings.TrimSpace(part))
			if err != nil {
				return err
			}
			f.IDs = append(f.IDs, id)
		}
		if len(f.IDs) > maxBulkIDs {
			return invalidField("ids", "Name at most 10000 events, or use a filter.")
		}
	}
	page, err := parsePage(queryOf(c))
	if err != nil {
		return err
	}
	if c.Query("sort") == "" {
		page.Sort = "id" // storage order: the fastest to read, and near enough to time order
	}
	name := "honeysens-events-" + s.Now().UTC().Format("20060102-150405") + ".csv"
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	log := s.Log
	// The body is written after the handler returns, so nothing here may use the request's
	// context or buffers: the filter was copied into f above.
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		line := []byte(strings.Join(csvHeader, ",") + "\n")
		_, err := w.Write(line)
		if err == nil {
			err = s.Store.EachEvent(context.Background(), f, page.Sort, page.Desc, func(e *model.Event) error {
				line = appendCSVRow(line[:0], e)
				_, err := w.Write(line)
				return err
			})
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			log.Warn("CSV export cut short", "err", err)
		}
	})
	return nil
}
