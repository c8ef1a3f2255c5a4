package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/suzhou-amr/suzhirong"

// imports returns the imports of a folder's non-test Go files.
func imports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			p := strings.Trim(im.Path.Value, `"`)
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// The import rules the README states, as far as the code keeps them today:
// the engine is pure, templates and seeds know no service package, and
// nothing below points up at the pipeline or the routes. (handlers still
// imports store; the architecture issue is to end that.)
func TestImportRules(t *testing.T) {
	forbidden := map[string][]string{
		"domain":    {module + "/", "github.com/", "gorm.io", "golang.org/"},
		"dialog":    {module + "/", "github.com/gin-gonic", "gorm.io", "github.com/redis", "github.com/silenceper", "net/http", "database/sql"},
		"templates": {module + "/"},
		"seeds":     {module + "/bot", module + "/store", module + "/handlers", "gorm.io", "github.com/redis"},
		"store":     {module + "/bot", module + "/handlers", "github.com/gin-gonic", "github.com/silenceper"},
		"bot":       {module + "/handlers", module + "/app", module + "/admin", "github.com/gin-gonic"},
		"wechat":    {module + "/", "github.com/gin-gonic", "gorm.io"},
		"leads":     {module + "/bot", module + "/admin", module + "/handlers", module + "/app", "github.com/gin-gonic"},
		"admin":     {module + "/bot", module + "/handlers", module + "/app", "github.com/gin-gonic"},
	}
	allowed := map[string][]string{
		"dialog": {module + "/domain"},
		"seeds":  {module + "/dialog", module + "/domain"},
		"store":  {module + "/dialog", module + "/domain"},
		"wechat": {module + "/domain"},
	}
	for dir, bad := range forbidden {
		for _, im := range imports(t, dir) {
			for _, b := range bad {
				if strings.HasPrefix(im, b) && !slices.Contains(allowed[dir], im) {
					t.Errorf("%s imports %s", dir, im)
				}
			}
		}
	}
}
