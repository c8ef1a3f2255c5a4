// Package templates holds every text a person reads: the bot's replies
// (text/template) and the console's pages (html/template), embedded and
// parsed once at start-up.
package templates

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
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
