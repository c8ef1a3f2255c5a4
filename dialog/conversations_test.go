package dialog_test

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// The conversation sets of issue 22 (dialog/testdata/conv_*.yaml and
// first_*.yaml): scripted multi-turn conversations and first messages, each
// with what the user must see at each turn and what must be filed. Each set
// has a tuning part and a held-out part; the held-out part's misses are
// shown only with SHOW_HELDOUT_MISSES=1, so that tuning never reads them.

// convFile is one file of scripted conversations.
type convFile struct {
	Setups map[string][]string `yaml:"setups"`
	Convs  []convSpec          `yaml:"convs"`
}

type convSpec struct {
	Name  string            `yaml:"name"`
	Kind  string            `yaml:"kind"`
	From  []string          `yaml:"from"`
	Says  []string          `yaml:"says"`
	Want  []string          `yaml:"want"`
	Turns []string          `yaml:"turns"`
	Lead  yaml.Node         `yaml:"lead"`
	lead  map[string]string // decoded Lead; nil when not checked
	none  bool              // lead: none
}

// script is one conversation to play.
type script struct {
	name, kind string
	turns      []scriptTurn
	lead       map[string]string
	none       bool
}

type scriptTurn struct {
	text  string
	wants []string
	setup bool // a setup message: nothing is checked
}

var codeRef = regexp.MustCompile(`\{code:(\d{6})\}`)

// expandCodes replaces {code:320583} by a valid credit code of that division.
func expandCodes(tb testing.TB, s string) string {
	return codeRef.ReplaceAllStringFunc(s, func(m string) string {
		return formCode(tb, codeRef.FindStringSubmatch(m)[1])
	})
}

func parseTurn(tb testing.TB, s string) scriptTurn {
	parts := strings.Split(s, " | ")
	t := scriptTurn{text: expandCodes(tb, strings.TrimSpace(parts[0]))}
	for _, w := range parts[1:] {
		t.wants = append(t.wants, strings.TrimSpace(w))
	}
	return t
}

func mustScripts(tb testing.TB, file string) []script {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + file)
	if err != nil {
		tb.Fatal(err)
	}
	var f convFile
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		tb.Fatalf("%s: %v", file, err)
	}
	var out []script
	for _, c := range f.Convs {
		switch {
		case c.Lead.Kind == yaml.ScalarNode && c.Lead.Value == "none":
			c.none = true
		case c.Lead.Kind == yaml.MappingNode:
			if err := c.Lead.Decode(&c.lead); err != nil {
				tb.Fatalf("%s %s: lead: %v", file, c.Name, err)
			}
		case c.Lead.Kind != 0:
			tb.Fatalf("%s %s: lead is none or a map", file, c.Name)
		}
		from := c.From
		if len(from) == 0 {
			from = []string{""}
		}
		says := c.Says
		if len(says) == 0 {
			says = []string{""}
		}
		for _, f0 := range from {
			setup, ok := f.Setups[f0]
			if f0 != "" && !ok {
				tb.Fatalf("%s %s: unknown setup %q", file, c.Name, f0)
			}
			for _, say := range says {
				s := script{name: c.Name, kind: c.Kind, none: c.none, lead: map[string]string{}}
				if f0 != "" {
					s.name += " from " + f0
				}
				for _, m := range setup {
					s.turns = append(s.turns, scriptTurn{text: expandCodes(tb, m), setup: true})
				}
				if say != "" {
					s.name += ": " + say
					s.turns = append(s.turns, scriptTurn{text: say, wants: c.Want})
				}
				for _, tt := range c.Turns {
					s.turns = append(s.turns, parseTurn(tb, tt))
				}
				for k, v := range c.lead {
					s.lead[k] = expandCodes(tb, v)
				}
				if c.lead == nil {
					s.lead = nil
				}
				out = append(out, s)
			}
		}
	}
	return out
}

