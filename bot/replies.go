package bot

import (
	"fmt"
	"strings"
	"text/template"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// Replies renders the dialogue's replies from the reply templates, keeping
// the texts of replies whose data repeat. The pipeline, the lead
// notifications and the terminal chat share one.
type Replies struct {
	tmpl  *template.Template
	cache renderCache
}

// NewReplies returns a renderer of the parsed reply templates.
func NewReplies(tmpl *template.Template) *Replies { return &Replies{tmpl: tmpl} }

// Render renders one reply.
func (rs *Replies) Render(r dialog.Reply) (string, error) {
	return rs.cache.render(r, rs.execute)
}

func (rs *Replies) execute(r dialog.Reply) (string, error) {
	var buf strings.Builder
	if err := rs.tmpl.ExecuteTemplate(&buf, r.Name, r.Data); err != nil {
		return "", fmt.Errorf("render %s: %w", r.Name, err)
	}
	return strings.TrimSpace(buf.String()), nil
}

// join renders the replies of one turn into one text: a passive reply
// carries a single message. A handover that has words to say is said in
// text: without 客服 set up a bare transfer shows the person nothing, so
// transfer is only reported when nothing at all is to be said.
func (rs *Replies) join(replies []dialog.Reply) (text string, transfer bool, err error) {
	parts := make([]string, 0, len(replies))
	for _, r := range replies {
		if r.Transfer {
			transfer = true
		}
		s, err := rs.Render(r)
		if err != nil {
			return "", false, err
		}
		if s != "" {
			parts = append(parts, s)
		}
	}
	text = strings.Join(parts, "\n\n")
	return text, transfer && text == "", nil
}
