package main

import (
	"testing"

	"github.com/silenceper/wechat/v2/officialaccount/menu"

	"github.com/suzhou-amr/suzhirong/handlers"
)

// TestSimulatorMenuMatchesCustomMenu keeps the simulator's menu buttons
// equal to the menu `go run . menu sync` pushes to WeChat.
func TestSimulatorMenuMatchesCustomMenu(t *testing.T) {
	var flatten func(bs []*menu.Button) []string
	flatten = func(bs []*menu.Button) []string {
		var out []string
		for _, b := range bs {
			out = append(out, b.Name+"|"+b.Key)
			out = append(out, flatten(b.SubButtons)...)
		}
		return out
	}
	var flattenSim func(bs []handlers.MenuButton) []string
	flattenSim = func(bs []handlers.MenuButton) []string {
		var out []string
		for _, b := range bs {
			out = append(out, b.Name+"|"+b.Key)
			out = append(out, flattenSim(b.Subs)...)
		}
		return out
	}
	want, got := flatten(customMenu()), flattenSim(handlers.SimulatorMenu)
	if len(want) != len(got) {
		t.Fatalf("simulator menu %v, custom menu %v", got, want)
	}
	for i := range want {
		if want[i] != got[i] {
			t.Errorf("button %d: simulator %q, custom menu %q", i, got[i], want[i])
		}
	}
}
