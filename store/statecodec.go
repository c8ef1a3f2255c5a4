package store

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The state record is JSON (stateRecord), read and written on every push.
// encodeRecord writes the same bytes as json.Marshal without reflection,
// and decodeRecord reads the records it writes without reflection, giving
// up on anything else (escapes, white space, null, unknown keys, floats…)
// for json.Unmarshal to decide. The format does not change, so records
// stay readable by the previous release and by any JSON reader.
// FuzzStateCodec checks both against encoding/json.

// encodeRecord returns json.Marshal(r).
func encodeRecord(r stateRecord) []byte {
	b := make([]byte, 0, 160)
	b = append(b, `{"r":`...)
	b = strconv.AppendInt(b, r.R, 10)
	b = append(b, `,"v":`...)
	b = strconv.AppendInt(b, int64(r.V), 10)
	if r.Flow != "" {
		b = appendKeyString(b, "flow", r.Flow)
	}
	if r.Step != "" {
		b = appendKeyString(b, "step", r.Step)
	}
	if len(r.History) > 0 {
		b = appendKeyStrings(b, "hist", r.History)
	}
	if len(r.Fields) > 0 {
		b = append(b, `,"fields":{`...)
		keys := make([]string, 0, len(r.Fields))
		for k := range r.Fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, r.Fields[k])
		}
		b = append(b, '}')
	}
	if len(r.Picks) > 0 {
		b = appendKeyStrings(b, "picks", r.Picks)
	}
	if r.Tier != 0 {
		b = append(b, `,"tier":`...)
		b = strconv.AppendInt(b, int64(r.Tier), 10)
	}
	if len(r.Criteria) > 0 {
		b = appendKeyStrings(b, "crit", r.Criteria)
	}
	if r.CheckedAt != 0 {
		b = append(b, `,"checked":`...)
		b = strconv.AppendInt(b, r.CheckedAt, 10)
	}
	if r.County != "" {
		b = appendKeyString(b, "county", r.County)
	}
	if r.Applied != 0 {
		b = append(b, `,"app":`...)
		b = strconv.AppendInt(b, int64(r.Applied), 10)
	}
	if r.Ticket != 0 {
		b = append(b, `,"tk":`...)
		b = strconv.AppendInt(b, r.Ticket, 10)
	}
	if r.Unplaced != "" {
		b = appendKeyString(b, "unp", r.Unplaced)
	}
	for _, kv := range [...]struct{ k, v string }{
		{"en", r.EntName}, {"ec", r.EntCode}, {"eco", r.EntCounty}, {"ect", r.Contact}, {"eph", r.EntPhone}, {"staff", r.Staff}, {"topic", r.Topic},
	} {
		if kv.v != "" {
			b = appendKeyString(b, kv.k, kv.v)
		}
	}
	b = append(b, `,"at":`...)
	b = strconv.AppendInt(b, r.Updated, 10)
	return append(b, '}')
}

func appendKeyString(b []byte, key, s string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendString(b, s)
}

