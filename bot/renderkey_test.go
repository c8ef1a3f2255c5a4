package bot

import (
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// testName is a template name for keys only (no template is rendered).
const testName = "t"

type keyInner struct {
	n    int
	Tags []string
}

type keyData struct {
	Name  string
	In    keyInner
	P     *keyInner
	Any   any
	At    time.Time
	Amt   float64
	Flags [2]bool
}

// TestRenderKeyTellsDataApart checks that the render cache's key differs
// whenever anything a template could read differs, and refuses data it
// cannot write out faithfully.
func TestRenderKeyTellsDataApart(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	base := func() keyData {
		return keyData{Name: "a", In: keyInner{n: 1, Tags: []string{"x", "y"}}, P: &keyInner{n: 2}, Any: 3, At: at, Amt: 1.5}
	}
	variants := map[string]func(d *keyData){
		"string":          func(d *keyData) { d.Name = "b" },
		"unexported":      func(d *keyData) { d.In.n = 9 },
		"slice element":   func(d *keyData) { d.In.Tags = []string{"x", "z"} },
		"slice split":     func(d *keyData) { d.In.Tags = []string{"xy"} },
		"nil slice":       func(d *keyData) { d.In.Tags = nil },
		"pointer target":  func(d *keyData) { d.P = &keyInner{n: 3} },
		"nil pointer":     func(d *keyData) { d.P = nil },
		"interface type":  func(d *keyData) { d.Any = int64(3) },
		"interface value": func(d *keyData) { d.Any = "3" },
		"time":            func(d *keyData) { d.At = at.Add(time.Nanosecond) },
		"time zone":       func(d *keyData) { d.At = at.In(time.FixedZone("CST", 8*3600)) },
		"float":           func(d *keyData) { d.Amt = 1.25 },
		"array":           func(d *keyData) { d.Flags[1] = true },
	}
	key := func(name string, data any) string {
		k, ok := renderKey(nil, dialog.Reply{Name: name, Data: data})
		if !ok {
			t.Fatalf("%T not cacheable", data)
		}
		return string(k)
	}
	k0 := key("t", base())
	if key("t", base()) != k0 {
		t.Fatal("equal data, different keys")
	}
	if key("u", base()) == k0 {
		t.Error("the template name is not in the key")
	}
	for name, change := range variants {
		d := base()
		change(&d)
		if key("t", d) == k0 {
			t.Errorf("%s: same key for different data", name)
		}
	}
	for _, data := range []any{map[string]string{"a": "b"}, func() {}, make(chan int), struct{ M map[int]int }{}} {
		if _, ok := renderKey(nil, dialog.Reply{Name: testName, Data: data}); ok {
			t.Errorf("%T was cacheable", data)
		}
	}
	type loop struct{ Next *loop }
	l := &loop{}
	l.Next = l
	if _, ok := renderKey(nil, dialog.Reply{Name: testName, Data: l}); ok {
		t.Error("a cycle was cacheable")
	}
}
