package web_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The catalog of server messages, assets/i18n/server.de.json, has a German text for every
// English message the code under app/ writes into a model error, with the same arguments.

// sourceMessage is one English message (or format) found in the source, and where.
type sourceMessage struct {
	text string
	pos  string
}

// messageArg names the argument of each call that carries a message meant for the user.
var messageArg = map[string]int{
	"Errorf":       1, // model.Errorf(code, format, args...)
	"invalidField": 1, // invalidField(field, msg)
	"rateLimited":  2, // rateLimited(c, wait, format)
	"Add":          1, // FieldErrors.Add(field, msg), told apart from other Adds by fieldMessage
	"DecodeConfig": 2, // outputs.DecodeConfig(raw, c, notJSON)
	"say":          1, // s.say(c, format, args...)
	"NewError":     1, // fiber.NewError(status, msg)
}

// messageFuncs return (or assign to their results) messages that callers put into FieldErrors.
var messageFuncs = map[string]bool{
	"ValidateEmail": true, "ValidatePassword": true, "listenProblem": true,
	"ValidateAccept": true, "SearchTermError": true, "expectedKind": true, "dialFailure": true,
}

// fieldMessage tells a field message from the other two-argument Adds (url.Values pragmas,
// times): a message is words or a sentence.
var fieldMessage = regexp.MustCompile(`\s|[.?!]$`)

// serverMessagesInSource parses every non-test Go file under app/ and lists the messages
// passed to model.Errorf, fiber.NewError, FieldErrors.Add, invalidField, rateLimited, say, the
// errors the outputs make (fmt.Errorf, errors.New under app/outputs), written as Message or
// Fields of a model.Error or mail.Error literal, in fiberTexts, or returned by messageFuncs, each
// as the format it is built from (see messageFormat).
func serverMessagesInSource(t *testing.T) []sourceMessage {
	t.Helper()
	var out []sourceMessage
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		// The mailer's errors (mail.Error) are diagnoses the test mail answers with.
		inModel := file.Name.Name == "model" || file.Name.Name == "mail"
		// An output's delivery errors are its last error on the Integrations page.
		inOutputs := strings.HasPrefix(filepath.ToSlash(path), "../outputs/")
		add := func(e ast.Expr) {
			if text, ok := messageFormat(e); ok && text != "" {
				out = append(out, sourceMessage{text, fset.Position(e.Pos()).String()})
			}
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if messageFuncs[n.Name.Name] && n.Body != nil {
					collectResults(n.Body, add)
				}
			case *ast.CallExpr:
				name, pkg := callee(n)
				if inOutputs && (pkg == "fmt" && name == "Errorf" || pkg == "errors" && name == "New") {
					add(n.Args[0])
					return true
				}
				i, ok := messageArg[name]
				if !ok || i >= len(n.Args) {
					return true
				}
				switch name {
				case "Errorf":
					if pkg == "model" || pkg == "" && inModel {
						add(n.Args[i])
					}
				case "Add":
					if text, ok := messageFormat(n.Args[i]); ok && len(n.Args) == 2 && fieldMessage.MatchString(text) {
						add(n.Args[i])
					}
				default:
					add(n.Args[i])
				}
			case *ast.CompositeLit:
				if isModelError(n.Type, inModel) {
					collectErrorLiteral(n, add)
				}
			case *ast.ValueSpec:
				if len(n.Names) == 1 && n.Names[0].Name == "fiberTexts" {
					for _, el := range n.Values[0].(*ast.CompositeLit).Elts {
						add(el.(*ast.KeyValueExpr).Value)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// collectResults passes on what a message function returns or assigns.
func collectResults(body *ast.BlockStmt, add func(ast.Expr)) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ReturnStmt:
			for _, r := range n.Results {
				add(r)
			}
		case *ast.AssignStmt:
			for _, r := range n.Rhs {
				add(r)
			}
		}
		return true
	})
}

