package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// FuzzStateCodec checks the state codec against encoding/json: what
// encodeRecord writes is byte for byte json.Marshal's, and whatever
// decodeRecord accepts, json.Unmarshal reads the same.
func FuzzStateCodec(f *testing.F) {
	f.Add([]byte(`{"r":3,"v":1,"flow":"need","step":"phone","hist":["name","code"],"fields":{"a":"苏州","b":""},"picks":[],"tier":2,"crit":["t2-a"],"checked":1700000000,"county":"kunshan","app":2,"at":1700000123456}`),
		"苏州精密", "a\"b<c>&\u2028", "\xff", int64(-5))
	f.Add([]byte(`{"r":1,"v":1,"en":"苏州","ec":"91320583MA1N2P3Q4X","eco":"kunshan","ect":"张三","eph":"13912345678","staff":"county","at":1}`), "a", "b", "c", int64(2))
	f.Add([]byte(`{"v":1,"at":0}`), "", "", "", int64(0))
	f.Add([]byte(`{"r":1,"v":1,"at":1,"at":2}`), "x", "y", "z", int64(1))
	f.Add([]byte(`{"r":01,"v":1,"at":1}`), "\n", "\\", "\x00", int64(1<<62))
	f.Add([]byte(` {"r":1,"v":1,"at":1}`), "é", "\u2029", "]", int64(-1))
	f.Add([]byte(`{"R":1,"v":1,"at":1e3}`), "a", "b", "c", int64(7))
	f.Fuzz(func(t *testing.T, raw []byte, s1, s2, s3 string, n int64) {
		if r, ok := decodeRecord(raw); ok {
			var ref stateRecord
			if err := json.Unmarshal(raw, &ref); err != nil {
				t.Fatalf("decoded what encoding/json refuses (%v): %q", err, raw)
			}
			if !reflect.DeepEqual(r, ref) {
				t.Fatalf("decoded %+v\njson    %+v\nfrom %q", r, ref, raw)
			}
		}
		for _, r := range []stateRecord{
			{R: n, V: 1, Flow: s1, Step: s2, History: []string{s1, s3}, Fields: map[string]string{s1: s2, s3: s1}, Picks: []string{}, Tier: int(n % 5), Criteria: []string{s3}, CheckedAt: n, County: s3, Applied: int(n % 3), Ticket: n,
				EntName: s1, EntCode: s2, EntCounty: s3, Contact: s1, EntPhone: s2, Staff: s3, Topic: s1, Unplaced: s2, Updated: -n},
			{V: stateVersion, Updated: n},
			{R: 1, V: 1, History: []string{}, Fields: map[string]string{}, County: s2},
		} {
			got := encodeRecord(r)
			want, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encoded %s\njson    %s", got, want)
			}
			back, ok := decodeRecord(got)
			var ref stateRecord
			json.Unmarshal(got, &ref)
			if ok && !reflect.DeepEqual(back, ref) {
				t.Fatalf("round trip %+v, json %+v", back, ref)
			}
		}
	})
}

// TestStateCodecTakesItsOwnRecords pins the fast path: the records the
// service writes are read without encoding/json.
func TestStateCodecTakesItsOwnRecords(t *testing.T) {
	t.Parallel()
	r := stateRecord{R: 7, V: 1, Flow: "selfcheck", Step: "c2", History: []string{"c1"}, Fields: map[string]string{"name": "苏州精密机械有限公司"},
		Tier: 4, Criteria: []string{"t4"}, CheckedAt: 1700000000, County: "wujiang", Applied: 1, Ticket: 42,
		EntName: "苏州精密机械有限公司", EntCode: "91320583MA1N2P3Q4X", EntCounty: "kunshan", Contact: "张三", EntPhone: "13912345678", Staff: "county", Topic: "szd", Unplaced: "利率多少", Updated: 1700000000123}
	got, ok := decodeRecord(encodeRecord(r))
	if !ok || !reflect.DeepEqual(got, r) {
		t.Fatalf("%v %+v", ok, got)
	}
}

// A record with a key this release does not know (one a later release
// added) is read through encoding/json, which skips the key: the release
// before reads this release's "app" the same way.
func TestStateWithAnUnknownKeyIsRead(t *testing.T) {
	t.Parallel()
	st, rev, err := decodeStateRev("o-x", `{"r":2,"v":1,"flow":"need","step":"phone","later":[1,{"x":true}],"app":2,"at":5}`)
	if err != nil || rev != 2 || st.Flow != "need" || st.Step != "phone" || st.Profile.Applied != dialog.AppliedSome {
		t.Fatalf("state %+v rev %d: %v", st, rev, err)
	}
}
