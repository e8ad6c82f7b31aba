package store

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The event search matches a term in two ways, either one enough:
//   - the source address: a whole address matches exactly that address, and the start of an
//     IPv4 address (10.0.  or  192.168.1  or  10) every address that starts so; both seek the
//     events_source index;
//   - the text: a substring of the summary or the comment, at least minTextSearch characters
//     long (shorter text has no trigram in the index and would read every row).

// minTextSearch is the shortest term searched in the text.
const minTextSearch = 3

// SearchTermError says why a search term can match nothing ("" when it is fine).
func SearchTermError(q string) string {
	if q == "" || utf8.RuneCountInString(q) >= minTextSearch || len(sourceRanges(q)) > 0 {
		return ""
	}
	return "Enter at least 3 characters, or the start of an address."
}

// keyRange is a range of source_key values (both ends included).
type keyRange struct{ lo, hi []byte }

// sourceRanges returns the source_key ranges the term stands for: one for a whole address,
// up to three for the start of an IPv4 address, none for anything else.
func sourceRanges(q string) []keyRange {
	if a, err := netip.ParseAddr(q); err == nil {
		k := sourceKey(a.Unmap())
		return []keyRange{{k, k}}
	}
	parts := strings.Split(q, ".")
	if q == "" || len(parts) > 4 {
		return nil
	}
	var fixed []byte
	for _, p := range parts[:len(parts)-1] {
		v, ok := octet(p)
		if !ok {
			return nil
		}
		fixed = append(fixed, v)
	}
	last := parts[len(parts)-1]
	var out []keyRange
	for _, r := range octetsStartingWith(last) {
		lo := append(append([]byte{}, fixed...), r[0])
		hi := append(append([]byte{}, fixed...), r[1])
		for len(lo) < 4 {
			lo, hi = append(lo, 0), append(hi, 255)
		}
		out = append(out, keyRange{sourceKey(netip.AddrFrom4([4]byte(lo))), sourceKey(netip.AddrFrom4([4]byte(hi)))})
	}
	return out
}

// octet reads one complete decimal octet (no leading zeros, as addresses are written).
func octet(p string) (byte, bool) {
	if p == "" || len(p) > 3 || (len(p) > 1 && p[0] == '0') || strings.Trim(p, "0123456789") != "" {
		return 0, false
	}
	v, err := strconv.Atoi(p)
	return byte(v), err == nil && v <= 255
}

// octetsStartingWith returns the ranges of octet values whose decimal text starts with p
// ("" is every value; "1" is 1, 10-19 and 100-199).
func octetsStartingWith(p string) [][2]byte {
	if p == "" {
		return [][2]byte{{0, 255}}
	}
	v, ok := octet(p)
	if !ok {
		return nil
	}
	out := [][2]byte{{v, v}}
	if v == 0 {
		return out // "0" starts no other value
	}
	for lo, width := int(v)*10, 10; lo <= 255 && len(p)+len(strconv.Itoa(width))-1 <= 3; lo, width = lo*10, width*10 {
		out = append(out, [2]byte{byte(lo), byte(min(lo+width-1, 255))})
	}
	return out
}

// searchCond renders the search as one SQL condition on source_key, summary and comment;
// index chooses the trigram index for the text, else each row's text is tested.
func searchCond(q string, index bool) (string, []any) {
	var parts []string
	var args []any
	for _, r := range sourceRanges(q) {
		parts = append(parts, "source_key BETWEEN ? AND ?")
		args = append(args, r.lo, r.hi)
	}
	if utf8.RuneCountInString(q) >= minTextSearch {
		if index {
			like := "%" + q + "%"
			parts = append(parts, "id IN (SELECT rowid FROM events_fts WHERE summary LIKE ? OR comment LIKE ?)")
			args = append(args, like, like)
		} else {
			like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
			parts = append(parts, `summary LIKE ? ESCAPE '\'`, `comment LIKE ? ESCAPE '\'`)
			args = append(args, like, like)
		}
	}
	if len(parts) == 0 {
		return "0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}
