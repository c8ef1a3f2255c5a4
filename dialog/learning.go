package dialog

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// The learning loop: what the bot could not place is recorded (Unplaced),
// officers teach it in the console — a message becomes a paraphrase of an
// intent, or a new FAQ entry answers it — and the policy in force merges
// what was taught (WithTaught).

// Unplaced asks the caller to record a message the bot could not place.
// Text is masked (MaskPII); Folded is its normalised form, which counts
// repeats of the same message.
type Unplaced struct {
	Text   string
	Folded string
}

func (Unplaced) effect() {}

// maxUnplacedRunes bounds what is recorded of one message.
const maxUnplacedRunes = 200

var (
	piiEmail = regexp.MustCompile(`[\w.+-]+@[\w-]+(\.[\w-]+)+`)
	piiCode  = regexp.MustCompile(`(?i)\b[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}\b`)
)

// MaskPII hides what could identify a person or an enterprise in a message
// kept for officers: e-mail addresses, credit codes, numbers of seven
// digits or more however written (phones, ID cards, accounts: pii.go), and
// names after 联系人, 姓名, 我叫, 我是. Amounts and years stay readable.
func MaskPII(s string) string {
	s = toHalfWidth(s)
	s = piiEmail.ReplaceAllString(s, "〔邮箱〕")
	s = piiCode.ReplaceAllString(s, "〔证照号〕")
	s = maskNumbers(s)
	s = maskNames(s)
	if utf8.RuneCountInString(s) > maxUnplacedRunes {
		s = string([]rune(s)[:maxUnplacedRunes])
	}
	return strings.TrimSpace(s)
}

// Fold is the normalised form the matcher compares: the key under which
// repeats of an unplaced message are counted.
func (p *Policy) Fold(text string) string { return p.understanding().fold.fold(text) }

// recordUnplaced emits Unplaced for free text the bot could not place.
func (t *turn) recordUnplaced(text string) {
	masked := MaskPII(text)
	folded := t.p.Fold(masked)
	if folded == "" || isDigits(folded) { // an option number out of range
		return
	}
	t.emit(Unplaced{Text: masked, Folded: folded})
	t.recorded = true
}

// TaughtParaphrase is a message an officer attached to an intent.
type TaughtParaphrase struct {
	ID     uint64
	Intent string
	Text   string
}

// TaughtFAQIntent is the id of the intent that answers a taught FAQ entry.
func TaughtFAQIntent(faqID string) string { return "faq-" + faqID }

// WithTaught returns a copy of p that also knows what officers taught:
// paraphrases attached to intents (those of unknown intents are skipped),
// and FAQ entries, each answered by an intent of its own whose paraphrases
// are its question and what was attached to it. The copy is prepared; p is
// not modified.
func (p *Policy) WithTaught(paras []TaughtParaphrase, faqs []FAQ) *Policy {
	q := *p
	q.FAQs = append(append([]FAQ{}, p.FAQs...), faqs...)
	q.Intents = make([]Intent, len(p.Intents), len(p.Intents)+len(faqs))
	copy(q.Intents, p.Intents)
	for _, f := range faqs {
		title := []rune(f.Question)
		if len(title) > 20 {
			title = append(title[:19], '…')
		}
		q.Intents = append(q.Intents, Intent{
			ID: TaughtFAQIntent(f.ID), Title: string(title), Action: "faq", FAQ: f.ID,
			Paraphrases: []string{f.Question},
		})
	}
	for _, tp := range paras {
		for i := range q.Intents {
			if q.Intents[i].ID == tp.Intent {
				in := &q.Intents[i]
				in.Paraphrases = append(append([]string{}, in.Paraphrases...), tp.Text)
				break
			}
		}
	}
	q.Prepare()
	return &q
}

// FAQEdit is the version in force of an officer's edit of a seeded FAQ
// entry: its answer and clause. An entry whose answer is computed from the
// data (Topic) keeps computing it; only its clause is edited.
type FAQEdit struct {
	FAQ     string
	Answer  string
	Clause  string
	Version int
}

// ParaphraseRef names one seeded paraphrase of an intent.
type ParaphraseRef struct {
	Intent string
	Text   string
}

// WithEdits returns a prepared copy of p with officers' edits of the seeds:
// FAQ entries' answers and clauses replaced, and the paraphrases disabled
// left out of the index. Edits of entries p does not have are skipped; p
// is not modified.
func (p *Policy) WithEdits(edits []FAQEdit, disabled []ParaphraseRef) *Policy {
	q := *p
	q.FAQs = append([]FAQ{}, p.FAQs...)
	for _, e := range edits {
		for i := range q.FAQs {
			if f := &q.FAQs[i]; f.ID == e.FAQ {
				if f.Topic == "" && e.Answer != "" {
					f.Answer = e.Answer
				}
				if e.Clause != "" {
					f.Clause = e.Clause
				}
			}
		}
	}
	if len(disabled) > 0 {
		off := make(map[ParaphraseRef]bool, len(disabled))
		for _, d := range disabled {
			off[d] = true
		}
		q.Intents = make([]Intent, len(p.Intents))
		for i, in := range p.Intents {
			kept := make([]string, 0, len(in.Paraphrases))
			for _, para := range in.Paraphrases {
				if !off[ParaphraseRef{in.ID, para}] {
					kept = append(kept, para)
				}
			}
			in.Paraphrases = kept
			q.Intents[i] = in
		}
	}
	q.Prepare()
	return &q
}