func appendKeyStrings(b []byte, key string, ss []string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':', '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendString writes s as encoding/json does: as it is when nothing in
// it needs an escape, else through json.Marshal.
func appendString(b []byte, s string) []byte {
	if plainString(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}

// plainString reports whether encoding/json writes s without escapes:
// valid UTF-8 with no control character, quote, backslash, <, >, & or
// U+2028/U+2029.
func plainString(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}

// decodeRecord reads a record in the shape encodeRecord writes; ok is
// false for anything else, and the caller falls back to json.Unmarshal.
func decodeRecord(raw []byte) (r stateRecord, ok bool) {
	return decodeRecordString(string(raw))
}

// decodeRecordString is decodeRecord of a string, as Redis' reply holds it:
// the record's strings are slices of raw, not copies.
func decodeRecordString(raw string) (r stateRecord, ok bool) {
	d := recordDecoder{b: raw}
	if !d.byte('{') {
		return r, false
	}
	var seen uint32
	for first := true; ; first = false {
		if d.byte('}') {
			return r, d.p == len(d.b)
		}
		if !first && !d.byte(',') {
			return r, false
		}
		key, ok := d.string()
		if !ok || !d.byte(':') {
			return r, false
		}
		var bit uint32
		switch key {
		case "r":
			bit, ok = 1<<0, d.int(&r.R)
		case "v":
			var v int64
			bit, ok = 1<<1, d.int(&v)
			r.V = int(v)
		case "flow":
			bit = 1 << 2
			r.Flow, ok = d.string()
		case "step":
			bit = 1 << 3
			r.Step, ok = d.string()
		case "hist":
			bit = 1 << 4
			r.History, ok = d.strings()
		case "fields":
			bit = 1 << 5
			r.Fields, ok = d.object()
		case "picks":
			bit = 1 << 6
			r.Picks, ok = d.strings()
		case "tier":
			var v int64
			bit, ok = 1<<7, d.int(&v)
			r.Tier = int(v)
		case "crit":
			bit = 1 << 8
			r.Criteria, ok = d.strings()
		case "checked":
			bit, ok = 1<<9, d.int(&r.CheckedAt)
		case "county":
			bit = 1 << 10
			r.County, ok = d.string()
		case "app":
			var v int64
			bit, ok = 1<<12, d.int(&v)
			r.Applied = int(v)
		case "tk":
			bit, ok = 1<<13, d.int(&r.Ticket)
		case "unp":
			bit = 1 << 21
			r.Unplaced, ok = d.string()
		case "en":
			bit = 1 << 14
			r.EntName, ok = d.string()
		case "ec":
			bit = 1 << 15
			r.EntCode, ok = d.string()
		case "eco":
			bit = 1 << 16
			r.EntCounty, ok = d.string()
		case "ect":
			bit = 1 << 17
			r.Contact, ok = d.string()
		case "eph":
			bit = 1 << 18
			r.EntPhone, ok = d.string()
		case "staff":
			bit = 1 << 19
			r.Staff, ok = d.string()
		case "topic":
			bit = 1 << 20
			r.Topic, ok = d.string()
		case "at":
			bit, ok = 1<<11, d.int(&r.Updated)
		default:
			return r, false
		}
		if !ok || seen&bit != 0 {
			return r, false
		}
		seen |= bit
	}
}

type recordDecoder struct {
	b string
	p int
}

func (d *recordDecoder) byte(c byte) bool {
	if d.p < len(d.b) && d.b[d.p] == c {
		d.p++
		return true
	}
	return false
}

// string reads a string without escapes, of valid UTF-8 and no control
// characters.
func (d *recordDecoder) string() (string, bool) {
	if !d.byte('"') {
		return "", false
	}
	end := strings.IndexByte(d.b[d.p:], '"')
	if end < 0 {
		return "", false
	}
	s := d.b[d.p : d.p+end]
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '\\' {
			return "", false
		}
	}
	if !utf8.ValidString(s) {
		return "", false
	}
	d.p += end + 1
	return s, true
}

// int reads an integer without sign or leading zero tricks beyond what
// strconv accepts for JSON: -?(0|[1-9][0-9]*).
func (d *recordDecoder) int(dst *int64) bool {
	start := d.p
	if d.p < len(d.b) && d.b[d.p] == '-' {
		d.p++
	}
	digits := d.p
	for d.p < len(d.b) && d.b[d.p] >= '0' && d.b[d.p] <= '9' {
		d.p++
	}
	if d.p == digits || d.b[digits] == '0' && d.p-digits > 1 {
		return false
	}
	n, err := strconv.ParseInt(d.b[start:d.p], 10, 64)
	if err != nil {
		return false
	}
	*dst = n
	return true
}

func (d *recordDecoder) strings() ([]string, bool) {
	if !d.byte('[') {
		return nil, false
	}
	out := []string{}
	if d.byte(']') {
		return out, true
	}
	for {
		s, ok := d.string()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if d.byte(']') {
			return out, true
		}
		if !d.byte(',') {
			return nil, false
		}
	}
}

func (d *recordDecoder) object() (map[string]string, bool) {
	if !d.byte('{') {
		return nil, false
	}
	out := map[string]string{}
	if d.byte('}') {
		return out, true
	}
	for {
		k, ok := d.string()
		if !ok || !d.byte(':') {
			return nil, false
		}
		v, ok := d.string()
		if !ok {
			return nil, false
		}
		if _, dup := out[k]; dup {
			return nil, false
		}
		out[k] = v
		if d.byte('}') {
			return out, true
		}
		if !d.byte(',') {
			return nil, false
		}
	}
}