// checkTurn returns what the last message's replies and state miss of wants.
func checkTurn(c *chat, before dialog.State, wants []string) []string {
	var errs []string
	text := c.text()
	for _, w := range wants {
		ok := true
		switch {
		case strings.HasPrefix(w, "!@"):
			ok = !c.has(w[2:])
		case strings.HasPrefix(w, "@"):
			ok = c.has(w[1:])
		case strings.HasPrefix(w, "!~"):
			ok = !strings.Contains(text, w[2:])
		case strings.HasPrefix(w, "~"):
			ok = strings.Contains(text, w[1:])
		case w == "=idle":
			ok = c.s.Idle()
		case w == "=same":
			ok = c.s.Flow == before.Flow && c.s.Step == before.Step
		case strings.HasPrefix(w, "="):
			want := strings.Replace(w[1:], "%", before.Flow, 1)
			ok = c.s.Flow+"."+c.s.Step == want
		case strings.HasPrefix(w, "rate="):
			ok = false
			for _, e := range c.effects {
				if r, is := e.(dialog.RateService); is && strconv.Itoa(r.Level) == w[5:] {
					ok = true
				}
			}
		case strings.HasPrefix(w, "!+"):
			for _, e := range c.effects {
				if reflect.TypeOf(e).Name() == w[2:] {
					ok = false
				}
			}
		case strings.HasPrefix(w, "+"):
			ok = false
			for _, e := range c.effects {
				if reflect.TypeOf(e).Name() == w[1:] {
					ok = true
				}
			}
		default:
			errs = append(errs, "unknown expectation "+w)
			continue
		}
		if !ok {
			errs = append(errs, fmt.Sprintf("want %s, got %s.%s %v", w, c.s.Flow, c.s.Step, c.names()))
		}
	}
	if c.s.Flow == "" && len(c.replies) == 0 && len(c.effects) == 0 {
		errs = append(errs, "silence")
	}
	return errs
}

// leadFields are the fields of a filed lead, as the scripts name them.
func leadFields(l dialog.SubmitLead) map[string]string {
	return map[string]string{
		"name": l.EnterpriseName, "code": l.CreditCode, "county": l.County, "contact": l.Contact,
		"phone": l.Phone, "product": l.Product, "amount": strconv.FormatFloat(l.AmountWan, 'f', -1, 64),
		"term": strconv.Itoa(l.TermMonths), "purpose": l.Purpose, "note": l.Note,
	}
}

// ratingSetups are setup messages that stand for the lead pipeline: the
// follower's application closed and it was asked for a rating half a
// minute after its last message (@rating-asked), or could not be asked
// (@rating-unasked); a non-zero AskedAt is replaced by that time.
var ratingSetups = map[string]dialog.RatingDue{
	"@rating-asked":   {Lead: "SZR-20261201-0001", Kind: "need", AskedAt: time.Unix(1, 0)},
	"@rating-unasked": {Lead: "SZR-20261201-0001", Kind: "apply"},
}

// play runs one script and returns what went wrong.
func play(tb testing.TB, sc script) []string {
	c := newChat(tb, dialog.Profile{})
	var leads []dialog.SubmitLead
	var errs []string
	for i, tt := range sc.turns {
		before := c.s
		if due, ok := ratingSetups[tt.text]; ok {
			// The lead pipeline asked for a rating (or closed the lead
			// outside the 48-hour window) after the last message.
			if due.AskedAt.IsZero() {
				due.AskedAt = time.Time{}
			} else {
				due.AskedAt = c.at.Add(30 * time.Second)
			}
			c.s.Profile.Rating = due
			continue
		}
		c.send(tt.text)
		for _, e := range c.effects {
			if l, ok := e.(dialog.SubmitLead); ok {
				leads = append(leads, l)
			}
		}
		if tt.setup {
			continue
		}
		for _, e := range checkTurn(c, before, tt.wants) {
			errs = append(errs, fmt.Sprintf("turn %d %q: %s\n    %s", i+1, tt.text, e, strings.ReplaceAll(c.text(), "\n", " ⏎ ")))
		}
	}
	switch {
	case sc.none && len(leads) > 0:
		errs = append(errs, fmt.Sprintf("filed %+v, want no lead", leads))
	case sc.lead != nil && len(leads) != 1:
		errs = append(errs, fmt.Sprintf("%d leads filed, want 1", len(leads)))
	case sc.lead != nil:
		got := leadFields(leads[0])
		for k, v := range sc.lead {
			if got[k] != v {
				errs = append(errs, fmt.Sprintf("lead %s = %q, want %q", k, got[k], v))
			}
		}
	}
	return errs
}

// firstMessage is one labelled first message of first_*.yaml.
type firstMessage struct {
	Text   string   `yaml:"text"`
	Kind   string   `yaml:"kind"`
	Want   []string `yaml:"want"`
	Amount float64  `yaml:"amount"`
}

func mustFirstMessages(tb testing.TB, file string) []firstMessage {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + file)
	if err != nil {
		tb.Fatal(err)
	}
	var ms []firstMessage
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&ms); err != nil {
		tb.Fatalf("%s: %v", file, err)
	}
	return ms
}

