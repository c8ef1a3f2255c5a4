package seeds

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// MustLoad loads the embedded seeds or fails the test.
func MustLoad(tb testing.TB) *dialog.Policy {
	tb.Helper()
	p, err := Load()
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return p
}

// MustSeedFS returns a writable copy of the embedded seed files.
func MustSeedFS(tb testing.TB) fstest.MapFS {
	tb.Helper()
	sub, err := fs.Sub(data, "data")
	if err != nil {
		tb.Fatal(err)
	}
	out := fstest.MapFS{}
	err = fs.WalkDir(sub, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, path)
		if err != nil {
			return err
		}
		out[path] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(out) != 10 {
		tb.Fatalf("seed files: got %d, want 10", len(out))
	}
	return out
}

func TestLoad(t *testing.T) {
	t.Parallel()
	p := MustLoad(t)
	if p.Version != "苏市监管发〔2023〕132号" {
		t.Errorf("Version = %q", p.Version)
	}
	if p.Platform != "https://www.jssjrfw.com/#/home" {
		t.Errorf("Platform = %q", p.Platform)
	}
	if p.LPR != 3.00 || p.LPRDate != "2025-05-20" {
		t.Errorf("LPR = %v on %q, want 3.00 on 2025-05-20", p.LPR, p.LPRDate)
	}
	// Parse of the same files gives the same result as Load.
	q, err := Parse(MustSeedFS(t))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(q.Criteria) != len(p.Criteria) || len(q.FAQs) != len(p.FAQs) {
		t.Errorf("Parse and Load differ")
	}
}

// The phone numbers and contacts of 附件2, with the 0512 area code.
func TestCounties(t *testing.T) {
	t.Parallel()
	p := MustLoad(t)
	tests := []struct {
		id, name, contact, post, phone string
		divisions                      []string
	}{
		{"zhangjiagang", "张家港市", "张洁", "产品质量监管科科长", "0512-58799505", []string{"320582"}},
		{"changshu", "常熟市", "邵华伟", "质量安全监管科科长", "0512-52897884", []string{"320581"}},
		{"taicang", "太仓市", "王蕴秋", "质量管理与监督科科长", "0512-53516908", []string{"320585"}},
		{"kunshan", "昆山市", "张琳", "质量监管科科长", "0512-57797026", []string{"320583"}},
		{"wujiang", "吴江区", "陆遥", "质量与认证认可监管科科长", "0512-63952103", []string{"320509", "320584"}},
		{"wuzhong", "吴中区", "杨激心", "质量管理与监督科科长", "0512-65251500", []string{"320506"}},
		{"xiangcheng", "相城区", "顾倩", "质量与标准监管科科长", "0512-65768287", []string{"320507"}},
		{"gusu", "姑苏区", "王友俊", "质量管理与监督处处长", "0512-68728617", []string{"320508", "320502", "320503", "320504"}},
		{"sip", "苏州工业园区", "金筱青", "质量标准处处长", "0512-66681255", []string{"320594"}},
		{"snd", "苏州高新区（虎丘区）", "陈海元", "质量监管处处长", "0512-68091679", []string{"320505"}},
		{"zjgftz", "张家港保税区", "杨栩", "质量监管科科长", "0512-58338213", []string{"320592"}},
	}
	if len(p.Counties) != len(tests) {
		t.Errorf("got %d counties, want %d", len(p.Counties), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			c, ok := p.County(tt.id)
			if !ok {
				t.Fatalf("county %q missing", tt.id)
			}
			if c.Name != tt.name || c.Contact != tt.contact || c.Post != tt.post || c.Phone != tt.phone {
				t.Errorf("got %s %s %s %s, want %s %s %s %s",
					c.Name, c.Contact, c.Post, c.Phone, tt.name, tt.contact, tt.post, tt.phone)
			}
			if !strings.HasSuffix(c.Bureau, "市场监督管理局") {
				t.Errorf("Bureau = %q", c.Bureau)
			}
			if !slices.Equal(c.Divisions, tt.divisions) {
				t.Errorf("Divisions = %v, want %v", c.Divisions, tt.divisions)
			}
			for _, d := range tt.divisions {
				if got, ok := p.CountyByDivision(d); !ok || got.ID != tt.id {
					t.Errorf("CountyByDivision(%s) = %q, %v", d, got.ID, ok)
				}
			}
		})
	}
	if c, ok := p.CountyByDivision("320500"); ok {
		t.Errorf("city-level code 320500 maps to %s; the enterprise must choose", c.ID)
	}
}

