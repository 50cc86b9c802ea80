package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// openTemp opens a new cache in a temporary directory, closed at the end
// of the test.
func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cache.db")
	s, err := Open(path, Options{User: "Nguyễn Thị Hoa"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// Realistic metadata.
var (
	agencies = []edoc.Organ{
		{OrganID: "000.00.00.H40", OrganName: "Ủy ban nhân dân tỉnh Nghệ An"},
		{OrganID: "000.00.12.H40", OrganName: "Sở Tài chính tỉnh Nghệ An"},
		{OrganID: "000.00.13.H40", OrganName: "Sở Kế hoạch và Đầu tư tỉnh Nghệ An"},
		{OrganID: "000.00.00.H26", OrganName: "Ủy ban nhân dân thành phố Hà Nội"},
		{OrganID: "000.00.15.H26", OrganName: "Sở Giáo dục và Đào tạo Hà Nội"},
		{OrganID: "000.00.00.G10", OrganName: "Bộ Tài nguyên và Môi trường"},
		{OrganID: "000.00.20.H58", OrganName: "Sở Y tế tỉnh Quảng Ngãi"},
		{OrganID: "000.00.00.H62", OrganName: "Ủy ban nhân dân tỉnh Thừa Thiên Huế"},
		{OrganID: "000.01.31.H40", OrganName: "Ủy ban nhân dân huyện Đô Lương"},
		{OrganID: "000.00.30.H18", OrganName: "Sở Nội vụ tỉnh Đắk Lắk"},
	}
	docTypes = []struct{ name, notation string }{
		{"Quyết định", "QĐ"}, {"Công văn", ""}, {"Thông báo", "TB"}, {"Kế hoạch", "KH"},
		{"Báo cáo", "BC"}, {"Tờ trình", "TTr"}, {"Giấy mời", "GM"}, {"Chỉ thị", "CT"},
	}
	subjects = []string{
		"Về việc triển khai kế hoạch phòng, chống thiên tai năm %d",
		"Về việc phê duyệt dự toán ngân sách nhà nước năm %d",
		"Về việc tổ chức Hội nghị tổng kết công tác cải cách hành chính năm %d",
		"Về việc đôn đốc thực hiện chuyển đổi số trong cơ quan nhà nước năm %d",
		"Về việc giao chỉ tiêu tuyển sinh lớp 10 năm học %d",
		"Về việc tăng cường công tác phòng, chống dịch bệnh mùa mưa lũ năm %d",
		"Về việc bổ nhiệm cán bộ lãnh đạo cấp phòng năm %d",
		"Về việc đề nghị cung cấp số liệu đầu tư công trung hạn giai đoạn %d",
		"Về việc hướng dẫn quyết toán kinh phí sự nghiệp môi trường năm %d",
		"Về việc mời dự họp giao ban công tác đất đai quý %d",
	}
	signers = []edoc.Signer{
		{Competence: "TM. ỦY BAN NHÂN DÂN", Position: "Chủ tịch", FullName: "Nguyễn Đức Trung"},
		{Competence: "KT. CHỦ TỊCH", Position: "Phó Chủ tịch", FullName: "Lê Hồng Vinh"},
		{Position: "Giám đốc", FullName: "Trần Thị Minh Đức"},
		{Competence: "KT. GIÁM ĐỐC", Position: "Phó Giám đốc", FullName: "Phạm Văn Đông"},
		{Position: "Bộ trưởng", FullName: "Đặng Quốc Khánh"},
		{Competence: "TL. CHỦ TỊCH", Position: "Chánh Văn phòng", FullName: "Hoàng Thị Thu Hà"},
	}
)

// sampleDoc makes a document from r.
func sampleDoc(r *rand.Rand, n int) edoc.Document {
	from := agencies[r.IntN(len(agencies))]
	to := agencies[r.IntN(len(agencies))]
	ty := docTypes[r.IntN(len(docTypes))]
	year := 2020 + r.IntN(6)
	notation := ty.notation + "-UBND"
	if ty.notation == "" {
		notation = "UBND-TH"
	}
	number := fmt.Sprintf("%02d", 1+r.IntN(3000))
	date := edoc.Date{Year: year, Month: time.Month(1 + r.IntN(12)), Day: 1 + r.IntN(28)}
	return edoc.Document{
		DocumentID:       edoc.DocumentIDFor(from.OrganID, date, edoc.Code{CodeNumber: number, CodeNotation: notation}),
		From:             from,
		To:               []edoc.Organ{to},
		Code:             edoc.Code{CodeNumber: number, CodeNotation: notation},
		Place:            "Nghệ An",
		PromulgationDate: date,
		Type:             edoc.DocumentType{TypeName: ty.name},
		Subject:          fmt.Sprintf(subjects[r.IntN(len(subjects))], year),
		Signer:           signers[r.IntN(len(signers))],
		Priority:         edoc.Priority(r.IntN(4)),
		Attachments: []edoc.Attachment{{Role: edoc.RoleMain, Name: fmt.Sprintf("van-ban-%d.pdf", n), ContentType: "application/pdf",
			SHA256: fmt.Sprintf("%064x", sha256.Sum256([]byte(fmt.Sprint(n)))), Size: int64(1000 + n)}},
	}
}

// message makes a server message of doc.
func message(id string, doc edoc.Document, at time.Time) protocol.Message {
	return protocol.Message{ID: id, From: doc.From, SentBy: "Văn thư " + doc.From.OrganName, Document: doc, AcceptedAt: at}
}

// received is a ChangeReceived of m.
func received(m protocol.Message) protocol.Change {
	return protocol.Change{Kind: protocol.ChangeReceived, MessageID: m.ID, At: m.AcceptedAt.Add(time.Second), Message: &m}
}

// putBlob stores b and returns its attachment.
func putBlob(t testing.TB, s *Store, name string, b []byte) edoc.Attachment {
	t.Helper()
	sha, n, err := s.PutBlob(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return edoc.Attachment{Role: edoc.RoleMain, Name: name, ContentType: "application/pdf", SHA256: sha, Size: n}
}

// queueDoc queues a document with one fresh file and returns its id.
func queueDoc(t testing.TB, s *Store, r *rand.Rand, n int) (string, edoc.Document) {
	t.Helper()
	doc := sampleDoc(r, n)
	doc.Attachments = []edoc.Attachment{putBlob(t, s, "du-thao.pdf", []byte(fmt.Sprintf("%%PDF-1.7 văn bản %d %d", n, r.Int64())))}
	id := protocol.NewClientID()
	if err := s.Queue(doc, id); err != nil {
		t.Fatal(err)
	}
	return id, doc
}

// checkInvariants closes s, then checks the file with bbolt's Check,
// that every index entry names a document and every document is indexed,
// and that every blob re-hashes to its name and no temporary file is
// left.
func checkInvariants(t testing.TB, path string) {
	t.Helper()
	checkFile(t, path)
	checkBlobs(t, path+".blobs", nil)
}

// checkFile is checkInvariants without the blobs.
func checkFile(t testing.TB, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("bbolt check: %v", err)
		}
		docs := tx.Bucket(bucketDocs)
		n := 0
		for _, box := range boxes {
			c := tx.Bucket(bucketTime).Bucket([]byte(box)).Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				n++
				d, err := getDoc(tx, k[sortPrefix:])
				if err != nil || d.Box != box || !bytes.Equal(sortKey(&d), k) {
					t.Errorf("time index entry %x: %v", k, err)
				}
			}
		}
		if docs.Stats().KeyN != n {
			t.Errorf("%d documents, %d in the time index", docs.Stats().KeyN, n)
		}
		checkPostings(t, tx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkBlobs re-hashes every blob not in seen (adding it; nil: every
// blob) and fails on a temporary file or a file of another name; it
// returns how many blobs there are.
func checkBlobs(t testing.TB, dir string, seen map[string]bool) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		name := strings.ReplaceAll(filepath.ToSlash(rel), "/", "")
		if strings.HasPrefix(e.Name(), tmpPrefix) || !ValidSHA256(name) {
			t.Errorf("blob directory holds %s", rel)
			return nil
		}
		n++
		if seen[name] {
			return nil
		}
		if seen != nil {
			seen[name] = true
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != name {
			t.Errorf("blob %s hashes to %s", name, got)
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return n
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(42, 42)) }

// timeAt is a server time, hours after a fixed start.
func timeAt(h int) time.Time {
	return time.Date(2025, 4, 1, 7, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour)
}

func changesOf(c ...protocol.Change) []protocol.Change { return c }

func deleted(id string) protocol.Change {
	return protocol.Change{Kind: protocol.ChangeDeleted, MessageID: id}
}

// sent is a ChangeSent of m.
func sent(m protocol.Message) protocol.Change {
	return protocol.Change{Kind: protocol.ChangeSent, MessageID: m.ID, At: m.AcceptedAt, Message: &m}
}

// checkPostings fails unless the postings are exactly the terms of the
// words entries: every term of every entry names its document's
// ordinal, every posting an ordinal whose document holds the term, and
// ords and ordkeys are inverse.
func checkPostings(t testing.TB, tx *bolt.Tx) {
	t.Helper()
	if tx.Bucket(bucketSearch) != nil {
		t.Errorf("version %d still has the search bucket", schemaVersion)
	}
	ords, ordKeys, pb := tx.Bucket(bucketOrds), tx.Bucket(bucketOrdKeys), tx.Bucket(bucketPostings)
	next := nextOrd(tx)
	ords.ForEach(func(k, v []byte) error {
		if len(v) != 4 || binary.BigEndian.Uint32(v) >= next || !bytes.Equal(ordKeys.Get(v), k) {
			t.Errorf("ordinal %x of %q: not in ordkeys or not below %d", v, k, next)
		}
		return nil
	})
	if ords.Stats().KeyN != ordKeys.Stats().KeyN {
		t.Errorf("%d ords, %d ordkeys", ords.Stats().KeyN, ordKeys.Stats().KeyN)
	}
	want := map[string]bool{} // term \x00 ordinal
	tx.Bucket(bucketWords).ForEach(func(k, v []byte) error {
		o, ok := ordOf(tx, k)
		if !ok {
			t.Errorf("words entry %q has no ordinal", k)
			return nil
		}
		for term := range entryTerms(v) {
			want[term+"\x00"+fmt.Sprint(o)] = true
		}
		return nil
	})
	have := 0
	pb.ForEach(func(k, v []byte) error {
		if len(k) < 5 || k[len(k)-5] != 0 {
			t.Errorf("postings key %q: no term \\x00 block", k)
			return nil
		}
		if len(v) == 0 || len(v) != bitmapLen && (len(v)%2 != 0 || len(v) > 2*listMaxLen) {
			t.Errorf("postings %q: value of %d bytes", k, len(v))
		}
		var s ordSet
		s.decode(v)
		block := binary.BigEndian.Uint32(k[len(k)-4:])
		s.each(func(off uint16) {
			have++
			key := fmt.Sprintf("%s\x00%d", k[:len(k)-5], block<<blockBits|uint32(off))
			if !want[key] {
				t.Errorf("posting %q names a document without the term", key)
			}
		})
		return nil
	})
	if have != len(want) {
		t.Errorf("%d postings, the words entries have %d terms", have, len(want))
	}
}
