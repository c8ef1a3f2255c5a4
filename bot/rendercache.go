package bot

import (
	"sync"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// menuRenders caches the rendered main menu, the most frequent reply of
// all: its text depends only on the options (a fixed list in dialog, keyed
// here by its array, so that a different list renders afresh) and on the
// follower's tier. TestMenuRenderCache renders every tier with varied
// profiles both ways, so a template that starts reading another field
// fails there instead of answering stale text.
type menuRenders struct {
	mu    sync.RWMutex
	texts map[menuKey]string
}

type menuKey struct {
	options *dialog.Option // the options' array: a real pointer keeps it alive, so the key stays unique
	n       int
	tier    dialog.Tier
}

const maxMenuRenders = 64

func (c *menuRenders) key(d dialog.MenuData) (menuKey, bool) {
	if len(d.Options) == 0 {
		return menuKey{}, false
	}
	return menuKey{&d.Options[0], len(d.Options), d.Profile.Tier}, true
}

func (c *menuRenders) get(k menuKey) (string, bool) {
	c.mu.RLock()
	s, ok := c.texts[k]
	c.mu.RUnlock()
	return s, ok
}

func (c *menuRenders) put(k menuKey, s string) {
	c.mu.Lock()
	if c.texts == nil || len(c.texts) >= maxMenuRenders {
		c.texts = make(map[menuKey]string)
	}
	c.texts[k] = s
	c.mu.Unlock()
}
