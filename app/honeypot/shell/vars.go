package shell

import (
	"path"
	"strconv"
	"strings"
)

// Variables.

// lookupVar returns a variable's value and whether it is set; special parameters included.
func (s *Session) lookupVar(name string) (string, bool) {
	switch name {
	case "?":
		return strconv.Itoa(s.status), true
	case "$":
		return strconv.Itoa(s.host.shellPID), true
	case "#":
		return strconv.Itoa(len(s.args)), true
	case "0":
		if s.opt.Exec {
			return "bash", true
		}
		return "-bash", true
	case "!":
		if s.lastBg == 0 {
			return "", false
		}
		return strconv.Itoa(s.lastBg), true
	case "-":
		if s.opt.Exec {
			return "hBc", true
		}
		return "himBHs", true
	case "@", "*":
		return strings.Join(s.args, " "), true
	case "RANDOM":
		return strconv.Itoa(s.host.random()), true
	case "SECONDS":
		return strconv.Itoa(int(s.opt.Now().Sub(s.start).Seconds())), true
	case "EPOCHSECONDS":
		return strconv.FormatInt(s.opt.Now().Unix(), 10), true
	case "LINENO":
		return "1", true
	case "BASHPID":
		return strconv.Itoa(s.host.shellPID), true
	}
	if len(name) == 1 && name[0] >= '1' && name[0] <= '9' {
		i := int(name[0] - '1')
		if i < len(s.args) {
			return s.args[i], true
		}
		return "", false
	}
	v, ok := s.vars[name]
	return v, ok
}

func (s *Session) get(name string) string {
	v, _ := s.lookupVar(name)
	return v
}

// setVar sets a shell variable, within the session's bounds on count and size.
func (s *Session) setVar(name, v string) {
	if len(v) > maxVarLen {
		v = v[:maxVarLen]
	}
	old, exists := s.vars[name]
	if !exists && len(s.vars) >= maxVars {
		return
	}
	if s.varBytes-len(old)+len(v) > maxVarBytes {
		return
	}
	s.varBytes += len(v) - len(old)
	s.vars[name] = v
	switch name {
	case "PWD":
		if v != "" && strings.HasPrefix(v, "/") {
			s.cwd = path.Clean(v)
		}
	}
}

func (s *Session) unsetVar(name string) {
	s.varBytes -= len(s.vars[name])
	delete(s.vars, name)
	for i, e := range s.exported {
		if e == name {
			s.exported = append(s.exported[:i:i], s.exported[i+1:]...)
			break
		}
	}
}

func (s *Session) export(name string) {
	for _, e := range s.exported {
		if e == name {
			return
		}
	}
	s.exported = append(s.exported, name)
}

func (s *Session) isExported(name string) bool {
	for _, e := range s.exported {
		if e == name {
			return true
		}
	}
	return false
}
