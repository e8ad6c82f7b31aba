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
	if q == "" || isText(q) || isAddress(q) {
		return ""
	}
	return "Enter at least 3 characters, or the start of an address."
}

// isText reports whether the term is searched in the text.
func isText(q string) bool { return utf8.RuneCountInString(q) >= minTextSearch }

// isAddress reports whether the term is searched in the source address.
func isAddress(q string) bool { return len(sourceRanges(q)) > 0 }

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
	addr, addrArgs := addressCond(q)
	text, textArgs := textCond(q, index)
	switch {
	case addr == "" && text == "":
		return "0", nil
	case text == "":
		return addr, addrArgs
	case addr == "":
		return text, textArgs
	}
	return "(" + addr + " OR " + text + ")", append(addrArgs, textArgs...)
}

// addressCond is the search's condition on the source address ("" if the term is no address).
// Here and in textCond the values are written +? : SQLite plans a bound value it can see
// (a range's sampled statistics, a LIKE pattern) for the value at hand, and then parses the
// query again for every new binding, which undid keeping the list's statements parsed.
func addressCond(q string) (string, []any) {
	var parts []string
	var args []any
	for _, r := range sourceRanges(q) {
		parts = append(parts, "source_key BETWEEN +? AND +?")
		args = append(args, r.lo, r.hi)
	}
	if len(parts) == 0 {
		return "", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// textCond is the search's condition on the summary and the comment ("" for a term too short
// for the text). With index, the trigram index finds the rows that hold every trigram of the
// term in one look-up over both columns; the term itself is then tested on those few rows
// (holding the trigrams is not yet holding them in a row, or in one column).
func textCond(q string, index bool) (string, []any) {
	if !isText(q) {
		return "", nil
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
	cond := `(summary LIKE +? ESCAPE '\' OR comment LIKE +? ESCAPE '\')`
	if !index {
		return cond, []any{like, like}
	}
	return "(id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?) AND " + cond + ")", []any{trigramQuery(q), like, like}
}

// maxTrigrams bounds the trigrams a look-up asks for: each costs a seek in every segment of the
// index, and a dozen spread over the term already leave only its real matches.
const maxTrigrams = 12

// trigramQuery is the full-text query for the rows holding the term's trigrams (up to
// maxTrigrams of them, spread over the term), each quoted so that no character of the term
// is query syntax.
func trigramQuery(q string) string {
	runes := []rune(q)
	var all []string
	seen := map[string]bool{}
	for i := 0; i+minTextSearch <= len(runes); i++ {
		t := string(runes[i : i+minTextSearch])
		if !seen[t] {
			seen[t] = true
			all = append(all, t)
		}
	}
	picked := all
	if len(all) > maxTrigrams {
		picked = nil
		for i := 0; i < maxTrigrams; i++ {
			picked = append(picked, all[i*(len(all)-1)/(maxTrigrams-1)])
		}
	}
	quoted := make([]string, len(picked))
	for i, t := range picked {
		quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(quoted, " AND ")
}
