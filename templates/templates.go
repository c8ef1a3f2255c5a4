// Package templates holds every text a person reads: the bot's replies
// (text/template) and the console's pages (html/template), embedded and
// parsed once at start-up.
package templates

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"
)

//go:embed replies/*.tmpl
var replyFS embed.FS

// Replies parses the reply templates. Every file defines a template named
// after itself, and may define more.
func Replies() (*template.Template, error) {
	t := template.New("replies").Option("missingkey=error").Funcs(ReplyFuncs)
	t, err := t.ParseFS(replyFS, "replies/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse reply templates: %w", err)
	}
	files, _ := fs.Glob(replyFS, "replies/*.tmpl")
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".tmpl")
		if t.Lookup(name) == nil {
			return nil, fmt.Errorf("reply template file %s does not define %q", f, name)
		}
	}
	return t, nil
}

// ReplyFuncs are the helpers reply templates may call.
var ReplyFuncs = template.FuncMap{
	// wx neutralises what WeChat's text messages render as markup (<a href>)
	// in text an enterprise typed.
	"wx": EscapeWeChat,
	// md neutralises WeCom markdown (links, headings, emphasis, <font>,
	// line breaks) in text an enterprise typed.
	"md":    EscapeMarkdown,
	"inc":   func(i int) int { return i + 1 },
	"pct":   func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) + "%" },
	"wan":   formatWan,
	"date":  func(t time.Time) string { return t.In(shanghai).Format("2006-01-02") },
	"clock": func(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04") },
	"join":  strings.Join,
}

// formatWan prints an amount of 万元 without trailing zeros: 1000, 1000.5.
func formatWan(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64) + "万元"
}

// shanghai is China Standard Time; China keeps no daylight saving time.
var shanghai = time.FixedZone("CST", 8*3600)

//go:embed console/*.html
var consoleFS embed.FS

//go:embed static
var staticFS embed.FS

// Static returns the console's static assets (CSS, JS), served under
// /console/static/.
func Static() fs.FS {
	sub, _ := fs.Sub(staticFS, "static")
	return sub
}

// StaticVersion is a short hash of every static asset: page links carry it
// (?v=…) so browsers may cache the assets for long and still see a release.
var StaticVersion = func() string {
	h := sha256.New()
	fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := staticFS.ReadFile(p)
		h.Write([]byte(p))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

// Console parses the console pages (html/template). Every file defines a
// template named after itself (leads.html → "leads"); layout.html holds
// the shared "head" and "foot". funcs adds the helpers pages call beyond
// ConsoleFuncs.
func Console(funcs htmltemplate.FuncMap) (*htmltemplate.Template, error) {
	t := htmltemplate.New("console").Option("missingkey=error").Funcs(ConsoleFuncs).Funcs(funcs)
	t, err := t.ParseFS(consoleFS, "console/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse console templates: %w", err)
	}
	files, _ := fs.Glob(consoleFS, "console/*.html")
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if t.Lookup(name) == nil {
			return nil, fmt.Errorf("console template file %s does not define %q", f, name)
		}
	}
	return t, nil
}

// ConsoleFuncs are the helpers console pages may call.
var ConsoleFuncs = htmltemplate.FuncMap{
	"static": func(name string) string { return "/console/static/" + name + "?v=" + StaticVersion },
	"wan":    formatWan,
	"date":   fmtTime("2006-01-02"),
	"clock":  fmtTime("2006-01-02 15:04"),
	"num":    func(n int64) string { return strconv.FormatInt(n, 10) },
	"inc":    func(i int) int { return i + 1 },
	"has":    slices.Contains[[]string],
}

func fmtTime(layout string) func(t time.Time) string {
	return func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(shanghai).Format(layout)
	}
}

var wechatEscaper = strings.NewReplacer("<", "＜", ">", "＞")

// EscapeWeChat replaces the angle brackets WeChat's text messages read as
// tags with their full-width forms.
func EscapeWeChat(s string) string { return wechatEscaper.Replace(s) }

var markdownEscaper = strings.NewReplacer(
	"<", "＜", ">", "＞", "[", "【", "]", "】", "(", "（", ")", "）", "#", "＃", "*", "＊", "_", "＿",
	"`", "｀", "\\", "＼", "\r\n", " ", "\n", " ", "\r", " ",
)

// EscapeMarkdown makes s one line of plain text in WeCom markdown.
func EscapeMarkdown(s string) string { return markdownEscaper.Replace(s) }
