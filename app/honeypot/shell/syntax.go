package shell

import "errors"

// The shell's grammar is the part of bash that scripts dropped by bots use: lists joined by
// ; & && ||, pipelines (with ! and time), simple commands with assignments and redirections,
// if/elif/else, for (both forms), while, until, case, { } and ( ) groups, (( )), [[ ]] and
// functions. Words keep their raw text (quotes included) and are expanded when they run, so
// an assignment earlier in a script is seen by a later command.

type cmd interface{}

// word is the raw text of one shell word, quotes and expansions as typed.
type word string

type redir struct {
	fd      int    // the descriptor redirected (1 for ">", 0 for "<")
	op      string // ">", ">>", "<", ">&", "<&", "&>", "&>>", "<<", "<<<", "<>"
	target  word
	heredoc *heredoc
}

type heredoc struct {
	body   string
	expand bool // the delimiter was unquoted: the body undergoes $ expansion
	strip  bool // <<-: leading tabs removed
}

type assign struct {
	name   string
	value  word
	append bool // +=
}

type simpleCmd struct {
	assigns []assign
	words   []word
	redirs  []redir
}

type pipeline struct {
	cmds   []cmd
	negate bool
	timed  bool
}

type andOr struct {
	bg    bool // ended by &
	first *pipeline
	ops   []string // "&&" or "||" before each of rest
	rest  []*pipeline
}

type list []*andOr

type ifCmd struct {
	conds  []list
	bodies []list
	orElse list // nil when there is no else
}

type loopCmd struct {
	until bool
	cond  list
	body  list
}

type forCmd struct {
	name  string
	items []word
	hasIn bool
	body  list
}

type forArith struct {
	init, cond, post string
	body             list
}

type caseItem struct {
	patterns []word
	body     list
}

type caseCmd struct {
	subject word
	items   []caseItem
}

type groupCmd struct {
	body     list
	subshell bool
}

type funcDef struct {
	name string
	body cmd
}

type arithCmd struct{ expr string }

type condCmd struct{ args []word } // [[ ... ]]

// compound is a compound command with its redirections.
type compound struct {
	body   cmd
	redirs []redir
}

var errIncomplete = errors.New("incomplete")

// syntaxError is a parse error with the token bash would name.
type syntaxError struct{ near string }

func (e *syntaxError) Error() string { return "syntax error near unexpected token `" + e.near + "'" }

// Limits of the parser: a hostile line can neither nest deep enough to exhaust the stack nor
// make more nodes than its length allows.
const (
	maxNest   = 100
	maxTokens = 20000
)

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// maxWords bounds the words of one command (and what one word expands to).
const maxWords = 1024
