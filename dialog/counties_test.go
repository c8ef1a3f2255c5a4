package dialog_test

import (
	"slices"
	"testing"
)

// The counties' names have one source (counties.yaml and the lexicon's
// counties): every name CountyWords gives finds its county through
// CountyByName, and the names the form's picker once listed on its own are
// among them.
func TestCountyNamesOneSource(t *testing.T) {
	t.Parallel()
	p := formPolicy(t)
	for _, c := range p.Counties {
		for _, w := range p.CountyWords(c) {
			if got, ok := p.CountyByName(w); !ok || got.ID != c.ID {
				t.Errorf("CountyByName(%q) = %s, %v; want %s", w, got.ID, ok, c.ID)
			}
		}
	}
	sip, _ := p.County("sip")
	gusu, _ := p.County("gusu")
	for c, words := range map[string][]string{sip.ID: {"园区", "工业园", "苏州工业园区"}, gusu.ID: {"平江", "沧浪", "姑苏"}} {
		cc, _ := p.County(c)
		for _, w := range words {
			if !slices.Contains(p.CountyWords(cc), w) {
				t.Errorf("%s lacks %q", c, w)
			}
		}
	}
}