// 三（一）: the numbers of 苏质贷.
func TestLoan(t *testing.T) {
	t.Parallel()
	p := MustLoad(t)
	l := p.Loan
	if l.MaxWan != 3000 || l.TermMonths != 12 || l.Clause != "三（一）" {
		t.Errorf("loan = %v万 %d months %s, want 3000万 12 months 三（一）", l.MaxWan, l.TermMonths, l.Clause)
	}
	wantBP := map[domain.Tier]int{domain.Tier1: 30, domain.Tier2: 50, domain.Tier3: 80}
	if len(l.MarginBP) != len(wantBP) {
		t.Errorf("MarginBP = %v, want %v", l.MarginBP, wantBP)
	}
	for tier, bp := range wantBP {
		if l.MarginBP[tier] != bp {
			t.Errorf("margin %s = %d, want %d", tier, l.MarginBP[tier], bp)
		}
	}
	wantBands := []dialog.RiskBand{{UpToWan: 1000, FundPct: 80, BankPct: 20}, {UpToWan: 3000, FundPct: 50, BankPct: 50}}
	if !slices.Equal(l.Bands, wantBands) {
		t.Errorf("Bands = %v, want %v", l.Bands, wantBands)
	}
	for _, tt := range []struct {
		tier domain.Tier
		pct  float64
	}{{domain.Tier1, 3.30}, {domain.Tier2, 3.50}, {domain.Tier3, 3.80}} {
		if pct, _, ok := p.RateCap(tt.tier); !ok || pct != tt.pct {
			t.Errorf("RateCap(%s) = %v, %v; want %v", tt.tier, pct, ok, tt.pct)
		}
	}
	if _, _, ok := p.RateCap(domain.Tier4); ok {
		t.Errorf("tier Ⅳ has a rate cap; the notice gives none")
	}
	for _, tt := range []struct {
		wan  float64
		fund int
	}{{1000, 80}, {1000.5, 50}, {3000, 50}} {
		if b, ok := p.Band(tt.wan); !ok || b.FundPct != tt.fund {
			t.Errorf("Band(%v) = %v, %v; want fund %d%%", tt.wan, b, ok, tt.fund)
		}
	}
}

// 三（二）2: the numbers of the futures service.
func TestFutures(t *testing.T) {
	t.Parallel()
	f := MustLoad(t).Futures
	want := map[domain.Tier]int{domain.Tier1: 300, domain.Tier2: 100, domain.Tier3: 50}
	if len(f.OTCCreditWan) != len(want) {
		t.Errorf("OTCCreditWan = %v, want %v", f.OTCCreditWan, want)
	}
	for tier, w := range want {
		if f.OTCCreditWan[tier] != w {
			t.Errorf("OTC credit %s = %d, want %d", tier, f.OTCCreditWan[tier], w)
		}
	}
	if f.MarginEquityWan != 100 || f.Clause != "三（二）2" {
		t.Errorf("MarginEquityWan = %d, Clause = %q", f.MarginEquityWan, f.Clause)
	}
}

func TestProducts(t *testing.T) {
	t.Parallel()
	p := MustLoad(t)
	var ids []string
	for _, pr := range p.Products {
		ids = append(ids, pr.ID)
		if pr.Summary == "" || len([]rune(pr.Summary)) > 130 {
			t.Errorf("product %s: summary of %d characters", pr.ID, len([]rune(pr.Summary)))
		}
	}
	want := []string{"szd", "leasing", "futures", "equity", "guarantee", "insurance"}
	if !slices.Equal(ids, want) {
		t.Errorf("products = %v, want %v", ids, want)
	}
	szd, _ := p.Product("szd")
	if got := szd.TermsFor(domain.Tier2); got != "贷款利率不高于LPR+50个基点" {
		t.Errorf("szd terms Ⅱ = %q", got)
	}
	for _, id := range []string{"szd", "futures"} {
		pr, _ := p.Product(id)
		if !strings.Contains(pr.TermsFor(domain.Tier4), "自愿申请入库") {
			t.Errorf("%s terms Ⅳ = %q, want the self-application text", id, pr.TermsFor(domain.Tier4))
		}
	}
}

func TestEligibility(t *testing.T) {
	t.Parallel()
	p := MustLoad(t)
	want := map[string]string{
		"registered-suzhou": "二（一）",
		"legal-person":      "二（一）",
		"good-operation":    "二（一）",
		"no-penalty":        "二（三）",
	}
	if len(p.Eligibility) != len(want) {
		t.Errorf("got %d conditions, want %d", len(p.Eligibility), len(want))
	}
	for _, c := range p.Eligibility {
		if want[c.ID] != c.Clause {
			t.Errorf("condition %s: clause %q, want %q", c.ID, c.Clause, want[c.ID])
		}
		if !strings.HasSuffix(c.Question, "？") || c.Fail == "" {
			t.Errorf("condition %s: question %q, fail %q", c.ID, c.Question, c.Fail)
		}
	}
}

