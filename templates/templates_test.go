package templates_test

import (
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
