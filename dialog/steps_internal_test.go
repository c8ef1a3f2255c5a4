package dialog

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Steps are registered by "flow.step" keys by the functions flows.go lists
// (one per file) and reached by name (t.begin, t.next, t.jump, t.start, an
// assignment of Flow and Step): every name the code moves to must be
// registered, or the dialogue stops at a step that does not exist.
func TestEveryReferencedStepExists(t *testing.T) {
	t.Parallel()
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{"domain.LeadApply": domain.LeadApply, "domain.LeadNeed": domain.LeadNeed}
	str := func(e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			if s, err := strconv.Unquote(e.Value); err == nil && e.Kind == token.STRING {
				return s, true
			}
		case *ast.SelectorExpr:
			if x, ok := e.X.(*ast.Ident); ok {
				s, ok := consts[x.Name+"."+e.Sel.Name]
				return s, ok
			}
		}
		return "", false
	}
	anyFlow := func(name string) bool {
		for key := range steps {
			if strings.HasSuffix(key, "."+name) {
				return true
			}
		}
		return false
	}
	checked := 0
	fset := token.NewFileSet()
	for _, f := range files {
		name := f.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if recv, ok := sel.X.(*ast.Ident); !ok || recv.Name != "t" {
					return true
				}
				at := fset.Position(n.Pos())
				switch sel.Sel.Name {
				case "begin":
					flow, ok1 := str(n.Args[0])
					first, ok2 := str(n.Args[1])
					if ok1 && ok2 {
						checked++
						if _, ok := steps[flow+"."+first]; !ok {
							t.Errorf("%s: t.begin(%q, %q): no step %s.%s", at, flow, first, flow, first)
						}
					}
				case "next", "jump":
					if s, ok := str(n.Args[0]); ok {
						checked++
						if !anyFlow(s) {
							t.Errorf("%s: t.%s(%q): no flow has a step %q", at, sel.Sel.Name, s, s)
						}
					}
				case "start":
					if flow, ok := str(n.Args[0]); ok {
						checked++
						if _, ok := entries[flow]; !ok && flow != "human" {
							t.Errorf("%s: t.start(%q): no flow %q", at, flow, flow)
						}
					}
				}
			case *ast.AssignStmt:
				// t.s.Flow, t.s.Step = "calc", "amount"
				if len(n.Lhs) == 2 && len(n.Rhs) == 2 && isField(n.Lhs[0], "Flow") && isField(n.Lhs[1], "Step") {
					flow, ok1 := str(n.Rhs[0])
					step, ok2 := str(n.Rhs[1])
					if ok1 && ok2 {
						checked++
						if _, ok := steps[flow+"."+step]; !ok {
							t.Errorf("%s: no step %s.%s", fset.Position(n.Pos()), flow, step)
						}
					}
				}
			}
			return true
		})
	}
	if checked < 20 {
		t.Fatalf("only %d step references found: the scan no longer sees the code", checked)
	}
	// Every form's fields are steps of the form, in both forms.
	for flow, order := range formOrder {
		for _, key := range order {
			if _, ok := steps[flow+"."+key]; !ok {
				t.Errorf("form %s: field %s has no step", flow, key)
			}
		}
	}
}

// isField reports whether e is x.s.<name> (the turn's state field).
func isField(e ast.Expr, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == name
}
