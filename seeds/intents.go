package seeds

import (
	"io/fs"
	"slices"
	"strings"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// Understanding as data: intents with their paraphrases (intents.yaml) and
// the lexicon of fillers, synonyms, domain words, county aliases and tier
// words (lexicon.yaml).
const (
	fileIntents = "intents.yaml"
	fileLexicon = "lexicon.yaml"
	fileConv    = "conversation.yaml"
)

type conversationDoc struct {
	Repair struct {
		Yes      []string `yaml:"yes"`
		No       []string `yaml:"no"`
		Unsure   []string `yaml:"unsure"`
		Cancel   []string `yaml:"cancel"`
		Correct  []string `yaml:"correct"`
		Wrong    []string `yaml:"wrong"`
		Human    []string `yaml:"human"`
		Greeting []string `yaml:"greeting"`
		Thanks   []string `yaml:"thanks"`
		Wait     []string `yaml:"wait"`
		Ack      []string `yaml:"ack"`
		Skip     []string `yaml:"skip"`
	} `yaml:"repair"`
	Scope struct {
		Always   []string `yaml:"always"`
		Personal []string `yaml:"personal"`
		Money    []string `yaml:"money"`
	} `yaml:"scope"`
	Blockers struct {
		Penalty    []string            `yaml:"penalty"`
		Kinds      map[string][]string `yaml:"kinds"`
		Outside    []string            `yaml:"outside"`
		Branch     []string            `yaml:"branch"`
		SoleTrader []string            `yaml:"sole_trader"`
	} `yaml:"blockers"`
}

// conversation reads conversation.yaml into p's lexicon.
func (c *checker) conversation(fsys fs.FS, p *dialog.Policy) {
	var cv conversationDoc
	if err := decode(fsys, fileConv, &cv); err != nil {
		c.errs = append(c.errs, err)
		return
	}
	r := cv.Repair
	p.Lexicon.Repair = dialog.RepairWords{
		Yes: r.Yes, No: r.No, Unsure: r.Unsure, Cancel: r.Cancel, Correct: r.Correct, Wrong: r.Wrong,
		Human: r.Human, Greeting: r.Greeting, Thanks: r.Thanks, Wait: r.Wait, Ack: r.Ack, Skip: r.Skip,
	}
	p.Lexicon.Scope = dialog.ScopeWords{Always: cv.Scope.Always, Personal: cv.Scope.Personal, Money: cv.Scope.Money}
	b := cv.Blockers
	p.Lexicon.Blockers = dialog.BlockerWords{Penalty: b.Penalty, Outside: b.Outside, Branch: b.Branch, SoleTrader: b.SoleTrader}
	for _, k := range sortedKeys(b.Kinds) {
		p.Lexicon.Blockers.Kinds = append(p.Lexicon.Blockers.Kinds, dialog.PenaltyKind{Name: k, Words: b.Kinds[k]})
	}
	for name, l := range map[string][]string{"yes": r.Yes, "no": r.No, "unsure": r.Unsure, "cancel": r.Cancel, "correct": r.Correct, "human": r.Human} {
		if len(l) == 0 {
			c.addf(fileConv, "repair.%s: no words", name)
		}
	}
	for _, w := range r.Yes {
		if slices.Contains(r.No, w) {
			c.addf(fileConv, "%q is both yes and no", w)
		}
	}
}

type intentsDoc struct {
	Intents []struct {
		ID          string   `yaml:"id"`
		Title       string   `yaml:"title"`
		Action      string   `yaml:"action"`
		FAQ         string   `yaml:"faq"`
		Slots       []string `yaml:"slots"`
		Paraphrases []string `yaml:"paraphrases"`
	} `yaml:"intents"`
}

type lexiconDoc struct {
	Fillers    []string            `yaml:"fillers"`
	Synonyms   map[string][]string `yaml:"synonyms"`
	Vocabulary []string            `yaml:"vocabulary"`
	NoHonours  []string            `yaml:"no_honours"`
	Counties   map[string][]string `yaml:"counties"`
	Tiers      map[int][]string    `yaml:"tiers"`
	Offtopic   []string            `yaml:"offtopic"`
}

// understanding reads intents.yaml and lexicon.yaml into p.
func (c *checker) understanding(fsys fs.FS, p *dialog.Policy) {
	var (
		in intentsDoc
		lx lexiconDoc
	)
	if err := decode(fsys, fileIntents, &in); err != nil {
		c.errs = append(c.errs, err)
		return
	}
	if err := decode(fsys, fileLexicon, &lx); err != nil {
		c.errs = append(c.errs, err)
		return
	}
	for _, it := range in.Intents {
		var paras []string
		seen := map[string]bool{}
		for _, para := range it.Paraphrases {
			para = strings.TrimSpace(para)
			n := dialog.Normalize(para)
			if n == "" {
				c.addf(fileIntents, "intent %q: empty paraphrase", it.ID)
				continue
			}
			if seen[n] {
				c.addf(fileIntents, "intent %q: paraphrase %q twice", it.ID, para)
			}
			seen[n] = true
			paras = append(paras, para)
		}
		p.Intents = append(p.Intents, dialog.Intent{
			ID: it.ID, Title: strings.TrimSpace(it.Title), Action: it.Action, FAQ: it.FAQ,
			Slots: it.Slots, Paraphrases: paras,
		})
	}
	p.Lexicon = dialog.Lexicon{Fillers: lx.Fillers, Vocabulary: lx.Vocabulary, NoHonours: lx.NoHonours, Offtopic: lx.Offtopic}
	for _, canon := range sortedKeys(lx.Synonyms) {
		p.Lexicon.Synonyms = append(p.Lexicon.Synonyms, dialog.Synonym{Canonical: canon, Variants: lx.Synonyms[canon]})
	}
	for _, id := range sortedKeys(lx.Counties) {
		if !slices.Contains(countyIDs, id) {
			c.addf(fileLexicon, "aliases of unknown county %q", id)
		}
		p.Lexicon.Counties = append(p.Lexicon.Counties, dialog.Aliases{ID: id, Names: lx.Counties[id]})
	}
	for _, n := range sortedKeys(lx.Tiers) {
		t, ok := c.tier(fileLexicon, "tier words", n, 1, 4)
		if !ok {
			continue
		}
		for _, w := range lx.Tiers[n] {
			p.Lexicon.Tiers = append(p.Lexicon.Tiers, dialog.TierWord{Word: w, Tier: t})
		}
	}
	// A synonym must not map one word two ways.
	owner := map[string]string{}
	for _, s := range p.Lexicon.Synonyms {
		for _, v := range s.Variants {
			n := dialog.Normalize(v)
			if other, dup := owner[n]; dup && other != s.Canonical {
				c.addf(fileLexicon, "synonym %q maps to both %q and %q", v, other, s.Canonical)
			}
			owner[n] = s.Canonical
		}
	}
	if len(p.Intents) == 0 {
		c.addf(fileIntents, "no intents")
	}
	c.conversation(fsys, p)
}

func sortedKeys[K interface{ ~int | ~string }, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
