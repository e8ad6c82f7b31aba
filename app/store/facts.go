package store

import (
	"net/netip"
)

// cond is the condition that keeps the events holding the fact: through event_facts for live
// events, in the frozen facts of archived ones.
func (f *Fact) cond(archive bool) (string, []any) {
	kind := FactKinds[f.Kind]
	if !archive {
		return "id IN (SELECT event_id FROM event_facts WHERE kind = ? AND value = ?)", []any{kind, f.Value}
	}
	switch kind {
	case factUser:
		return "EXISTS (SELECT 1 FROM json_each(facts, '$.logins') WHERE json_extract(value, '$.user') = ?)", []any{f.Value}
	case factPassword:
		return "EXISTS (SELECT 1 FROM json_each(facts, '$.logins') WHERE json_extract(value, '$.password') = ?)", []any{f.Value}
	case factCommand:
		return "EXISTS (SELECT 1 FROM json_each(facts, '$.commands') WHERE value = ?)", []any{f.Value}
	}
	return "EXISTS (SELECT 1 FROM json_each(facts, '$.paths') WHERE value = ?)", []any{f.Value}
}

// ValidFact reports whether kind names a fact kind.
func ValidFact(kind string) bool {
	_, ok := FactKinds[kind]
	return ok
}

// prefixKeys returns the first and last source_key of the addresses in p.
func prefixKeys(p netip.Prefix) (lo, hi []byte) {
	p = p.Masked()
	first := p.Addr()
	bits := p.Bits()
	if first.Is4() {
		bits += 96
	}
	a := first.As16()
	last := a
	for i := bits; i < 128; i++ {
		last[i/8] |= 1 << (7 - i%8)
	}
	return a[:], last[:]
}
