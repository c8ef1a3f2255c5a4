package bot

import (
	"encoding/binary"
	"math"
	"reflect"
	"sync"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// renderCache keeps rendered replies by template name and the content of
// their data. Most replies repeat: the menu per tier, the self-check's
// questions, a tier's criteria, the products, the contacts — data drawn
// from the policy, the same for every follower. Templates are pure (their
// functions and the data's methods compute from the data alone), so equal
// data renders equal text.
//
// The key is the data's full content, written out by reflection (every
// field, exported or not, since a method may read it; slices and pointers
// followed; an interface's dynamic type included), not a hash: two keys are
// equal only when the data is. Data holding a map, a func or a channel, or
// nested deeper than maxKeyDepth, or a key longer than maxKeyBytes, is
// rendered every time. The cache holds at most maxRenders texts and starts
// over when full, so replies with per-follower data (amounts, names) cost a
// miss and little memory.
type renderCache struct {
	mu    sync.RWMutex
	texts map[string]string
	bufs  sync.Pool
}

const (
	maxRenders  = 1024
	maxKeyBytes = 16 << 10
	maxKeyDepth = 12
)

// key returns the cache key of r, or ok false when r is not cacheable. buf
// is scratch space for it.
func renderKey(buf []byte, r dialog.Reply) ([]byte, bool) {
	buf = append(buf, r.Name...)
	buf = append(buf, 0)
	return appendValue(buf, reflect.ValueOf(&r.Data).Elem(), 0)
}

var timeType = reflect.TypeFor[time.Time]()

// appendValue writes v's content to buf, tagged by kind so that different
// shapes never write the same bytes.
func appendValue(buf []byte, v reflect.Value, depth int) ([]byte, bool) {
	if depth > maxKeyDepth || len(buf) > maxKeyBytes {
		return buf, false
	}
	switch v.Kind() {
	case reflect.Invalid:
		return append(buf, 'n'), true
	case reflect.Bool:
		if v.Bool() {
			return append(buf, 'T'), true
		}
		return append(buf, 'F'), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return binary.AppendVarint(append(buf, 'i'), v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return binary.AppendUvarint(append(buf, 'u'), v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return binary.LittleEndian.AppendUint64(append(buf, 'f'), math.Float64bits(v.Float())), true
	case reflect.String:
		s := v.String()
		buf = binary.AppendUvarint(append(buf, 's'), uint64(len(s)))
		return append(buf, s...), true
	case reflect.Interface:
		if v.IsNil() {
			return append(buf, 'n'), true
		}
		e := v.Elem()
		name := e.Type().String()
		buf = binary.AppendUvarint(append(buf, 'I'), uint64(len(name)))
		return appendValue(append(buf, name...), e, depth+1)
	case reflect.Pointer:
		if v.IsNil() {
			return append(buf, 'n'), true
		}
		return appendValue(append(buf, 'p'), v.Elem(), depth+1)
	case reflect.Slice:
		if v.IsNil() {
			return append(buf, 'n'), true
		}
		fallthrough
	case reflect.Array:
		buf = binary.AppendUvarint(append(buf, 'L'), uint64(v.Len()))
		for i := range v.Len() {
			var ok bool
			if buf, ok = appendValue(buf, v.Index(i), depth+1); !ok {
				return buf, false
			}
		}
		return buf, true
	case reflect.Struct:
		if v.Type() == timeType {
			if !v.CanInterface() {
				return buf, false
			}
			t := v.Interface().(time.Time)
			name := t.Location().String()
			_, offset := t.Zone()
			buf = binary.AppendVarint(append(buf, 't'), t.UnixNano())
			buf = binary.AppendVarint(buf, int64(offset))
			buf = binary.AppendUvarint(buf, uint64(len(name)))
			return append(buf, name...), true
		}
		buf = append(buf, 'S')
		for i := range v.NumField() {
			var ok bool
			if buf, ok = appendValue(buf, v.Field(i), depth+1); !ok {
				return buf, false
			}
		}
		return buf, true
	}
	return buf, false // map, func, chan, complex, unsafe pointer
}

// render returns the text of r from the cache, or renders and keeps it.
func (c *renderCache) render(r dialog.Reply, execute func(dialog.Reply) (string, error)) (string, error) {
	bp, _ := c.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer c.bufs.Put(bp)
	key, ok := renderKey((*bp)[:0], r)
	*bp = key[:0]
	if !ok {
		return execute(r)
	}
	c.mu.RLock()
	s, hit := c.texts[string(key)]
	c.mu.RUnlock()
	if hit {
		return s, nil
	}
	s, err := execute(r)
	if err != nil {
		return s, err
	}
	c.mu.Lock()
	if c.texts == nil || len(c.texts) >= maxRenders {
		c.texts = make(map[string]string)
	}
	c.texts[string(key)] = s
	c.mu.Unlock()
	return s, nil
}
