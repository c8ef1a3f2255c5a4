package dialog

import (
	"strings"

	"github.com/suzhou-amr/suzhirong/domain"
)

// An enterprise that filed before is not asked again for what it confirmed
// then: a form opens with 沿用上次信息？ and, on yes, asks only the fields
// still missing. The profile is kept from the last submitted form
// (Profile.Enterprise) and loaded from the database when a conversation
// starts afresh.

// enterpriseFields are the form fields a profile can fill.
var enterpriseFields = []string{"name", "code", "county", "contact", "phone"}

// FormReuseData is the data of "form_reuse".
type FormReuseData struct {
	Kind      string
	KindLabel string
	Rows      []FormRow // what is known, as the review shows it (the phone masked)
	Missing   []string  // labels of the fields still to ask
	Options   []Option
}

var reuseOptions = []Option{
	{Key: "reuse", Label: "沿用", Words: []string{"沿用", "用上次", "继续用", "不变", "没变"}},
	{Key: "fresh", Label: "重新填写", Words: []string{"重新填写", "重新填", "重填", "重新", "变了", "有变化"}},
}

// registerReuse registers this file's steps and entries (flows.go lists it).
func registerReuse() {
	for _, flow := range []string{domain.LeadApply, domain.LeadNeed} {
		register(flow+".reuse", step{
			ask:    askReuse,
			answer: answerReuse,
			claims: func(t *turn, text string) bool { _, ok := t.choose(reuseOptions, text); return ok },
			help:   "form_help_reuse",
			yesno:  true,
		})
	}
}

// openForm starts form kind at its first field, or at the reuse offer when
// the profile knows the enterprise.
func (t *turn) openForm(kind string) {
	t.formIntro(kind)
	if t.s.Profile.Enterprise.Known() {
		if t.s.Flow == kind {
			t.next("reuse")
			return
		}
		t.begin(kind, "reuse")
		return
	}
	if t.s.Flow == kind {
		t.next("name")
		return
	}
	t.begin(kind, "name")
}

func (e Enterprise) value(key string) string {
	switch key {
	case "name":
		return e.Name
	case "code":
		return e.Code
	case "county":
		return e.County
	case "contact":
		return e.Contact
	case "phone":
		return e.Phone
	}
	return ""
}

func askReuse(t *turn) {
	e := t.s.Profile.Enterprise
	d := FormReuseData{Kind: t.s.Flow, KindLabel: domain.LeadKindLabel(t.s.Flow), Options: reuseOptions}
	for _, k := range enterpriseFields {
		v := e.value(k)
		if v == "" {
			d.Missing = append(d.Missing, formFields[k].label)
			continue
		}
		switch k {
		case "county":
			if c, ok := t.p.County(v); ok {
				v = c.Name
			}
		case "phone":
			v = MaskPhone(v)
		}
		d.Rows = append(d.Rows, FormRow{Label: formFields[k].label, Value: v})
	}
	t.say("form_reuse", d)
}

func answerReuse(t *turn, text string) {
	yes, ok := t.yesNo(text)
	if o, picked := t.choose(reuseOptions, text); picked {
		yes, ok = o.Key == "reuse", true
	}
	if !ok {
		t.reask("请回复 1 沿用上次信息，或回复 2 重新填写。")
		return
	}
	if !yes {
		t.next("name")
		return
	}
	e := t.s.Profile.Enterprise
	for _, k := range enterpriseFields {
		if v := e.value(k); v != "" {
			t.set(k, v)
		}
	}
	// A county the policy no longer lists is asked again.
	if _, ok := t.p.County(t.s.field("county")); !ok {
		delete(t.s.Fields, "county")
	}
	t.set("reused", "1")
	t.next(t.firstMissing())
}

// firstMissing is the first field of the form not yet filled, or the
// consent when all are.
func (t *turn) firstMissing() string {
	for _, k := range formOrder[t.s.Flow] {
		if t.s.field(k) == "" {
			return k
		}
	}
	return "consent"
}

// remember keeps a submitted form's enterprise particulars on the profile.
func (t *turn) remember(lead SubmitLead) {
	// The profile's county and Applied are the caller's to set once the
	// lead is stored (it records the county on the follower then).
	t.s.Profile.Enterprise = Enterprise{Name: lead.EnterpriseName, Code: lead.CreditCode, County: lead.County, Contact: lead.Contact, Phone: lead.Phone}
}

// MaskPhone shows a mobile number as 139****5678.
func MaskPhone(p string) string {
	if len(p) != 11 || strings.Trim(p, "0123456789") != "" {
		return p
	}
	return p[:3] + "****" + p[7:]
}
