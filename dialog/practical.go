package dialog

import (
	"strings"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Practical questions of an enterprise's 财务 (how long, what to bring)
// are answered from the service's own commitments, and a short follow-up
// (那怎么申请, 那利息呢, 要多久) is read against the subject of the last
// answer (State.Topic).

// Topics a follow-up is read against: a product id, or topicJoin for
// joining the enterprise library.
const topicJoin = "join"

// PracticalData is the data of "practical_timescale" and
// "practical_materials".
type PracticalData struct {
	Topic       string        // product id or "join"; "" for 苏质贷 by default
	Product     string        // the product's name
	County      domain.County // the enterprise's county, when known
	ContactDays int           // working days within which the county bureau contacts the enterprise
	Clause      string
	Materials   []Material // the product's checklist (seeds/data/products.yaml)
	Next        []Option   // the numbered next steps
}

var (
	timeWords     = []string{"多久", "多长时间", "几天", "什么时候", "啥时候", "何时", "多快", "几个工作日"}
	timeObjects   = []string{"联系", "放款", "批", "办好", "电话", "到账", "审批", "下来", "回复", "受理", "放贷", "审核", "办下来"}
	materialWords = []string{"材料", "资料", "带哪些", "带什么", "准备什么", "准备哪些", "要带", "提供哪些", "提供什么"}
	applyWords    = []string{"怎么申请", "如何申请", "咋申请", "怎样申请", "申请流程", "怎么弄", "怎么办理", "如何办理", "怎么操作", "去哪申请", "在哪申请"}
	interestWords = []string{"利息", "利率"}
	// practicalWords mark a practical question even without a question word.
	practicalWords = append(append(append([]string{}, timeWords...), materialWords...), "联系我", "哪里")
)

// followUp reports whether text reads as a follow-up rather than a
// question of its own: short, or opening with 那.
func followUp(text string) bool {
	n := strings.TrimSpace(text)
	return strings.HasPrefix(n, "那") || utf8.RuneCountInString(n) <= 8
}

// practical answers a practical question or a follow-up of an idle
// conversation; false when text is neither.
func (t *turn) practical(text string) bool {
	n := t.p.Fold(text)
	if asksForBanks(n) {
		t.banks(text) // banks.go
		return true
	}
	topic := t.s.Topic
	if named := productNamed(t.p, n); named != "" {
		topic = named
	} else if strings.Contains(n, "入库") || strings.Contains(n, "企业库") {
		topic = topicJoin
	}
	switch {
	case containsAny(n, materialWords):
		t.say("practical_materials", t.practicalData(topic))
		return true
	case containsAny(n, timeWords) && (containsAny(n, timeObjects) || t.s.Topic != "" && followUp(text)):
		t.say("practical_timescale", t.practicalData(topic))
		return true
	}
	if t.s.Topic == "" || !followUp(text) || productNamed(t.p, n) != "" {
		return false
	}
	switch {
	case containsAny(n, applyWords) && t.s.Topic == topicJoin:
		t.start(domain.LeadApply)
		return true
	case containsAny(n, interestWords) && (t.s.Topic == formLoanProduct):
		t.end()
		t.answerTopic("rates")
		return true
	}
	return false
}

// productNamed is the id of the product text names, or "".
func productNamed(p *Policy, folded string) string {
	for _, pr := range p.Products {
		for _, w := range append([]string{pr.Name}, pr.Keywords...) {
			if w != "" && strings.Contains(folded, p.Fold(w)) {
				return pr.ID
			}
		}
	}
	return ""
}

func (t *turn) practicalData(topic string) PracticalData {
	d := PracticalData{Topic: topic, ContactDays: domain.ContactWithinWorkdays}
	if topic == "" {
		d.Topic = formLoanProduct
	}
	if pr, ok := t.p.Product(d.Topic); ok {
		d.Product = pr.Name
		d.Clause = pr.Clause
		d.Materials = pr.Materials
	}
	if c, ok := t.p.County(t.s.Profile.County); ok {
		d.County = c
	}
	d.Next = nextChoices(d.Topic)
	// The choices are numbered: the next message may be one of them.
	t.s.Fields = map[string]string{"offer": d.Topic}
	return d
}

// offered starts the next step the last answer offered, when text picks
// one of its numbered choices.
func (t *turn) offered(text string) bool {
	if t.offer == "" {
		return false
	}
	o, ok := chooseOne(nextChoices(t.offer), text)
	if !ok {
		return false
	}
	t.start(o.Key)
	return true
}

// nextChoices are the numbered next steps offered after an answer.
func nextChoices(topic string) []Option {
	switch topic {
	case topicJoin:
		return []Option{{Key: "apply", Label: "申请入库"}, {Key: "selfcheck", Label: "质量信誉自检"}, {Key: "human", Label: "人工服务"}}
	case offerHuman:
		return []Option{{Key: "human", Label: "转人工服务，由工作人员解答"}}
	case offerRating:
		return nil
	case "", formLoanProduct:
	default:
		// Another product: file a need for it, or check the tier its
		// terms depend on.
		return []Option{{Key: "need", Label: "提交融资需求"}, {Key: "selfcheck", Label: "质量信誉自检（看适用哪一类优惠）"}, {Key: "human", Label: "人工服务"}}
	}
	return []Option{{Key: "need", Label: "提交融资需求"}, {Key: "calc", Label: "苏质贷利率测算"}, {Key: "human", Label: "人工服务"}}
}

// purposeHints are purposes that another product serves better than a
// 苏质贷, a liquidity loan of up to a year (三（一）): equipment by
// 融资租赁 (三（二）1), price risk of raw materials by 期货套期保值
// (三（二）2), equity by 直接融资 (三（二）3).
var purposeHints = []struct {
	product, reason, how string
	words                []string
}{
	{"leasing", "购置、更新设备", "以租代购", []string{"设备", "生产线", "机器", "机床", "技改", "技术改造", "购置"}},
	{"futures", "应对原材料价格波动、锁定成本", "套期保值、场外期权等", []string{"价格波动", "锁定成本", "锁定原料", "锁价", "套保", "套期保值", "对冲"}},
	{"equity", "股权融资、引进投资", "与外部投资机构合作", []string{"股权", "引进投资", "投资机构", "融资入股", "上市"}},
}

// ProductHintData is the data of "product_hint".
type ProductHintData struct {
	Chosen, Better string // product names
	Reason, How    string // what the purpose is, how the better product serves it
}

// productHint suggests a better product for a need's purpose, or nil.
func productHint(p *Policy, product, purpose string) *ProductHintData {
	if product != formLoanProduct {
		return nil
	}
	n := p.Fold(purpose)
	for _, h := range purposeHints {
		if !containsAny(n, h.words) {
			continue
		}
		loan, ok1 := p.Product(formLoanProduct)
		better, ok2 := p.Product(h.product)
		if !ok1 || !ok2 {
			return nil
		}
		return &ProductHintData{Chosen: loan.Name, Better: better.Name, Reason: h.reason, How: h.how}
	}
	return nil
}
