package handlers

import (
	"strings"
	"testing"
)

func TestNiceMax(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{{0, 4}, {3, 4}, {4, 4}, {5, 8}, {9, 20}, {37, 40}, {41, 80}, {950, 2000}} {
		if got := niceMax(c.in); got != c.want {
			t.Errorf("niceMax(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestBarChartEscapesAndStacks(t *testing.T) {
	ch := barChart{Title: `<script>"x"`, Rows: []string{"昆山市", "a&b"}, Unit: "件", Series: []series{
		{Name: "已提交", Color: "#f0b429", Values: []float64{2, 0}},
		{Name: "已受理", Color: "#4c8ee6", Values: []float64{1, 3}},
	}}
	svg := string(ch.SVG())
	if strings.Contains(svg, "<script>") || !strings.Contains(svg, "&lt;script&gt;") || !strings.Contains(svg, "a&amp;b") {
		t.Errorf("not escaped: %s", svg)
	}
	if n := strings.Count(svg, "<rect "); n != 3 { // the zero value draws nothing
		t.Errorf("%d bars, want 3", n)
	}
	if !strings.Contains(svg, "昆山市 · 已受理：1件") || !strings.Contains(svg, ">3</text>") {
		t.Errorf("totals or tooltips missing: %s", svg)
	}
	if !strings.Contains(string(ch.Legend()), "已受理") {
		t.Error("legend without the series")
	}
}
