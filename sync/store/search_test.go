package store

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// searchFixture caches three documents whose words the tests know.
func searchFixture(t *testing.T) *Store {
	s, _ := openTemp(t)
	t0 := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	qd := edoc.Document{
		From: agencies[0], To: []edoc.Organ{agencies[1]},
		Code: edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"}, Type: edoc.DocumentType{TypeName: "Quyết định"},
		Subject: "Về việc phê duyệt Đề án phát triển đô thị", Signer: edoc.Signer{FullName: "Nguyễn Đức Trung"},
	}
	cv := edoc.Document{
		From: agencies[5], To: []edoc.Organ{agencies[0]},
		Code: edoc.Code{CodeNumber: "1234", CodeNotation: "BTNMT-TCMT"}, Type: edoc.DocumentType{TypeName: "Công văn"},
		Subject: "Về việc báo cáo tình hình quản lý chất thải rắn", Signer: edoc.Signer{FullName: "Đặng Quốc Khánh"},
	}
	tb := edoc.Document{
		From: agencies[4], To: []edoc.Organ{agencies[3]},
		Code: edoc.Code{CodeNumber: "50", CodeNotation: "TB-SGDĐT"}, Type: edoc.DocumentType{TypeName: "Thông báo"},
		Subject: "Kết luận của Giám đốc tại cuộc họp giao ban", Signer: edoc.Signer{FullName: "Trần Thị Minh Đức"},
	}
	_, err := s.Apply([]protocol.Change{
		received(message("m-qd", qd, t0)),
		received(message("m-cv", cv, t0.Add(time.Hour))),
		received(message("m-tb", tb, t0.Add(2*time.Hour))),
	}, "c")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSearch(t *testing.T) {
	s := searchFixture(t)
	for _, c := range []struct {
		q    string
		want string
	}{
		{"quyet dinh", "m-qd"},
		{"Quyết định", "m-qd"},
		{"QUYẾT", "m-qd"},
		{"05/qđ", "m-qd"},
		{"05/QĐ-UBND", "m-qd"},
		{"05/qd", "m-qd"},
		{"đô thị", "m-tb,m-qd"}, // đốc
		{"phat trien do thi", "m-qd"},
		{"dang quoc", "m-cv"},
		{"Đặng Khánh", "m-cv"},
		{"000.00.00.G10", "m-cv"},
		{"nghe an", "m-cv,m-qd"},        // the recipient of one, the sender of the other
		{"uy ban", "m-tb,m-cv,m-qd"},    // newest first
		{"so giao duc", "m-tb"},         // the sender's name
		{"ha noi", "m-tb"},              // the recipient's name
		{"minh duc", "m-tb"},            // signer
		{"duc", "m-tb,m-qd"},            // Đức, Đức Trung; giáo dục
		{"quyet cong", ""},              // both words must match
		{"xyz", ""},                     //
		{"ban bao", "m-tb,m-cv"},        // prefixes of two words
		{"1234/BTNMT", "m-cv"},          //
		{"  ,;.  ", ""},                 // no letters: nothing
		{"^quy.*$", "m-qd"},             // regexp-looking: only its words count
		{"(a|b)*[x]{2}", ""},            //
		{"quyet \xff\xfe dinh", "m-qd"}, // invalid UTF-8 is a separator
	} {
		docs, err := s.Search(c.q, "", 0)
		if err != nil {
			t.Fatalf("search %q: %v", c.q, err)
		}
		if got := strings.Join(keys(docs), ","); got != c.want {
			t.Errorf("search %q found %q, want %q", c.q, got, c.want)
		}
	}
	if docs, _ := s.Search("quyet", BoxOutbox, 0); len(docs) != 0 {
		t.Errorf("outbox search found %v", keys(docs))
	}
	if docs, _ := s.Search("uy ban", BoxInbox, 2); strings.Join(keys(docs), ",") != "m-tb,m-cv" {
		t.Errorf("limited search found %v", keys(docs))
	}
}

func TestSearchHostile(t *testing.T) {
	s := searchFixture(t)
	huge := strings.Repeat("quyết định ", 1500) // 16.5 KB
	if _, err := s.Search(huge, "", 0); err == nil {
		t.Error("a query over 16 KiB was accepted")
	}
	// Many words, but repeated: one word each.
	if docs, err := s.Search(strings.Repeat("quyet dinh ", 1000), "", 0); err != nil || len(docs) != 1 {
		t.Errorf("a repeated query: %v %v", keys(docs), err)
	}
	var many []string
	r := rand.New(rand.NewPCG(1, 1))
	for range 65 {
		many = append(many, string(rune('a'+r.IntN(26)))+string(rune('a'+r.IntN(26)))+string(rune('a'+r.IntN(26))))
	}
	if _, err := s.Search(strings.Join(many, " "), "", 0); err == nil {
		t.Error("65 different words were accepted")
	}
	long := strings.Repeat("đ", 5000) // a word of 10 KB, cut like the index's
	if docs, err := s.Search(long, "", 0); err != nil || len(docs) != 0 {
		t.Errorf("a long word: %v %v", keys(docs), err)
	}
	if _, err := s.Search("x", "trash", 0); err == nil {
		t.Error("an unknown box was accepted")
	}
	// A document with a huge subject is indexed with at most maxDocWords
	// words of at most maxWordBytes.
	var words []string
	for i := range 1000 {
		words = append(words, strings.Repeat(string(rune('a'+i%26)), 1+i%100)+"x"+string(rune('a'+i/26%26)))
	}
	d := edoc.Document{Subject: strings.Join(words, " ")}
	if _, err := s.Apply([]protocol.Change{received(message("m-huge", d, time.Now()))}, "c2"); err != nil {
		t.Fatal(err)
	}
	got := docWords(&Document{Doc: d})
	if len(got) != maxDocWords {
		t.Errorf("%d words indexed", len(got))
	}
	for _, w := range got {
		if len(w) > maxWordBytes {
			t.Errorf("indexed word of %d bytes", len(w))
		}
	}
}

// TestSearchCommonWords drives the search through the path where every
// word is common (more than driverCap index entries): the newest
// matching documents, in order.
func TestSearchCommonWords(t *testing.T) {
	s, _ := openTemp(t)
	r := rand.New(rand.NewPCG(2, 2))
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var changes []protocol.Change
	for i := range driverCap + 500 {
		d := sampleDoc(r, i)
		if i%7 == 0 {
			d.Subject += " khẩncấp"
		}
		changes = append(changes, received(message(keyN(i), d, t0.Add(time.Duration(i)*time.Minute))))
	}
	applyInBatches(t, s, changes)
	docs, err := s.Search("ve viec", BoxInbox, 10)
	if err != nil || len(docs) != 10 || docs[0].Key != keyN(driverCap+499) || docs[9].Key != keyN(driverCap+490) {
		t.Fatalf("common words: %v %v", keys(docs), err)
	}
	docs, err = s.Search("ve khanca", BoxInbox, 3)
	want := []string{}
	for i := driverCap + 499; len(want) < 3; i-- {
		if i%7 == 0 {
			want = append(want, keyN(i))
		}
	}
	if err != nil || strings.Join(keys(docs), ",") != strings.Join(want, ",") {
		t.Fatalf("a common and a rarer word: %v, want %v (%v)", keys(docs), want, err)
	}
}

func keyN(i int) string { return "m-" + strings.Repeat("0", 6-len(itoa(i))) + itoa(i) }

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// applyInBatches applies changes 200 at a time, as the feed pages them
// (bbolt splits nodes only at commit: one huge transaction into an empty
// bucket is quadratic).
func applyInBatches(t testing.TB, s *Store, changes []protocol.Change) {
	t.Helper()
	for len(changes) > 0 {
		n := min(200, len(changes))
		if _, err := s.Apply(changes[:n], "c"); err != nil {
			t.Fatal(err)
		}
		changes = changes[n:]
	}
}
