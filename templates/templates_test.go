package templates_test

import (
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/suzhou-amr/suzhirong/templates"
)

func TestRepliesParse(t *testing.T) {
	if _, err := templates.Replies(); err != nil {
		t.Fatal(err)
	}
}

// TestEveryNamedReplyExists reads the dialog and bot sources for the reply
// names they use, so a renamed or missing template fails here rather than
// in front of an enterprise.
func TestEveryNamedReplyExists(t *testing.T) {
	tmpl, err := templates.Replies()
	if err != nil {
		t.Fatal(err)
	}
	// Names built at run time ("faq_"+topic) are checked by the dialog tests.
	names := regexp.MustCompile(`(?:say\(|Reply\{Name:\s*|help:\s*)"([a-z0-9_]*[a-z0-9])"`)
	files, _ := filepath.Glob("../dialog/*.go")
	more, _ := filepath.Glob("../bot/*.go")
	files = append(files, more...)
	seen := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range names.FindAllSubmatch(src, -1) {
			seen++
			if tmpl.Lookup(string(m[1])) == nil {
				t.Errorf("%s uses reply %q, which no template defines", filepath.Base(f), m[1])
			}
		}
	}
	if seen < 30 {
		t.Fatalf("found only %d reply names; has the code changed shape?", seen)
	}
}

func TestConsoleParses(t *testing.T) {
	funcs := htmltemplate.FuncMap{}
	for _, name := range []string{"status", "kind", "countyName", "roleLabel", "product", "reportRow"} {
		funcs[name] = func(...any) string { return "" }
	}
	tmpl, err := templates.Console(funcs)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"head", "foot", "login", "leads", "lead", "dashboard", "counties", "county", "broadcasts", "reports", "settings", "sandbox", "simulator", "error"} {
		if tmpl.Lookup(name) == nil {
			t.Errorf("console template %q missing", name)
		}
	}
	for _, f := range []string{"console.css", "simulator.js"} {
		if _, err := fs.Stat(templates.Static(), f); err != nil {
			t.Errorf("static %s: %v", f, err)
		}
	}
}
