package dialog

import (
	"slices"
	"sync"
)

// Folded keywords, memoised. matchCriteria runs on most texts of a walk
// (every step asks whether the text names a criterion), and folding every
// keyword of the policy each time was half of Step's cost. A policy's
// criteria and FAQs do not change after it is loaded (Refresh makes a new
// Policy that shares them), so the folds are computed once per slice and
// kept here, keyed by the slice. Each entry also keeps the keywords it
// folded, and is rebuilt when they differ, so a policy edited in place
// (tests do) is never matched against stale folds; the check costs one
// string comparison per keyword, and equal strings sharing their bytes
// compare in constant time.

type foldKey struct {
	first any // &Criteria[0] or &FAQs[0]
	n     int
}

type foldEntry struct {
	raw    [][]string // the keywords (and FAQ questions) as folded
	folded [][]string
}

var (
	foldMemo sync.Map // foldKey -> *foldEntry
	// foldEntries bounds the memo: policies are few (one per load),
	// but a process that builds many (tests) must not grow it forever.
	foldEntries   int
	foldEntriesMu sync.Mutex
)

const maxFoldEntries = 256

// memoFold returns matchFold of every string of raw, from the memo when
// key was folded with the same strings before.
func memoFold(key foldKey, raw [][]string) [][]string {
	if v, ok := foldMemo.Load(key); ok {
		e := v.(*foldEntry)
		if slices.EqualFunc(e.raw, raw, slices.Equal) {
			return e.folded
		}
	}
	e := &foldEntry{raw: make([][]string, len(raw)), folded: make([][]string, len(raw))}
	for i, list := range raw {
		e.raw[i] = slices.Clone(list)
		e.folded[i] = make([]string, len(list))
		for j, s := range list {
			e.folded[i][j] = matchFold(s)
		}
	}
	foldEntriesMu.Lock()
	if foldEntries >= maxFoldEntries {
		foldMemo.Clear()
		foldEntries = 0
	}
	foldEntries++
	foldEntriesMu.Unlock()
	foldMemo.Store(key, e)
	return e.folded
}

// foldedCriteria returns the folded keywords of each criterion of p.
func foldedCriteria(p *Policy) [][]string {
	if len(p.Criteria) == 0 {
		return nil
	}
	raw := make([][]string, len(p.Criteria))
	for i, c := range p.Criteria {
		raw[i] = c.Keywords
	}
	return memoFold(foldKey{&p.Criteria[0], len(p.Criteria)}, raw)
}

// foldedFAQs returns the folded keywords of each FAQ of p, and its folded
// questions.
func foldedFAQs(p *Policy) (keywords [][]string, questions []string) {
	if len(p.FAQs) == 0 {
		return nil, nil
	}
	raw := make([][]string, len(p.FAQs)+1)
	qs := make([]string, len(p.FAQs))
	for i, f := range p.FAQs {
		raw[i] = f.Keywords
		qs[i] = f.Question
	}
	raw[len(p.FAQs)] = qs
	all := memoFold(foldKey{&p.FAQs[0], len(p.FAQs)}, raw)
	return all[:len(p.FAQs)], all[len(p.FAQs)]
}