func TestCriteria(t *testing.T) {
	t.Parallel()
	p := MustLoad(t)
	wantCount := map[domain.Tier]int{domain.Tier1: 6, domain.Tier2: 13, domain.Tier3: 2, domain.Tier4: 1}
	for tier, n := range wantCount {
		cs := p.CriteriaOf(tier)
		if len(cs) != n {
			t.Errorf("tier %s: %d criteria, want %d", tier, len(cs), n)
		}
		for _, c := range cs {
			if !strings.HasPrefix(c.ID, "t"+string(rune('0'+tier))+"-") {
				t.Errorf("criterion %s in tier %s: id does not start with its tier", c.ID, tier)
			}
			if len(c.Keywords) == 0 {
				t.Errorf("criterion %s has no keywords", c.ID)
			}
		}
	}
	for kw, id := range map[string]string{
		"AAA": "t1-credit-aaa", "3A": "t1-credit-aaa", "AA": "t2-credit-aa", "A级": "t3-credit-a",
		"市长质量奖": "t1-mayor-award", "CCC": "t2-ccc", "3C": "t2-ccc", "ISO9001": "t3-other-cert",
		"ISO14001": "t3-other-cert", "管理体系": "t3-other-cert", "能源管理体系": "t2-energy-ms",
	} {
		if got := owner(p, kw); got != id {
			t.Errorf("keyword %q belongs to %q, want %q", kw, got, id)
		}
	}
}

func owner(p *dialog.Policy, kw string) string {
	for _, c := range p.Criteria {
		if slices.Contains(c.Keywords, kw) {
			return c.ID
		}
	}
	return ""
}

// No keyword belongs to two criteria. A keyword may lie inside a longer
// keyword of another criterion only where tiers.yaml says so: the matcher
// prefers the longest match, and these are the deliberate cases.
func TestKeywordOverlaps(t *testing.T) {
	t.Parallel()
	p := MustLoad(t)
	allowed := map[string]string{ // normalised short keyword -> its criterion
		dialog.Normalize("A级"):     "t3-credit-a",    // inside AA级, AAA级, 2A级, 3A级
		dialog.Normalize("AA"):     "t2-credit-aa",   // inside AAA…
		dialog.Normalize("AA级"):    "t2-credit-aa",   // inside AAA级…
		dialog.Normalize("市长质量奖"):  "t1-mayor-award", // inside 昆山市长质量奖, 县级市长质量奖…
		dialog.Normalize("管理体系"):   "t3-other-cert",  // inside 能源管理体系…
		dialog.Normalize("管理体系认证"): "t3-other-cert",  // inside 能源管理体系认证
	}
	seen := map[string]string{}
	used := map[string]bool{}
	for _, a := range p.Criteria {
		for _, ka := range a.Keywords {
			na := dialog.Normalize(ka)
			if other, dup := seen[na]; dup && other != a.ID {
				t.Errorf("keyword %q belongs to %s and %s", ka, other, a.ID)
			}
			seen[na] = a.ID
			for _, b := range p.Criteria {
				if b.ID == a.ID {
					continue
				}
				for _, kb := range b.Keywords {
					nb := dialog.Normalize(kb)
					if na == nb || !strings.Contains(nb, na) {
						continue
					}
					if allowed[na] != a.ID {
						t.Errorf("keyword %q (%s) lies inside %q (%s); make it precise or allow it here", ka, a.ID, kb, b.ID)
					}
					used[na] = true
				}
			}
		}
	}
	for kw := range allowed {
		if !used[kw] {
			t.Errorf("allowed overlap %q no longer occurs; remove it", kw)
		}
	}
	// "A" alone would match every Latin a.
	if _, ok := seen["a"]; ok {
		t.Errorf("bare A is a keyword")
	}
}

func TestFAQs(t *testing.T) {
	t.Parallel()
	p := MustLoad(t)
	used := map[string]bool{}
	for _, f := range p.FAQs {
		if (f.Answer == "") == (f.Topic == "") {
			t.Errorf("faq %s: want exactly one of answer and topic", f.ID)
		}
		if f.Topic != "" {
			used[f.Topic] = true
		}
		if !strings.HasSuffix(f.Question, "？") {
			t.Errorf("faq %s: question %q", f.ID, f.Question)
		}
	}
	for _, tp := range topics {
		if !used[tp] {
			t.Errorf("no faq uses topic %q", tp)
		}
	}
}