// tally counts passes per kind.
type tally map[string]*[2]int

func (t tally) add(kind string, ok bool) {
	if t[kind] == nil {
		t[kind] = &[2]int{}
	}
	t[kind][1]++
	if ok {
		t[kind][0]++
	}
}

func (t tally) report() (string, float64) {
	kinds := make([]string, 0, len(t))
	right, all := 0, 0
	for k, v := range t {
		kinds = append(kinds, k)
		right += v[0]
		all += v[1]
	}
	sort.Strings(kinds)
	var b strings.Builder
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %-9s %3d/%-3d %5.1f%%\n", k, t[k][0], t[k][1], 100*float64(t[k][0])/float64(t[k][1]))
	}
	acc := float64(right) / float64(max(all, 1))
	fmt.Fprintf(&b, "  %-9s %3d/%-3d %5.1f%%", "all", right, all, 100*acc)
	return b.String(), acc
}

// repairFloor is what each part must keep: just under what it measured at
// the end of issue 22 (bench/RESULTS.md), so that a regression fails. The
// fresh parts were written after all tuning and scored once, untouched
// (82.7% and 88.0%); round 3 likewise after the word lists were widened
// (72.5% and 88.9%). General changes made after seeing only their per-kind
// counts (wider word lists; the intent matcher reading short messages)
// raised them to 100%/96.0% and 84.3%/88.9%; the floors hold that line.
// No sentence of theirs was copied into a list or a paraphrase.
var repairFloor = map[string]float64{
	"conv_tune.yaml": 0.99, "conv_heldout.yaml": 0.98, "conv_fresh.yaml": 0.98,
	"first_tune.yaml": 0.98, "first_heldout.yaml": 0.97, "first_fresh.yaml": 0.95,
	"conv_round3.yaml": 0.84, "first_round3.yaml": 0.88,
	"conv27_tune.yaml": 0.99, "conv27_heldout.yaml": 0.94, // issue 27: baseline 13.6% and 11.1%
	"conv27_fresh.yaml": 0.97, // feedback and 好差评: written after tuning, scored once at 100% (43/43)
}

func showMisses(part string) bool {
	held := strings.Contains(part, "heldout") || strings.Contains(part, "fresh") || strings.Contains(part, "round3")
	return !held || os.Getenv("SHOW_HELDOUT_MISSES") != ""
}

func TestConversations(t *testing.T) {
	t.Parallel()
	for _, part := range []string{"conv_tune.yaml", "conv_heldout.yaml", "conv_fresh.yaml", "conv_round3.yaml", "conv27_tune.yaml", "conv27_heldout.yaml", "conv27_fresh.yaml"} {
		t.Run(part, func(t *testing.T) {
			scripts := mustScripts(t, part)
			tl := tally{}
			for _, sc := range scripts {
				errs := play(t, sc)
				tl.add(sc.kind, len(errs) == 0)
				if len(errs) > 0 && showMisses(part) {
					t.Logf("miss: %s\n  %s", sc.name, strings.Join(errs, "\n  "))
				}
			}
			rep, acc := tl.report()
			t.Logf("%s: %d conversations\n%s", part, len(scripts), rep)
			if acc < repairFloor[part] {
				t.Errorf("%s: %.1f%% under the floor %.1f%%", part, 100*acc, 100*repairFloor[part])
			}
		})
	}
}

func TestFirstMessages(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	for _, part := range []string{"first_tune.yaml", "first_heldout.yaml", "first_fresh.yaml", "first_round3.yaml"} {
		t.Run(part, func(t *testing.T) {
			tl := tally{}
			for _, m := range mustFirstMessages(t, part) {
				c := newChat(t, dialog.Profile{})
				c.send(m.Text)
				errs := checkTurn(c, dialog.State{}, m.Want)
				if m.Amount != 0 {
					if got := p.Understand(m.Text).Slots.AmountWan; got != m.Amount {
						errs = append(errs, fmt.Sprintf("amount %v, want %v", got, m.Amount))
					}
				}
				tl.add(m.Kind, len(errs) == 0)
				if len(errs) > 0 && showMisses(part) {
					t.Logf("miss: %q: %s\n    %s", m.Text, strings.Join(errs, "; "), strings.ReplaceAll(c.text(), "\n", " ⏎ "))
				}
			}
			rep, acc := tl.report()
			t.Logf("%s\n%s", part, rep)
			if acc < repairFloor[part] {
				t.Errorf("%s: %.1f%% under the floor %.1f%%", part, 100*acc, 100*repairFloor[part])
			}
		})
	}
}
