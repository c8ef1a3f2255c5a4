package dialog

import (
	"math"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Understanding, step two: which topic a message is about. Every topic the
// bot can answer is an Intent with paraphrases written as enterprises type
// (seeds/data/intents.yaml). The scorer compares a message with every
// paraphrase by TF-IDF weighted character unigrams and bigrams (cosine),
// takes each intent's best paraphrase, and adds evidence from the slots the
// message fills. The index is built once per policy (Policy.Prepare).

// Intent is one topic the bot can place a message in.
type Intent struct {
	ID          string
	Title       string   // the words of a clarifying question's option
	Action      string   // what answers it: one of Actions
	FAQ         string   // the FAQ entry answered, for Action "faq"
	Slots       []string // slots whose presence is evidence for the intent
	Paraphrases []string
}

// Actions are what an intent may do. "faq" answers its FAQ entry (computed
// topics use the slots); the flows start a conversation; the rest are
// answers of their own.
var Actions = []string{
	"faq", "greeting", "thanks", "bye", "robot", "about", "out_of_scope",
	"contacts", "honour", "progress", "calc", "selfcheck", "apply", "need", "products", "human",
}

// Verdict is how sure the scorer is.
type Verdict int

// The scorer's verdicts.
const (
	Unknown   Verdict = iota // nothing fits well enough: say what the bot can do
	Unsure                   // two intents fit about equally: ask which
	Confident                // answer
)

// Understanding is what a message was understood as.
type Understanding struct {
	Text    string // the folded text
	Intent  string // the best intent's id
	Score   float64
	Second  string // the runner-up's id
	Score2  float64
	Verdict Verdict
	Slots   Slots
}

// Thresholds of the scorer, chosen on dialog/testdata/train.yaml only
// (TestTuneGrid); the held-out part is never used to choose.
const (
	confidentScore = 0.35 // the best score an answer needs …
	confidentGap   = 0.04 // … and its lead over a different intent
	unsureScore    = 0.30 // below this nothing is placed …
	lowScore       = 0.22 // … unless well ahead of every other intent:
	lowRatio       = 1.3  // by this factor
	centroidWeight = 0.4  // the intent's centroid against its best paraphrase
	focusWeight    = 0.9  // the question alone against the whole message
)

// slotBonus is what a filled slot adds to the intents that name it as
// evidence: the specific ones (a county, an application number, honours,
// an off-topic word) more than those many topics share.
var slotBonus = map[string]float64{
	"county": 0.2, "lead": 0.2, "honours": 0.2, "offtopic": 0.2, "nohonours": 0.2,
	"amount": 0.12, "tier": 0.12, "product": 0.12, "tier4": 0.12,
}

// posting is one document's weight for a feature. Features are hashed
// unigrams and bigrams of tokens (Chinese characters, Latin words, numbers).
type posting struct {
	doc int32
	w   float32
}

// nlu is the prepared understanding of one policy.
type nlu struct {
	fold     *folder
	slots    *slotReader
	intents  []Intent
	docOf    []int32              // doc -> intent index
	postings map[uint64][]posting // paraphrase vectors
	idf      map[uint64]float64
	ndocs    int
	// Each intent's paraphrases together, as one document.
	centroids map[uint64][]posting
	cidf      map[uint64]float64
	scratch   sync.Pool      // of *scratch
	repair    *repairLexicon // conversation repair's words, normalised
	// Each tier's criteria, which the self-check lists on every turn.
	criteria [domain.Tier4 + 1][]Criterion
}

// scratch is the working memory of one understand call.
type scratch struct {
	toks        []uint64
	touched     []int32 // documents with a score
	ctouched    []int32 // centroids with a score
	q, q2       []weighted
	docs, cents []float32
	scores      []float64
	focus       []float64 // the scores of the message's question alone
}

// Prepare builds the policy's understanding index. Loaders call it once
// after building a policy; a policy not prepared builds it on first use.
func (p *Policy) Prepare() { p.nlu = newNLU(p) }

func (p *Policy) understanding() *nlu {
	if p.nlu != nil {
		return p.nlu
	}
	return newNLU(p)
}

// Intent returns the intent with the given id.
func (p *Policy) Intent(id string) (Intent, bool) {
	for _, in := range p.Intents {
		if in.ID == id {
			return in, true
		}
	}
	return Intent{}, false
}

const (
	unigramWeight = 0.35            // a single character says less than two in a row
	numberToken   = uint64(1) << 62 // every number is this one token
)

// tokens splits folded text: each Chinese character is a token, a run of
// Latin letters is one token, a number is one token whatever its value.
func tokens(n string, buf []uint64) []uint64 {
	out := buf[:0]
	for i := 0; i < len(n); {
		c := n[i]
		switch {
		case c >= '0' && c <= '9':
			for i < len(n) && (n[i] >= '0' && n[i] <= '9' || n[i] == '.') {
				i++
			}
			out = append(out, numberToken)
		case c >= 'a' && c <= 'z':
			h := uint64(14695981039346656037)
			for i < len(n) && n[i] >= 'a' && n[i] <= 'z' {
				h = (h ^ uint64(n[i])) * 1099511628211
				i++
			}
			out = append(out, h|1<<63)
		default:
			r, w := utf8.DecodeRuneInString(n[i:])
			out = append(out, uint64(r))
			i += w
		}
	}
	return out
}

func unigram(t uint64) uint64   { return t*0x9E3779B97F4A7C15 ^ 0x5bd1e995 }
func bigram(a, b uint64) uint64 { return (a*0x9E3779B97F4A7C15 + b) * 0xC2B2AE3D27D4EB4F }

// weighted is one feature with its weight in a vector.
type weighted struct {
	f   uint64
	w   float64 // the count, then the weight
	uni bool
}

// features returns the term counts of folded text, unigrams weighted down.
func features(n string, buf []uint64, out []weighted) []weighted {
	toks := tokens(n, buf)
	out = out[:0]
	add := func(f uint64, uni bool) {
		for i := range out {
			if out[i].f == f {
				out[i].w++
				return
			}
		}
		out = append(out, weighted{f, 1, uni})
	}
	for i, t := range toks {
		add(unigram(t), true)
		if i > 0 {
			add(bigram(toks[i-1], t), false)
		}
	}
	return out
}

// weigh turns counts into TF-IDF weights (sublinear counts, unigrams
// weighted down) and returns the vector's norm.
func weigh(v []weighted, idf func(uint64) float64) float64 {
	var norm float64
	for i := range v {
		w := (1 + math.Log(v[i].w)) * idf(v[i].f)
		if v[i].uni {
			w *= unigramWeight
		}
		v[i].w = w
		norm += w * w
	}
	return math.Sqrt(norm)
}

func newNLU(p *Policy) *nlu {
	x := &nlu{fold: newFolder(p.Lexicon), intents: p.Intents,
		postings: map[uint64][]posting{}, idf: map[uint64]float64{},
		centroids: map[uint64][]posting{}, cidf: map[uint64]float64{}}
	x.slots = newSlotReader(p, x.fold)
	x.repair = newRepairLexicon(p.Lexicon)
	for t := domain.Tier1; t <= domain.Tier4; t++ {
		x.criteria[t] = slices.Clip(p.criteriaOf(t))
	}
	var docs [][]weighted
	cents := make([][]weighted, len(p.Intents))
	addDoc := func(intent int, text string) {
		n := amountsAsNumbers(x.fold.fold(text))
		if n == "" {
			return
		}
		d := features(n, nil, nil)
		docs = append(docs, d)
		x.docOf = append(x.docOf, int32(intent))
		// The intent's centroid: every paraphrase's features, counted once
		// per paraphrase.
	next:
		for _, f := range d {
			for i := range cents[intent] {
				if cents[intent][i].f == f.f {
					cents[intent][i].w++
					continue next
				}
			}
			cents[intent] = append(cents[intent], weighted{f.f, 1, f.uni})
		}
	}
	for i, in := range p.Intents {
		for _, para := range in.Paraphrases {
			addDoc(i, para)
		}
		if in.Action == "faq" {
			for _, f := range p.FAQs {
				if f.ID == in.FAQ {
					addDoc(i, f.Question)
				}
			}
		}
	}
	x.ndocs = len(docs)
	x.scratch.New = func() any {
		return &scratch{
			toks: make([]uint64, 0, 256), touched: make([]int32, 0, 1024), ctouched: make([]int32, 0, 64), q: make([]weighted, 0, 512), q2: make([]weighted, 0, 512),
			docs: make([]float32, x.ndocs), cents: make([]float32, len(x.intents)), scores: make([]float64, len(x.intents)), focus: make([]float64, len(x.intents)),
		}
	}
	x.idf = idfOf(docs)
	x.cidf = idfOf(cents)
	index(docs, x.idf, x.postings)
	index(cents, x.cidf, x.centroids)
	return x
}

// idfOf is the inverse document frequency of every feature of docs.
func idfOf(docs [][]weighted) map[uint64]float64 {
	df := map[uint64]int{}
	for _, d := range docs {
		for _, f := range d {
			df[f.f]++
		}
	}
	idf := make(map[uint64]float64, len(df))
	for f, n := range df {
		idf[f] = math.Log(1 + float64(len(docs))/float64(n))
	}
	return idf
}

// index adds the normalised TF-IDF vectors of docs to postings.
func index(docs [][]weighted, idf map[uint64]float64, postings map[uint64][]posting) {
	for i, d := range docs {
		norm := weigh(d, func(f uint64) float64 { return idf[f] })
		if norm == 0 {
			continue
		}
		for _, f := range d {
			postings[f.f] = append(postings[f.f], posting{doc: int32(i), w: float32(f.w / norm)})
		}
	}
}

// Understand folds text, reads its slots and places it among the policy's
// intents.
func (p *Policy) Understand(text string) Understanding {
	return p.understanding().understand(text)
}

// cosine scores query features q against postings into scores.
// It appends the documents it touches to touched, each once, and returns it.
func cosine(q []weighted, idf map[uint64]float64, unseen float64, postings map[uint64][]posting, scores []float32, touched []int32) []int32 {
	norm := weigh(q, func(f uint64) float64 {
		if w, ok := idf[f]; ok {
			return w
		}
		return unseen
	})
	if norm == 0 {
		return touched
	}
	for _, f := range q {
		w := float32(f.w / norm)
		for _, ps := range postings[f.f] {
			if scores[ps.doc] == 0 {
				touched = append(touched, ps.doc)
			}
			scores[ps.doc] += w * ps.w
		}
	}
	return touched
}

// score puts into scores the text score of every intent for folded text n:
// its best paraphrase and its centroid, slots not counted.
func (x *nlu) score(sc *scratch, n string, scores []float64) {
	q := features(n, sc.toks[:0], sc.q[:0])
	q2 := append(sc.q2[:0], q...)
	sc.q, sc.q2 = q, q2
	docScores, centScores := sc.docs, sc.cents
	clear(centScores)
	clear(scores)
	sc.touched = cosine(q, x.idf, math.Log(1+float64(x.ndocs)), x.postings, docScores, sc.touched[:0])
	sc.ctouched = cosine(q2, x.cidf, math.Log(1+float64(len(x.intents))), x.centroids, centScores, sc.ctouched[:0])
	for _, d := range sc.touched {
		if i, s := x.docOf[d], docScores[d]; float64(s) > scores[i] {
			scores[i] = float64(s)
		}
		docScores[d] = 0 // the pooled buffer is left clean
	}
	for i := range scores {
		scores[i] = (1-centroidWeight)*scores[i] + centroidWeight*float64(centScores[i])
	}
}

func (x *nlu) understand(text string) Understanding {
	n := x.fold.fold(text)
	u := Understanding{Text: n, Slots: x.slots.read(n)}
	if n == "" || len(x.intents) == 0 {
		return u
	}
	sc := x.scratch.Get().(*scratch)
	defer x.scratch.Put(sc)
	sc.toks = tokens(n, sc.toks[:0])
	if !slices.ContainsFunc(sc.toks, func(t uint64) bool { return t != numberToken }) {
		return u // a bare number is an option or an answer, no topic
	}
	scores := sc.scores
	x.score(sc, amountsAsNumbers(n), scores)
	// A message that introduces the enterprise before it asks ("我们在昆山，
	// 做零件的，想问下最多能贷多少") is also scored by its question alone: each
	// intent keeps the better of the two.
	if f := x.fold.fold(focus(text)); f != "" && f != n {
		fs := sc.focus
		x.score(sc, amountsAsNumbers(f), fs)
		for i := range scores {
			scores[i] = max(scores[i], focusWeight*fs[i])
		}
	}
	for i, in := range x.intents {
		if scores[i] == 0 {
			continue
		}
		for _, s := range in.Slots {
			if u.Slots.Has(s) {
				scores[i] += slotBonus[s]
			}
		}
	}
	best, second := -1, -1
	for i, s := range scores {
		switch {
		case best < 0 || s > scores[best]:
			best, second = i, best
		case second < 0 || s > scores[second]:
			second = i
		}
	}
	u.Intent, u.Score = x.intents[best].ID, scores[best]
	if second >= 0 {
		u.Second, u.Score2 = x.intents[second].ID, scores[second]
	}
	switch {
	case u.Score >= confidentScore && u.Score-u.Score2 >= confidentGap:
		u.Verdict = Confident
	case u.Score >= unsureScore && u.Score2 >= unsureScore && u.Score-u.Score2 < confidentGap:
		u.Verdict = Unsure
	case u.Score >= lowScore && u.Score >= lowRatio*u.Score2:
		u.Verdict = Confident
	}
	return u
}

// validIntents checks the intents of a policy.
func validIntents(p *Policy, add func(format string, a ...any)) {
	seen := map[string]bool{}
	for _, in := range p.Intents {
		if in.ID == "" || in.Title == "" {
			add("intent %q: id and title are required", in.ID)
		}
		if seen[in.ID] {
			add("duplicate intent id %q", in.ID)
		}
		seen[in.ID] = true
		if !slices.Contains(Actions, in.Action) {
			add("intent %q: unknown action %q", in.ID, in.Action)
		}
		if in.Action == "faq" {
			if !slices.ContainsFunc(p.FAQs, func(f FAQ) bool { return f.ID == in.FAQ }) {
				add("intent %q: unknown faq %q", in.ID, in.FAQ)
			}
		} else if in.FAQ != "" {
			add("intent %q: a faq only goes with action faq", in.ID)
		}
		for _, s := range in.Slots {
			if !slices.Contains(slotNames, s) {
				add("intent %q: unknown slot %q", in.ID, s)
			}
		}
		if len(in.Paraphrases) < 15 {
			add("intent %q: %d paraphrases, want at least 15", in.ID, len(in.Paraphrases))
		}
	}
}