// A broken copy of the seed files fails with a message naming the problem.
func TestParseBroken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, old, new string
		want                 []string
	}{
		{"missing phone", fileCounties, "    phone: 0512-57797026\n", "",
			[]string{`parse counties.yaml: county "kunshan": phone "" is not 0512-dddddddd`, `county "kunshan": no phone`}},
		{"local phone", fileCounties, "0512-57797026", "57797026",
			[]string{`county "kunshan": phone "57797026" is not 0512-dddddddd`}},
		{"duplicate county id", fileCounties, "id: changshu", "id: kunshan",
			[]string{`duplicate county id "kunshan"`, `county "changshu" is missing`}},
		{"unknown county", fileCounties, "id: sip", "id: suzhou-sip",
			[]string{`unknown county id "suzhou-sip"`, `county "sip" is missing`}},
		{"tier 5", fileTiers, "tier: 4", "tier: 5",
			[]string{`parse tiers.yaml: criterion "t4-self-apply": unknown tier 5 (want 1–4)`, "tier Ⅳ has no criteria"}},
		{"duplicate division", fileCounties, `divisions: ["320581"]`, `divisions: ["320583"]`,
			[]string{"division code 320583 belongs to both changshu and kunshan"}},
		{"bands not adding to 100", fileProducts, "fund_pct: 80", "fund_pct: 70",
			[]string{"loan band 0: shares add up to 90, not 100"}},
		{"unknown faq topic", fileFAQ, "topic: lpr", "topic: prime",
			[]string{`parse faq.yaml: faq "lpr": unknown topic "prime"`}},
		{"faq answer and topic", fileFAQ, "    topic: tiers\n", "    topic: tiers\n    answer: 分四类。\n",
			[]string{`faq "tiers": has both an answer and a topic`}},
		{"number in faq answer", fileFAQ, "每年确定“苏质贷”", "每年（2024年）确定“苏质贷”",
			[]string{`faq "annual-quota": answer contains a number`}},
		{"other address in faq", fileFAQ, "网址是 https://www.jssjrfw.com/#/home", "网址是 https://example.com",
			[]string{`faq "platform": answer names an address other than the platform`}},
		{"bad lpr date", fileRates, `"2025-05-20"`, `"2025/05/20"`,
			[]string{`parse rates.yaml: lpr effective date "2025/05/20" is not YYYY-MM-DD`}},
		{"misspelt field", fileProducts, "bank_pct: 20", "bank_pc: 20",
			[]string{"parse products.yaml:", "field bank_pc not found"}},
		{"margin for tier 4", fileProducts, "    3: 80\n", "    3: 80\n    4: 100\n",
			[]string{"loan margin_bp: unknown tier 4 (want 1–3)"}},
		{"terms disagree with margin", fileProducts, "LPR+30个基点", "LPR+20个基点",
			[]string{`product "szd": terms for tier Ⅰ do not say "LPR+30个基点"`}},
		{"otc terms disagree", fileProducts, "不超过300万元", "不超过30万元",
			[]string{`product "futures": terms for tier Ⅰ do not say "300万元"`}},
		{"keyword in two criteria", fileTiers, "[苏州市质量奖, 苏州质量奖]", "[苏州市质量奖, 苏州质量奖, 市长质量奖]",
			[]string{`keyword "市长质量奖" belongs to both t1-mayor-award and t2-city-award`}},
		{"empty keyword", fileTiers, "[标准创新贡献奖, 标准创新奖]", `[标准创新贡献奖, ""]`,
			[]string{`criterion "t1-std-innovation": keyword 2 is empty`}},
		{"question mark", fileEligibility, "是否具有独立法人资格？", "具有独立法人资格",
			[]string{`condition "legal-person": question does not end with a question mark`}},
		{"empty version", filePolicy, "version: 苏市监管发〔2023〕132号", "version: \"\"",
			[]string{"policy version is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := MustSeedFS(t)
			src := string(fsys[tt.file].Data)
			if !strings.Contains(src, tt.old) {
				t.Fatalf("%s does not contain %q; the test would prove nothing", tt.file, tt.old)
			}
			fsys[tt.file] = &fstest.MapFile{Data: []byte(strings.Replace(src, tt.old, tt.new, 1))}
			p, err := Parse(fsys)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", p)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestParseMissingFile(t *testing.T) {
	t.Parallel()
	fsys := MustSeedFS(t)
	delete(fsys, fileCounties)
	_, err := Parse(fsys)
	if err == nil || !strings.Contains(err.Error(), "parse counties.yaml:") {
		t.Fatalf("err = %v, want one naming counties.yaml", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want it to wrap fs.ErrNotExist", err)
	}
}
