package wechat

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// The flat parser reads WeChat's push XML in the one shape WeChat sends:
//
//	<xml><Name><![CDATA[value]]></Name><Name>value</Name>…</xml>
//
// a root named xml holding flat elements, each with one CDATA section or
// plain text, separated by nothing but spaces, tabs and newlines. It decodes
// that shape in about a tenth of encoding/xml's time and with no
// allocations but the strings it keeps. Anything else — a prolog, comments,
// attributes, entities, nested or self-closing elements, several CDATA
// sections, carriage returns, text outside the elements, a repeated field,
// characters XML does not allow — makes it give up, and the caller falls
// back to encoding/xml, which then decides. FuzzParseMessage checks that
// whenever the flat parser accepts a document, encoding/xml reads the same
// values from it.

// scanFlat calls field for each element of a flat push, in order, and
// reports whether the whole document had the flat shape. field returning
// false gives up too. The slices passed to field alias raw.
func scanFlat(raw []byte, field func(name, value []byte) bool) bool {
	p := skipSpace(raw, 0)
	if !bytes.HasPrefix(raw[p:], []byte("<xml>")) {
		return false
	}
	p += len("<xml>")
	for {
		p = skipSpace(raw, p)
		if p >= len(raw) || raw[p] != '<' {
			return false
		}
		if bytes.HasPrefix(raw[p:], []byte("</xml>")) {
			return skipSpace(raw, p+len("</xml>")) == len(raw)
		}
		// <Name>
		p++
		start := p
		for p < len(raw) && isNameByte(raw[p], p == start) {
			p++
		}
		if p == start || p >= len(raw) || raw[p] != '>' {
			return false
		}
		name := raw[start:p]
		p++
		// The value: one CDATA section, or text without markup.
		var value []byte
		if bytes.HasPrefix(raw[p:], []byte("<![CDATA[")) {
			p += len("<![CDATA[")
			end := bytes.Index(raw[p:], []byte("]]>"))
			if end < 0 {
				return false
			}
			value = raw[p : p+end]
			p += end + len("]]>")
		} else {
			end := bytes.IndexByte(raw[p:], '<')
			if end < 0 {
				return false
			}
			value = raw[p : p+end]
			if bytes.IndexByte(value, '&') >= 0 || bytes.IndexByte(value, '>') >= 0 {
				return false
			}
			p += end
		}
		if !xmlChars(value) {
			return false
		}
		// </Name>
		if len(raw)-p < len(name)+3 || raw[p] != '<' || raw[p+1] != '/' ||
			!bytes.Equal(raw[p+2:p+2+len(name)], name) || raw[p+2+len(name)] != '>' {
			return false
		}
		p += len(name) + 3
		if !field(name, value) {
			return false
		}
	}
}

func skipSpace(raw []byte, p int) int {
	for p < len(raw) && (raw[p] == ' ' || raw[p] == '\t' || raw[p] == '\n') {
		p++
	}
	return p
}

// isNameByte accepts ASCII letters, digits (not first) and underscores:
// WeChat's field names. Colons (namespaces), dots and dashes give up.
func isNameByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		return true
	case c >= '0' && c <= '9':
		return !first
	}
	return false
}

// xmlChars reports whether v is valid UTF-8 made of characters XML allows,
// without carriage returns (encoding/xml rewrites them).
func xmlChars(v []byte) bool {
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(v[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if r > 0xD7FF && r < 0xE000 || r > 0xFFFD && r < 0x10000 {
			return false
		}
		i += size
	}
	return true
}

// parseFlat decodes a flat push into m; ok is false when the document is
// not flat or a field does not decode, and the caller must fall back.
func parseFlat(raw []byte, m *Message) (ok bool) {
	var seen uint16
	once := func(bit uint16) bool {
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return true
	}
	return scanFlat(raw, func(name, v []byte) bool {
		switch string(name) {
		case "ToUserName":
			m.ToUserName = string(v)
			return once(1 << 0)
		case "FromUserName":
			m.FromUserName = string(v)
			return once(1 << 1)
		case "CreateTime":
			return once(1<<2) && flatInt(v, &m.CreateTime)
		case "MsgType":
			m.MsgType = string(v)
			return once(1 << 3)
		case "Content":
			m.Content = string(v)
			return once(1 << 4)
		case "MsgId":
			return once(1<<5) && flatInt(v, &m.MsgID)
		case "Event":
			m.Event = string(v)
			return once(1 << 6)
		case "EventKey":
			m.EventKey = string(v)
			return once(1 << 7)
		case "MsgID":
			return once(1<<8) && flatInt(v, &m.JobID)
		case "Status":
			m.Status = string(v)
			return once(1 << 9)
		case "TotalCount":
			return once(1<<10) && flatInt(v, &m.TotalCount)
		case "FilterCount":
			return once(1<<11) && flatInt(v, &m.FilterCount)
		case "SentCount":
			return once(1<<12) && flatInt(v, &m.SentCount)
		case "ErrorCount":
			return once(1<<13) && flatInt(v, &m.ErrorCount)
		case "Recognition":
			m.Recognition = string(v)
			return once(1 << 14)
		}
		return true // a field the service does not read
	})
}

// flatInt parses a decimal integer the way encoding/xml does for an int64
// field, except that it gives up (rather than fail) on anything else.
func flatInt(v []byte, dst *int64) bool {
	if len(v) == 0 {
		*dst = 0
		return true
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
	if err != nil {
		return false
	}
	*dst = n
	return true
}

// parseFlatEnvelope reads the Encrypt field of a flat encrypted push.
func parseFlatEnvelope(raw []byte) (encrypt string, ok bool) {
	seen := false
	ok = scanFlat(raw, func(name, v []byte) bool {
		if string(name) != "Encrypt" {
			return true
		}
		if seen {
			return false
		}
		seen = true
		encrypt = string(v)
		return true
	})
	return encrypt, ok
}
