package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/text/unicode/norm"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// checkTextIndex fails when a text, needtext or words entry names no
// document, or a document with a stored PDF and no text entry is not
// queued for extraction.
func checkTextIndex(t *testing.T, s *Store) {
	t.Helper()
	err := s.db.View(func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocs)
		for _, b := range [][]byte{bucketText, bucketWords} {
			tx.Bucket(b).ForEach(func(k, _ []byte) error {
				if docs.Get(k) == nil {
					t.Errorf("%s entry %q names no document", b, k)
				}
				return nil
			})
		}
		need := tx.Bucket(bucketNeedText)
		need.ForEach(func(k, _ []byte) error {
			d, err := getDoc(tx, k[sortPrefix:])
			if err != nil || string(sortKey(&d)) != string(k) || pdfOf(&d) == "" || textEntry(tx, d.Key) != nil {
				t.Errorf("needtext entry %q: %v", k, err)
			}
			return nil
		})
		return docs.ForEach(func(k, _ []byte) error {
			d, err := getDoc(tx, k)
			if err != nil {
				return err
			}
			if pdfOf(&d) != "" && textEntry(tx, d.Key) == nil && need.Get(sortKey(&d)) == nil {
				t.Errorf("document %q has a PDF, no text and is not queued", k)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// textFixture caches n inbox documents with a stored PDF each, one hour
// apart ("t-000" oldest).
func textFixture(t *testing.T, n int) *Store {
	t.Helper()
	s, _ := openTemp(t)
	r := newRand()
	var changes []protocol.Change
	for i := range n {
		doc := sampleDoc(r, i)
		doc.Attachments = []edoc.Attachment{putBlob(t, s, "van-ban.pdf", []byte(fmt.Sprintf("%%PDF-1.7 %d", i)))}
		changes = append(changes, received(message(fmt.Sprintf("t-%03d", i), doc, timeAt(i))))
	}
	if _, err := s.Apply(changes, "c"); err != nil {
		t.Fatal(err)
	}
	return s
}

func jobKeys(jobs []TextJob) string {
	var k []string
	for _, j := range jobs {
		k = append(k, j.Key)
	}
	return strings.Join(k, ",")
}

func TestSetTextFindsByText(t *testing.T) {
	s := textFixture(t, 3)
	jobs, err := s.NeedText(0)
	if err != nil || jobKeys(jobs) != "t-002,t-001,t-000" {
		t.Fatalf("need text %q, %v", jobKeys(jobs), err)
	}
	d, _ := s.Get("t-001")
	if jobs[1].SHA256 != d.Doc.Attachments[0].SHA256 || !s.HasBlob(jobs[1].SHA256) {
		t.Fatalf("job %+v", jobs[1])
	}
	// The text as PDFium gives it: NFD from some producers, line breaks,
	// hyphens, form feeds between pages.
	text := norm.NFD.String("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\r\nĐộc lập - Tự do - Hạnh phúc\n" +
		"Điều 1. Phê duyệt phương án bồi thường, hỗ trợ tái định cư\f Trang 2: giải phóng mặt bằng")
	if err := s.SetText("t-001", text); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"boi thuong":             "t-001",
		"bồi thường tái định cư": "t-001",
		"BỒI THƯỜNG":             "t-001",
		"giai phong mat bang":    "t-001", // the second page
		"hanh phuc":              "t-001",
		"tai dinh":               "t-001", // prefixes
		"boi thuong " + d.Doc.Code.CodeNumber + "/" + d.Doc.Code.CodeNotation: "t-001", // text and metadata
		"boi thuong khong": "", // AND
		"thuongboi":        "",
	} {
		docs, err := s.Search(q, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(keys(docs), ","); got != want {
			t.Errorf("search %q found %q, want %q", q, got, want)
		}
	}
	if jobs, _ := s.NeedText(0); jobKeys(jobs) != "t-002,t-000" {
		t.Fatalf("after SetText, need text %q", jobKeys(jobs))
	}
	if ok, failed, err := s.TextState("t-001"); !ok || failed != "" || err != nil {
		t.Fatalf("text state %v %q %v", ok, failed, err)
	}
	// Rewriting the document (read, a status) keeps its text indexed.
	if err := s.MarkRead("t-001"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(changesOf(protocol.Change{Kind: protocol.ChangeStatus, MessageID: "t-001",
		Status: &protocol.StatusEvent{OrganID: d.Doc.To[0].OrganID, Status: edoc.StatusAccepted, At: timeAt(9)}}), "c2"); err != nil {
		t.Fatal(err)
	}
	if docs, _ := s.Search("phuong an boi thuong", "", 0); strings.Join(keys(docs), ",") != "t-001" {
		t.Fatalf("after rewrites: %v", keys(docs))
	}
	if jobs, _ := s.NeedText(0); jobKeys(jobs) != "t-002,t-000" {
		t.Fatalf("a rewrite queued the document again: %q", jobKeys(jobs))
	}
	// An empty text (a scan) is done too.
	if err := s.SetText("t-000", ""); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.NeedText(0); jobKeys(jobs) != "t-002" {
		t.Fatalf("need text %q", jobKeys(jobs))
	}
	if err := s.SetText("nope", "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("set text of nothing: %v", err)
	}
	// Deleting the document drops its text.
	if _, err := s.Apply(changesOf(deleted("t-001")), "c3"); err != nil {
		t.Fatal(err)
	}
	if docs, _ := s.Search("boi thuong", "", 0); len(docs) != 0 {
		t.Fatalf("deleted document found: %v", keys(docs))
	}
	if ok, _, _ := s.TextState("t-001"); ok {
		t.Fatal("text of a deleted document kept")
	}
	checkTextIndex(t, s)
}

func TestNeedTextSurvivesRestartAndSkipsMissingFiles(t *testing.T) {
	s, path := openTemp(t)
	withFile := sampleDoc(newRand(), 1)
	withFile.Attachments = []edoc.Attachment{putBlob(t, s, "a.pdf", []byte("%PDF-1.7 a"))}
	notYet := sampleDoc(newRand(), 2) // sampleDoc's attachment: a PDF not downloaded
	noPDF := sampleDoc(newRand(), 3)
	noPDF.Attachments = []edoc.Attachment{putBlob(t, s, "a.docx", []byte("PK docx"))}
	noPDF.Attachments[0].ContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	if _, err := s.Apply(changesOf(received(message("m-file", withFile, timeAt(1))), received(message("m-later", notYet, timeAt(2))),
		received(message("m-docx", noPDF, timeAt(3)))), "c"); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.NeedText(0); jobKeys(jobs) != "m-file" {
		t.Fatalf("need text %q", jobKeys(jobs))
	}
	s.Close()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if jobs, _ := s.NeedText(0); jobKeys(jobs) != "m-file" {
		t.Fatalf("after restart, need text %q", jobKeys(jobs))
	}
	// The file arrives: the document is work now.
	if _, err := s.PutBlobExpect(strings.NewReader(fmt.Sprint(2)), notYet.Attachments[0].SHA256); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.NeedText(0); jobKeys(jobs) != "m-later,m-file" {
		t.Fatalf("after the file came, need text %q", jobKeys(jobs))
	}
	if err := s.SetTextFailed("m-later", "open van-ban-2.pdf: the file is not a readable PDF "+strings.Repeat("x", 1000)); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.NeedText(0); jobKeys(jobs) != "m-file" {
		t.Fatalf("a failed document is tried again: %q", jobKeys(jobs))
	}
	ok, failed, _ := s.TextState("m-later")
	if ok || !strings.HasPrefix(failed, "open van-ban-2.pdf") || len(failed) > maxFailReason {
		t.Fatalf("text state %v %q", ok, failed)
	}
	checkTextIndex(t, s)
}

// filterFixture caches documents that differ in one filter each.
func filterFixture(t *testing.T) *Store {
	t.Helper()
	s, _ := openTemp(t)
	mk := func(id string, h int, typ string, from edoc.Organ, year int, due *edoc.Date, status edoc.Status) protocol.Change {
		doc := edoc.Document{From: from, To: []edoc.Organ{agencies[0]}, Type: edoc.DocumentType{TypeName: typ},
			Code: edoc.Code{CodeNumber: "1", CodeNotation: "X"}, Subject: "Về việc báo cáo " + id,
			PromulgationDate: edoc.Date{Year: year, Month: 3, Day: 1}, DueDate: due}
		m := message(id, doc, timeAt(h))
		if status != "" {
			m.Deliveries = []protocol.Delivery{{OrganID: agencies[0].OrganID, Status: status, UpdatedAt: timeAt(h)}}
		}
		return received(m)
	}
	d := func(y int, m time.Month, day int) *edoc.Date { return &edoc.Date{Year: y, Month: m, Day: day} }
	_, err := s.Apply(changesOf(
		mk("a", 1, "Quyết định", agencies[1], 2024, d(2025, 1, 10), edoc.StatusAssigned),
		mk("b", 2, "Công văn", agencies[1], 2025, d(2025, 2, 10), edoc.StatusDone),
		mk("c", 3, "Công văn", agencies[2], 2025, nil, edoc.StatusArrived),
		mk("d", 4, "Quyết định", agencies[2], 2025, d(2025, 3, 10), edoc.StatusProcessing),
		mk("e", 5, "Tờ trình", agencies[1], 2025, d(2024, 12, 31), ""),
	), "c")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetWorkflow("e", map[string]string{WorkflowRegister: string(edoc.RegisterCopy)}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFindFilters(t *testing.T) {
	s := filterFixture(t)
	today := edoc.Date{Year: 2025, Month: 2, Day: 20}
	for _, c := range []struct {
		name string
		q    Query
		want string
	}{
		{"everything, newest first", Query{}, "e,d,c,b,a"},
		{"year", Query{Year: 2025}, "e,d,c,b"},
		{"type, diacritic-insensitive", Query{Type: "quyet dinh"}, "d,a"},
		{"type as written", Query{Type: "Công Văn"}, "c,b"},
		{"a type is whole, not a prefix", Query{Type: "Công"}, ""},
		{"sender", Query{Sender: agencies[2].OrganID}, "d,c"},
		{"sender is whole", Query{Sender: agencies[2].OrganID[:8]}, ""},
		{"status", Query{Status: edoc.StatusDone}, "b"},
		{"register by workflow", Query{Register: edoc.RegisterCopy}, "e"},
		{"register by box", Query{Register: edoc.RegisterIncoming}, "d,c,b,a"},
		{"outgoing", Query{Register: edoc.RegisterOutgoing}, ""},
		{"due before", Query{DueBefore: edoc.Date{Year: 2025, Month: 2, Day: 10}}, "e,a"},
		{"overdue: due before today and not done", Query{Overdue: true, Today: today}, "e,a"},
		{"overdue and due before", Query{Overdue: true, Today: today, DueBefore: edoc.Date{Year: 2025, Month: 1, Day: 1}}, "e"},
		{"words and filters", Query{Text: "bao cao", Year: 2025, Type: "Quyết định"}, "d"},
		{"filters AND", Query{Sender: agencies[1].OrganID, Year: 2025, Type: "công văn"}, "b"},
		{"inbox", Query{Box: BoxInbox, Status: edoc.StatusArrived}, "c"},
		{"outbox", Query{Box: BoxOutbox}, ""},
	} {
		docs, next, err := s.Find(c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := strings.Join(keys(docs), ","); got != c.want || next != "" {
			t.Errorf("%s: found %q (next %q), want %q", c.name, got, next, c.want)
		}
	}
	for _, q := range []Query{{Box: "trash"}, {Register: "secret"}, {After: "zz"}, {After: "00"}, {Text: strings.Repeat("a ", 10000)}} {
		if _, _, err := s.Find(q); err == nil {
			t.Errorf("find %+v: no error", q)
		}
	}
}

func TestFindPages(t *testing.T) {
	s := textFixture(t, 30)
	for i := range 30 {
		text := "kính gửi các sở ban ngành"
		if i%3 == 0 {
			text += " quy hoạch sử dụng đất"
		}
		if err := s.SetText(fmt.Sprintf("t-%03d", i), text); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []Query{{Text: "quy hoach dat", Limit: 4}, {Text: "kinh gui", Limit: 7}, {Limit: 5, Year: 0}} {
		var got []string
		for after, pages := "", 0; ; pages++ {
			if pages > 30 {
				t.Fatal("pages never end")
			}
			q.After = after
			docs, next, err := s.Find(q)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) > q.Limit {
				t.Fatalf("page of %d", len(docs))
			}
			got = append(got, keys(docs)...)
			if next == "" {
				break
			}
			after = next
		}
		var want []string
		for i := 29; i >= 0; i-- {
			if q.Text != "quy hoach dat" || i%3 == 0 {
				want = append(want, fmt.Sprintf("t-%03d", i))
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%+v: pages %v, want %v", q, got, want)
		}
	}
}

// TestFindScansEverything: with more than scanBudget documents and the
// only match the oldest, Find still finds it (the whole-index scan), and
// pages through matches spread over the whole cache.
func TestFindScansEverything(t *testing.T) {
	s, _ := openTemp(t)
	n := scanBudget + 500
	r := newRand()
	for done := 0; done < n; done += 500 {
		var msgs []protocol.Message
		for i := done; i < done+500; i++ {
			msgs = append(msgs, message(fmt.Sprintf("k-%05d", i), sampleDoc(r, i), timeAt(i)))
		}
		if err := s.Resync(msgs, BoxInbox, fmt.Sprint(done)); err != nil {
			t.Fatal(err)
		}
	}
	err := s.update(func(tx *bolt.Tx) error {
		for i := 0; i < n; i += 1000 {
			if err := s.setText(tx, fmt.Sprintf("k-%05d", i), "hiếm gặp xylophon"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	docs, next, err := s.Find(Query{Text: "xylo", Limit: 2})
	if err != nil || strings.Join(keys(docs), ",") != "k-03000,k-02000" || next == "" {
		t.Fatalf("first page %v %q %v", keys(docs), next, err)
	}
	docs, next, err = s.Find(Query{Text: "xylo", Limit: 2, After: next})
	if err != nil || strings.Join(keys(docs), ",") != "k-01000,k-00000" || next != "" {
		t.Fatalf("second page %v %q %v", keys(docs), next, err)
	}
}

// TestTextCannotForgeFilters: an attacker who controls a PDF's text or
// the metadata cannot make a document match a filter it does not: the
// token mark and spaces fold away.
func TestTextCannotForgeFilters(t *testing.T) {
	s := filterFixture(t)
	forged := " \x01k06 \x01y1999 \x01rcopy \x01s000.00.00.G10 \x01d19000101 \x01tquyet_dinh "
	if err := s.update(func(tx *bolt.Tx) error {
		d, err := getDoc(tx, []byte("c"))
		if err != nil {
			return err
		}
		d.Doc.Subject += forged
		d.Doc.Type.TypeName = "Công văn \x01k06"
		if err := s.putDoc(tx, &d); err != nil {
			return err
		}
		return s.setText(tx, "c", forged+" "+string([]byte{0xff, 0x01, 'k'})+"06")
	}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []Query{
		{Status: edoc.StatusDone}, {Year: 1999}, {Register: edoc.RegisterCopy}, {Sender: agencies[5].OrganID},
		{DueBefore: edoc.Date{Year: 1900, Month: 1, Day: 2}}, {Type: "quyết định"},
	} {
		docs, _, err := s.Find(q)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			if d.Key == "c" {
				t.Errorf("forged text made c match %+v", q)
			}
		}
	}
	// Nor can a query's text match a token, or a filter value carry a
	// second token.
	for _, q := range []Query{{Text: "\x01k03"}, {Text: "k01"}, {Sender: agencies[2].OrganID + " \x01y2025"}, {Type: "cong_van \x01k01"}} {
		if docs, _, _ := s.Find(q); len(docs) != 0 {
			t.Errorf("find %+v found %v", q, keys(docs))
		}
	}
	checkTextIndex(t, s)
}

func TestTextIsBounded(t *testing.T) {
	s := textFixture(t, 1)
	// A huge text of distinct words, a word longer than a page, invalid
	// UTF-8 and control characters.
	var b strings.Builder
	b.WriteString(strings.Repeat("đ", 10000) + " \x00\x07\xff\xfe mởđầu ")
	for i := 0; b.Len() < 2*MaxTextInput; i++ {
		fmt.Fprintf(&b, "từ%d ", i)
	}
	b.WriteString(" cuốicùng")
	if err := s.SetText("t-000", b.String()); err != nil {
		t.Fatal(err)
	}
	s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketText).Get([]byte("t-000"))
		if len(v) > maxTextBytes+1 || strings.Count(string(v), " ")+1 > maxTextWords {
			t.Errorf("text entry of %d bytes, %d words", len(v), strings.Count(string(v), " ")+1)
		}
		return nil
	})
	for q, want := range map[string]int{strings.Repeat("d", 64): 1, "modau": 1, "tu1": 1, "cuoicung": 0} {
		if docs, _ := s.Search(q, "", 0); len(docs) != want {
			t.Errorf("search %q: %d found, want %d", q, len(docs), want)
		}
	}
	checkTextIndex(t, s)
}

func TestSavedSearches(t *testing.T) {
	s, path := openTemp(t)
	q := Query{Text: "bồi thường", Year: 2025, Status: edoc.StatusAssigned, Overdue: true, Limit: 7, After: "ab", Today: edoc.Date{Year: 2025, Month: 1, Day: 1}}
	names := []string{"Văn bản khẩn của Sở Tài chính", "Đất đai quá hạn", "Báo cáo năm 2025", "an toàn"}
	for _, n := range names {
		if err := s.SaveSearch(norm.NFD.String(n), q); err != nil {
			t.Fatal(err)
		}
	}
	q2 := Query{Type: "Quyết định"}
	if err := s.SaveSearch(" Đất đai quá hạn ", q2); err != nil { // replaces
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, err := s.SavedSearches()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ss := range list {
		got = append(got, ss.Name)
	}
	if strings.Join(got, "|") != "an toàn|Báo cáo năm 2025|Đất đai quá hạn|Văn bản khẩn của Sở Tài chính" {
		t.Fatalf("saved searches %q", got)
	}
	if list[2].Query != q2 {
		t.Fatalf("replaced query %+v", list[2].Query)
	}
	want := q
	want.Limit, want.After, want.Today = 0, "", edoc.Date{}
	if list[0].Query != want || !norm.NFC.IsNormalString(list[3].Name) {
		t.Fatalf("saved %+v", list[0])
	}
	if err := s.DeleteSearch(norm.NFD.String("Báo cáo năm 2025")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSearch("Báo cáo năm 2025"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if l, _ := s.SavedSearches(); len(l) != 3 {
		t.Fatalf("after delete %d", len(l))
	}
	for _, bad := range []string{"", "   ", "a\nb", "\xff", strings.Repeat("ă", maxSavedName+1)} {
		if err := s.SaveSearch(bad, q2); err == nil {
			t.Errorf("name %q saved", bad)
		}
	}
	if err := s.SaveSearch("x", Query{Box: "trash"}); err == nil {
		t.Error("invalid query saved")
	}
	for i := len(got) - 1; i < maxSavedCount; i++ {
		if err := s.SaveSearch(fmt.Sprint("tìm ", i), q2); err != nil {
			t.Fatalf("saved search %d: %v", i, err)
		}
	}
	if err := s.SaveSearch("một nữa", q2); err == nil {
		t.Fatal("more than the limit saved")
	}
	if err := s.SaveSearch("tìm 10", q); err != nil {
		t.Fatalf("replacing at the limit: %v", err)
	}
}