// collectErrorLiteral passes on the Message and the Fields values of a model.Error literal.
func collectErrorLiteral(lit *ast.CompositeLit, add func(ast.Expr)) {
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		switch key, _ := kv.Key.(*ast.Ident); {
		case key == nil:
		case key.Name == "Message":
			add(kv.Value)
		case key.Name == "Fields":
			if fields, ok := kv.Value.(*ast.CompositeLit); ok {
				for _, f := range fields.Elts {
					if fkv, ok := f.(*ast.KeyValueExpr); ok {
						add(fkv.Value)
					}
				}
			}
		}
	}
}

// callee names the function of a call and the package (or receiver) it is selected from.
func callee(call *ast.CallExpr) (name, pkg string) {
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return f.Name, ""
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return f.Sel.Name, x.Name
		}
		return f.Sel.Name, "?"
	}
	return "", ""
}

func isModelError(typ ast.Expr, inModel bool) bool {
	switch t := typ.(type) {
	case *ast.Ident:
		return inModel && t.Name == "Error"
	case *ast.SelectorExpr:
		x, ok := t.X.(*ast.Ident)
		return ok && x.Name == "model" && t.Sel.Name == "Error"
	}
	return false
}

// messageFormat is the format a message expression is built from: a string literal as it is,
// fmt.Sprintf by its format, a concatenation with strconv.Quote as %q, strconv.Itoa as %d and
// any other operand as %s (as the server's catalog matches it). Anything else is no message.
func messageFormat(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(e.Value)
		return s, e.Kind == token.STRING && err == nil
	case *ast.CallExpr:
		if name, pkg := callee(e); pkg == "fmt" && name == "Sprintf" && len(e.Args) > 0 {
			return messageFormat(e.Args[0])
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			return concatPart(e.X) + concatPart(e.Y), true
		}
	}
	return "", false
}

func concatPart(e ast.Expr) string {
	switch p := e.(type) {
	case *ast.BasicLit:
		if s, err := strconv.Unquote(p.Value); err == nil {
			return strings.ReplaceAll(s, "%", "%%")
		}
	case *ast.BinaryExpr:
		s, _ := messageFormat(p)
		return s
	case *ast.CallExpr:
		switch name, pkg := callee(p); {
		case pkg == "strconv" && name == "Quote":
			return "%q"
		case pkg == "strconv" && name == "Itoa":
			return "%d"
		}
	}
	return "%s"
}

var verbPattern = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z%])`)

// verbsByArgument maps each argument number of a format to the verb that prints it.
func verbsByArgument(format string) map[int]string {
	out := map[int]string{}
	next := 1
	for _, m := range verbPattern.FindAllStringSubmatch(format, -1) {
		if m[2] == "%" {
			continue
		}
		if m[1] != "" {
			next, _ = strconv.Atoi(m[1])
		}
		out[next] = m[2]
		next++
	}
	return out
}

func TestServerMessagesHaveGermanTexts(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(catalogDir, "server.de.json"))
	if err != nil {
		t.Fatal(err)
	}
	var german map[string]string
	if err := json.Unmarshal(b, &german); err != nil {
		t.Fatalf("server.de.json: %v", err)
	}
	messages := serverMessagesInSource(t)
	if len(messages) < 100 {
		t.Fatalf("found only %d messages in the source: the search is broken", len(messages))
	}
	used := map[string]bool{}
	for _, m := range messages {
		used[m.text] = true
		de, ok := german[m.text]
		if !ok {
			t.Errorf("%s: no German text for %q", m.pos, m.text)
			continue
		}
		if en, got := verbsByArgument(m.text), verbsByArgument(de); !maps.Equal(en, got) {
			t.Errorf("%s: %q has the verbs %v, its German text %q has %v", m.pos, m.text, en, de, got)
		}
	}
	for key := range german {
		if !used[key] {
			t.Errorf("server.de.json: %q is no message in the source any more", key)
		}
	}
}
