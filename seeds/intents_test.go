package seeds

import (
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// A broken intents.yaml or lexicon.yaml fails with a message naming the
// problem.
func TestParseBrokenUnderstanding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, old, new, want string
	}{
		{"unknown action", fileIntents, "action: greeting", "action: wave", `intent "greeting": unknown action "wave"`},
		{"unknown faq", fileIntents, "faq: what", "faq: nothing", `intent "what": unknown faq "nothing"`},
		{"unknown slot", fileIntents, "slots: [lead]", "slots: [phone]", `intent "progress": unknown slot "phone"`},
		{"paraphrase twice", fileIntents, "paraphrases: [谢谢, 谢谢你,", "paraphrases: [谢谢, 谢谢,", `intent "thanks": paraphrase "谢谢" twice`},
		{"unknown county", fileLexicon, "  taicang: [太仓]", "  taicang: [太仓]\n  nowhere: [某地]", `aliases of unknown county "nowhere"`},
		{"tier 5", fileLexicon, "  4: [四类,", "  5: [五类]\n  4: [四类,", "tier words: unknown tier 5"},
		{"synonym two ways", fileLexicon, "  利息: [利钱, interest]", "  利息: [利钱, interest]\n  利差: [利钱]", `synonym "利钱" maps to both`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := MustSeedFS(t)
			src := string(fsys[tt.file].Data)
			if !strings.Contains(src, tt.old) {
				t.Fatalf("%s does not contain %q; the test would prove nothing", tt.file, tt.old)
			}
			fsys[tt.file] = &fstest.MapFile{Data: []byte(strings.Replace(src, tt.old, tt.new, 1))}
			_, err := Parse(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	// Fewer than 15 paraphrases.
	fsys := MustSeedFS(t)
	src := string(fsys[fileIntents].Data)
	m := regexp.MustCompile(`(?m)^(  - id: greeting\n(?:    .*\n)*?    paraphrases: )\[.*\]$`).FindStringSubmatchIndex(src)
	if m == nil {
		t.Fatal("no greeting paraphrases; the test would prove nothing")
	}
	src = src[:m[3]] + "[你好, 您好]" + src[m[1]:]
	fsys[fileIntents] = &fstest.MapFile{Data: []byte(src)}
	if _, err := Parse(fsys); err == nil || !strings.Contains(err.Error(), `intent "greeting": 2 paraphrases, want at least 15`) {
		t.Fatalf("err = %v", err)
	}
}
