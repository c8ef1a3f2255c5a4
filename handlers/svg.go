package handlers

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Charts for the dashboard, drawn on the server as inline SVG: no script,
// no CDN, and they print.

// series is one coloured part of every bar.
type series struct {
	Key    string // what the values count, e.g. a status
	Name   string
	Color  string
	Values []float64 // one per row
}

// barChart is a horizontal bar chart: one bar per row, the series stacked
// in it, the total written after the bar.
type barChart struct {
	Width  int // in pixels; chartWidth when zero
	Title  string
	Rows   []string
	Series []series
	Unit   string // after the totals, e.g. "件"
}

const (
	chartWidth  = 336 // fits a phone; wider charts give their Width
	labelWidth  = 150
	totalWidth  = 64
	rowHeight   = 26
	barHeight   = 16
	chartTop    = 8
	chartBottom = 22
)

func esc(s string) string { return html.EscapeString(s) }

func num(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// niceMax returns the top of the scale: four steps of 1, 2 or 5 times a
// power of ten (at least 1, as the charts count), so that the ticks are
// round numbers.
func niceMax(m float64) float64 {
	step := m / 4
	if step <= 1 {
		return 4
	}
	p := math.Pow(10, math.Floor(math.Log10(step)))
	for _, f := range []float64{1, 2, 5, 10} {
		if f*p >= step {
			return 4 * f * p
		}
	}
	return 40 * p
}

// narrowChartWidth is the width of the phone drawing of a chart: it fits a
// 390 px screen at its own size, so its texts stay 11–12 px.
const narrowChartWidth = chartWidth

// SVG renders the chart. Every text is escaped here, so the result is safe
// to put in a page as it is. A chart wider than a phone is drawn twice: at
// its width for desks and narrowChartWidth wide for phones, the page's CSS
// showing one of them.
func (ch barChart) SVG() template.HTML {
	width := ch.Width
	if width <= 0 {
		width = chartWidth
	}
	if width <= narrowChartWidth {
		return ch.draw(width, "chart")
	}
	return ch.draw(width, "chart chart-wide") + ch.draw(narrowChartWidth, "chart chart-narrow")
}

// labelSpace returns the room the row labels need at 12 px, at most labelWidth.
func (ch barChart) labelSpace() int {
	w := 0
	for _, r := range ch.Rows {
		n := 0
		for _, c := range r {
			if c < 0x80 {
				n += 7
			} else {
				n += 12
			}
		}
		w = max(w, n)
	}
	return min(w+12, labelWidth)
}

func (ch barChart) draw(width int, class string) template.HTML {
	labelWidth := labelWidth
	totalWidth := totalWidth
	if width <= narrowChartWidth {
		labelWidth, totalWidth = ch.labelSpace(), 40
	}
	totals := make([]float64, len(ch.Rows))
	for _, s := range ch.Series {
		for i := range ch.Rows {
			if i < len(s.Values) {
				totals[i] += s.Values[i]
			}
		}
	}
	maxTotal := 0.0
	for _, t := range totals {
		maxTotal = math.Max(maxTotal, t)
	}
	scaleMax := niceMax(maxTotal)
	plot := float64(width - labelWidth - totalWidth)
	height := chartTop + len(ch.Rows)*rowHeight + chartBottom
	var b strings.Builder
	// Drawn at its size in pixels, so texts keep the page's size; CSS
	// only shrinks it on a narrow screen.
	fmt.Fprintf(&b, `<svg class="%s" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		class, width, height, width, height, esc(ch.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(ch.Title))
	// Grid lines and the scale, at fifths of the nice maximum.
	for i := 0; i <= 4; i++ {
		v := scaleMax * float64(i) / 4
		x := float64(labelWidth) + plot*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e5e7eb"/>`, x, chartTop, x, height-chartBottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" fill="#6b7280" text-anchor="middle">%s</text>`, x, height-6, num(v))
	}
	for i, row := range ch.Rows {
		y := chartTop + i*rowHeight
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="#374151" text-anchor="end">%s</text>`,
			labelWidth-8, y+rowHeight/2+4, esc(row))
		x := float64(labelWidth)
		for _, s := range ch.Series {
			if i >= len(s.Values) || s.Values[i] <= 0 {
				continue
			}
			w := plot * s.Values[i] / scaleMax
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s · %s：%s%s</title></rect>`,
				x, y+(rowHeight-barHeight)/2, w, barHeight, esc(s.Color), esc(row), esc(s.Name), num(s.Values[i]), esc(ch.Unit))
			x += w
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12" fill="#111827">%s</text>`, x+6, y+rowHeight/2+4, num(totals[i]))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Legend lists the series with their colours, for charts of several.
func (ch barChart) Legend() template.HTML {
	if len(ch.Series) < 2 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<div class="legend">`)
	for _, s := range ch.Series {
		// A swatch in SVG: the pages' CSP allows no inline style attribute.
		fmt.Fprintf(&b, `<span><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" rx="2" fill="%s"/></svg> %s</span>`,
			esc(s.Color), esc(s.Name))
	}
	b.WriteString(`</div>`)
	return template.HTML(b.String())
}
