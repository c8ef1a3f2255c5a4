package dialog_test

import (
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// TestMaterialsPerProduct: 要准备哪些材料 about a product lists that
// product's checklist from the seeds, each item cited where the notice
// speaks of it and marked 一般需要 where it does not.
func TestMaterialsPerProduct(t *testing.T) {
	p := MustChatPolicy(t)
	for _, pr := range p.Products {
		t.Run(pr.ID, func(t *testing.T) {
			if len(pr.Materials) == 0 {
				t.Fatal("no materials in the seeds")
			}
			c := newChat(t, dialog.Profile{}).send(pr.Name + "要准备哪些材料")
			if !c.has("practical_materials") {
				t.Fatalf("replies %v\n%s", c.names(), c.text())
			}
			cited, typical := 0, 0
			for _, m := range pr.Materials {
				want := m.Item + "（一般需要）"
				if m.Clause != "" {
					want, cited = m.Item+"（通知"+m.Clause+"）", cited+1
				} else {
					typical++
				}
				c.contains(want)
			}
			if cited == 0 || typical == 0 {
				t.Errorf("%d cited, %d typical items: each product has both", cited, typical)
			}
			for _, other := range p.Products {
				for _, m := range other.Materials {
					if other.ID != pr.ID && !hasMaterial(pr, m.Item) && strings.Contains(c.text(), "· "+m.Item+"（") {
						t.Errorf("shows %s's %q", other.Name, m.Item)
					}
				}
			}
		})
	}
}

func hasMaterial(pr dialog.Product, item string) bool {
	for _, m := range pr.Materials {
		if m.Item == item {
			return true
		}
	}
	return false
}
