// Package filter compiles filter rules into matchers and tests incoming events against them.
// It is pure: no I/O, no locks. Ingest compiles the rules once per change and matches every
// event against the compiled set of its sensor's group.
package filter

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"honeysens/app/model"
)

// Set is the compiled, enabled rules of every group.
type Set struct {
	byGroup map[int64][]rule
}

type rule struct {
	id    int64
	conds []matcher
}

// matcher tests one attribute of an event.
type matcher func(e *model.Event) bool

// Compile builds the set from the rules; disabled rules are left out. Rules are tried in id
// order, so the oldest matching rule is the one whose counter goes up.
func Compile(rules []*model.FilterRule) (*Set, error) {
	s := &Set{byGroup: map[int64][]rule{}}
	sorted := append([]*model.FilterRule(nil), rules...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for _, r := range sorted {
		if !r.Enabled {
			continue
		}
		conds, err := CompileConditions(r.Conditions)
		if err != nil {
			return nil, fmt.Errorf("filter rule %d: %w", r.ID, err)
		}
		s.byGroup[r.GroupID] = append(s.byGroup[r.GroupID], rule{id: r.ID, conds: conds})
	}
	return s, nil
}

// Match returns the first rule of the group whose conditions all match the event.
func (s *Set) Match(group int64, e *model.Event) (ruleID int64, ok bool) {
	if s == nil {
		return 0, false
	}
	for _, r := range s.byGroup[group] {
		if all(r.conds, e) {
			return r.id, true
		}
	}
	return 0, false
}

func all(conds []matcher, e *model.Event) bool {
	for _, c := range conds {
		if !c(e) {
			return false
		}
	}
	return len(conds) > 0 // a rule without conditions never drops anything
}

// CompileConditions checks and compiles conditions; an invalid one is reported as a field
// error on conditions[i].value (or .attribute).
func CompileConditions(conds []model.FilterCondition) ([]matcher, error) {
	out := make([]matcher, 0, len(conds))
	for i, c := range conds {
		m, err := compile(c)
		if err != nil {
			field := fmt.Sprintf("conditions[%d].value", i)
			if err == errAttribute {
				field = fmt.Sprintf("conditions[%d].attribute", i)
			}
			return nil, &model.Error{Code: model.ErrInvalid, Message: "A condition is not valid.",
				Fields: map[string]string{field: err.Error()}}
		}
		out = append(out, m)
	}
	return out, nil
}

var errAttribute = fmt.Errorf("use classification, source, target_port, protocol or service")

func compile(c model.FilterCondition) (matcher, error) {
	v := strings.TrimSpace(c.Value)
	switch c.Attribute {
	case model.AttrClassification:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 4 {
			return nil, fmt.Errorf("use a classification: 0 Unknown, 1 ICMP, 2 Connection attempt, 3 Honeypot, 4 Scan")
		}
		return func(e *model.Event) bool { return int(e.Classification) == n }, nil
	case model.AttrSource:
		return compileSource(v)
	case model.AttrTargetPort:
		lo, hi, err := portRange(v)
		if err != nil {
			return nil, err
		}
		return func(e *model.Event) bool { return e.TargetPort >= lo && e.TargetPort <= hi && e.TargetPort != 0 }, nil
	case model.AttrProtocol:
		p, ok := model.ParseProtocol(v)
		if !ok || p == model.ProtoUnknown {
			return nil, fmt.Errorf("use tcp, udp or icmp")
		}
		return func(e *model.Event) bool { return e.Protocol == p }, nil
	case model.AttrService:
		name := strings.ToLower(v)
		if name == "" || len(name) > model.MaxServiceLen {
			return nil, fmt.Errorf("use a service name such as ssh or recon")
		}
		return func(e *model.Event) bool { return e.Service == name }, nil
	}
	return nil, errAttribute
}

// compileSource reads an address, a CIDR network or a range "a-b". Addresses are compared as
// addresses (10.0.0.9 < 10.0.0.10), IPv4 and IPv6 alike; a range may not mix the two.
func compileSource(v string) (matcher, error) {
	if a, err := netip.ParseAddr(v); err == nil {
		a = a.Unmap()
		return func(e *model.Event) bool { return e.Source.Unmap() == a }, nil
	}
	if p, err := netip.ParsePrefix(v); err == nil {
		p = p.Masked()
		return func(e *model.Event) bool { return p.Contains(e.Source.Unmap()) }, nil
	}
	if from, to, ok := strings.Cut(v, "-"); ok {
		a, err1 := netip.ParseAddr(strings.TrimSpace(from))
		b, err2 := netip.ParseAddr(strings.TrimSpace(to))
		if err1 == nil && err2 == nil {
			a, b = a.Unmap(), b.Unmap()
			if a.Is4() != b.Is4() {
				return nil, fmt.Errorf("a range must not mix IPv4 and IPv6")
			}
			if b.Less(a) {
				return nil, fmt.Errorf("the range ends before it starts")
			}
			return func(e *model.Event) bool {
				s := e.Source.Unmap()
				return s.Is4() == a.Is4() && !s.Less(a) && !b.Less(s)
			}, nil
		}
	}
	return nil, fmt.Errorf("use an address (192.0.2.7), a network (192.0.2.0/24) or a range (192.0.2.1-192.0.2.9)")
}

func portRange(v string) (int, int, error) {
	bad := fmt.Errorf("use a port (22) or a range (1000-2000) from 1 to 65535")
	from, to, isRange := strings.Cut(v, "-")
	lo, err := strconv.Atoi(strings.TrimSpace(from))
	if err != nil || lo < 1 || lo > 65535 {
		return 0, 0, bad
	}
	hi := lo
	if isRange {
		if hi, err = strconv.Atoi(strings.TrimSpace(to)); err != nil || hi < lo || hi > 65535 {
			return 0, 0, bad
		}
	}
	return lo, hi, nil
}
