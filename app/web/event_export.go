package web

import (
	"bufio"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
)

// csvHeader are the export's columns, with English labels.
var csvHeader = []string{"ID", "Time (UTC)", "Group", "Sensor", "Service", "Classification", "Source", "Source port",
	"Target", "Target port", "Protocol", "Summary", "Status", "Comment", "Last modified (UTC)", "Details", "Packets", "Archived"}

// csvCell neutralises a cell that a spreadsheet would run as a formula: text starting with
// = + - @ or a tab/CR, also after leading blanks (some spreadsheets trim them), gets a leading
// apostrophe, so attacker-chosen summaries stay text.
func csvCell(s string) string {
	if s == "" {
		return s
	}
	if strings.ContainsRune("=+-@\t\r\n", rune(s[0])) {
		return "'" + s
	}
	if t := strings.TrimLeft(s, " \t\r\n"); t != "" && strings.ContainsRune("=+-@", rune(t[0])) {
		return "'" + s
	}
	return s
}

func csvRow(e *model.Event) []string {
	id := e.ID
	if e.Archived {
		id = e.OriginalID
	}
	modified := ""
	if e.ModifiedAt != nil {
		modified = e.ModifiedAt.Format(time.RFC3339)
	}
	port := func(p int) string {
		if p == 0 {
			return ""
		}
		return strconv.Itoa(p)
	}
	target, archived := "", "No"
	if e.Target.IsValid() {
		target = e.Target.String()
	}
	if e.Archived {
		archived = "Yes"
	}
	return []string{strconv.FormatInt(id, 10), e.Timestamp.Format(time.RFC3339), csvCell(e.GroupName), csvCell(e.SensorName),
		csvCell(e.Service), e.Classification.String(), e.Source.String(), port(e.SourcePort), target, port(e.TargetPort),
		e.Protocol.String(), csvCell(e.Summary), e.Status.String(), csvCell(e.Comment), modified,
		strconv.Itoa(e.DetailsCount), strconv.Itoa(e.PacketsCount), archived}
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
		cw := csv.NewWriter(w)
		cw.Write(csvHeader)
		err := s.Store.EachEvent(context.Background(), f, page.Sort, page.Desc, func(e *model.Event) error {
			return cw.Write(csvRow(e))
		})
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
		if err != nil {
			log.Warn("CSV export cut short", "err", err)
		}
	})
	return nil
}
