package dialog

import "github.com/suzhou-amr/suzhirong/domain"

// CountyWords returns every name a county is known by, from one source:
// its slug and name, the names derived from the name (countyNames: 昆山市 →
// 昆山), and the other names the lexicon lists for it
// (seeds/data/lexicon.yaml, counties). The application form's county
// picker, CountyByName (the console and the roster import) and the slot
// reader all read these.
func (p *Policy) CountyWords(c domain.County) []string {
	words := append([]string{c.ID}, countyNames(c.Name)...)
	for _, a := range p.Lexicon.Counties {
		if a.ID == c.ID {
			words = append(words, a.Names...)
		}
	}
	return words
}
