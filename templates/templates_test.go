package templates_test

import (
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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
	for _, name := range []string{"status", "kind", "countyName", "roleLabel", "product", "reportRow", "person", "ticketStatus"} {
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

// What an enterprise typed reaches county staff as text, never as markup:
// no live link in WeChat, no link, heading or extra line in WeCom markdown.
func TestEnterpriseTextIsEscapedPerChannel(t *testing.T) {
	replies, err := templates.Replies()
	if err != nil {
		t.Fatal(err)
	}
	evil := "某公司<a href=\"http://ev.il/\">点此</a>\n# 紧急[通知](http://ev.il)"
	lead := map[string]any{"Number": "SZR-20261130-0001", "EnterpriseName": evil, "Contact": "张三<b>", "Phone": "13912345678",
		"CreatedAt": time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)}
	var md strings.Builder
	if err := replies.ExecuteTemplate(&md, "lead_robot", map[string]any{"What": "new", "KindLabel": "入库申请", "County": "昆山市", "Lead": lead}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<a", "](", "\n# ", "<b>"} {
		if strings.Contains(md.String(), bad) {
			t.Errorf("robot markdown carries %q:\n%s", bad, md.String())
		}
	}
	if !strings.Contains(md.String(), "> 企业：某公司＜a href") {
		t.Errorf("the name is not shown as text:\n%s", md.String())
	}
	line := map[string]any{"KindLabel": "入库申请", "Number": "SZR-20261130-0001", "EnterpriseName": evil, "StatusLabel": "已受理"}
	var wx strings.Builder
	if err := replies.ExecuteTemplate(&wx, "move_ok", map[string]any{"Line": line, "Note": "<a href='x'>y</a>"}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(wx.String(), "<>") {
		t.Errorf("WeChat text carries angle brackets: %s", wx.String())
	}
}
