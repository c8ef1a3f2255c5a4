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

// stdlib reports whether an import path is the standard library's.
func stdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// The import rules the README states (one direction, ardanlabs-style):
// the domain imports only the standard library; the dialogue engine only
// the domain; the WeChat protocol neither the engine nor the store; the
// use cases and the store never the pipeline, the routes or the wiring;
// the routes never the store, gorm or go-redis; the lead use cases reach
// the store only through their own repository interfaces (leads/repo.go). Only main and app import
// everything.
func TestImportRules(t *testing.T) {
	forbidden := map[string][]string{
		"domain":    {module + "/"},
		"dialog":    {module + "/", "github.com/gin-gonic", "gorm.io", "github.com/redis", "github.com/silenceper", "net/http", "database/sql"},
		"templates": {module + "/"},
		"seeds":     {module + "/bot", module + "/store", module + "/handlers", "gorm.io", "github.com/redis"},
		"wechat":    {module + "/", "github.com/gin-gonic", "gorm.io"},
		"store":     {module + "/bot", module + "/leads", module + "/admin", module + "/handlers", module + "/app", module + "/wechat", "github.com/gin-gonic", "github.com/silenceper"},
		"leads":     {module + "/bot", module + "/admin", module + "/handlers", module + "/app", "github.com/gin-gonic", module + "/store", "gorm.io", "github.com/redis"},
		"admin":     {module + "/bot", module + "/handlers", module + "/app", module + "/store", "github.com/gin-gonic", "gorm.io", "github.com/redis"},
		"bot":       {module + "/handlers", module + "/app", module + "/admin", "github.com/gin-gonic"},
		"handlers":  {module + "/store", module + "/app", "gorm.io", "github.com/redis"},
	}
	allowed := map[string][]string{
		"dialog": {module + "/domain"},
		"seeds":  {module + "/dialog", module + "/domain"},
		"wechat": {module + "/domain"},
	}
	stdlibOnly := map[string]bool{"domain": true}
	for dir, bad := range forbidden {
		for _, im := range imports(t, dir) {
			if stdlibOnly[dir] && !stdlib(im) {
				t.Errorf("%s imports %s: it may import only the standard library", dir, im)
			}
			for _, b := range bad {
				if strings.HasPrefix(im, b) && !slices.Contains(allowed[dir], im) {
					t.Errorf("%s imports %s", dir, im)
				}
			}
		}
	}
	// dialog: the standard library and the domain, and two pure text
	// libraries of the understanding layer (traditional → simplified
	// Chinese from embedded dictionaries, and pinyin for typo correction):
	// no I/O, no clock, no state between calls.
	pureText := []string{"github.com/longbridgeapp/opencc", "github.com/mozillazg/go-pinyin"}
	for _, im := range imports(t, "dialog") {
		if !stdlib(im) && im != module+"/domain" && !slices.Contains(pureText, im) {
			t.Errorf("dialog imports %s: it may import only the standard library and the domain", im)
		}
	}
}

// Who may do what is checked once, in the use cases, against the permission
// table: handlers may ask Can (to show or hide a button) but never enforce
// with Require.
func TestHandlersDoNotEnforcePermissions(t *testing.T) {
	files, err := filepath.Glob("handlers/*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(src), ".Require(domain.") {
			t.Errorf("%s checks a permission itself; the use case does", f)
		}
	}
}
