package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// postingsVocab are the words postingsText draws from: the first ones in
// most documents, the last ones in few, "xylo" only in the oldest 40 %
// (so that a query for it is dense but finds nothing among the newest
// documents, and Find must leave the time walk for the candidates).
var postingsVocab = strings.Fields("cua ngay tinh so ban nganh ke hoach dat dai thien tai bien dao khoang san hiem gap")

func postingsText(r *rand.Rand, i, n int) string {
	var w []string
	for range 3 + r.IntN(12) {
		u := r.Float64()
		w = append(w, postingsVocab[int(u*u*float64(len(postingsVocab)))])
	}
	if i < n*4/10 {
		w = append(w, "xylo", "xua")
	}
	w = append(w, "so"+strconv.Itoa(i)) // a word of one document
	return strings.Join(w, " ")
}

// randomQuery is a query of one to three words or prefixes and filters.
func randomQuery(r *rand.Rand) Query {
	var q Query
	var words []string
	for range r.IntN(3) {
		w := postingsVocab[r.IntN(len(postingsVocab))]
		if r.IntN(4) == 0 {
			w = w[:1+r.IntN(len(w))]
		}
		words = append(words, w)
	}
	switch r.IntN(8) {
	case 0, 7:
		words = append(words, "xylo")
	case 1:
		words = append(words, "so"+strconv.Itoa(r.IntN(3000)))
	case 2:
		words = append(words, "so1")
	}
	q.Text = strings.Join(words, " ")
	if r.IntN(3) == 0 {
		q.Year = 2020 + r.IntN(6)
	}
	if r.IntN(4) == 0 {
		q.Type = docTypes[r.IntN(len(docTypes))].name
	}
	if r.IntN(4) == 0 {
		q.Sender = agencies[r.IntN(len(agencies))].OrganID
	}
	if r.IntN(5) == 0 {
		q.Status = []edoc.Status{edoc.StatusArrived, edoc.StatusDone, edoc.StatusAccepted}[r.IntN(3)]
	}
	if r.IntN(5) == 0 {
		q.Box = []Box{BoxInbox, BoxOutbox}[r.IntN(2)]
	}
	if r.IntN(6) == 0 {
		q.Register = edoc.RegisterOutgoing
	}
	if r.IntN(5) == 0 {
		q.DueBefore = edoc.Date{Year: 2025, Month: time.Month(1 + r.IntN(12)), Day: 1 + r.IntN(28)}
	}
	if r.IntN(6) == 0 {
		q.Overdue, q.Today = true, edoc.Date{Year: 2025, Month: time.June, Day: 1}
	}
	q.Limit = 1 + r.IntN(60)
	return q
}

// findAll pages through q with Find.
func findAll(t *testing.T, s *Store, q Query) []string {
	t.Helper()
	var got []string
	for pages := 0; ; pages++ {
		if pages > 5000 {
			t.Fatalf("%+v: pages never end", q)
		}
		docs, next, err := s.Find(q)
		if err != nil {
			t.Fatalf("find %+v: %v", q, err)
		}
		if len(docs) > clampLimit(q.Limit) {
			t.Fatalf("find %+v: page of %d", q, len(docs))
		}
		got = append(got, keys(docs)...)
		if next == "" {
			return got
		}
		q.After = next
	}
}

// scanAllKeys is the answer of the words entries alone, every one read.
func scanAllKeys(t *testing.T, s *Store, q Query) []string {
	t.Helper()
	m, err := compile(q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	s.db.View(func(tx *bolt.Tx) error {
		for _, h := range scanAll(tx, m, nil, 1<<30) {
			out = append(out, string(h.key))
		}
		return nil
	})
	return out
}

// postingsFixture caches n documents (a tenth of them sent, with due
// dates and statuses), each with a text.
func postingsFixture(t *testing.T, r *rand.Rand, n int) (*Store, string) {
	t.Helper()
	s, path := openTemp(t)
	for done := 0; done < n; done += 500 {
		var in, out []protocol.Message
		for i := done; i < min(n, done+500); i++ {
			doc := sampleDoc(r, i)
			if r.IntN(3) == 0 {
				doc.DueDate = &edoc.Date{Year: 2025, Month: time.Month(1 + r.IntN(12)), Day: 1 + r.IntN(28)}
			}
			m := message(fmt.Sprintf("p-%05d", i), doc, timeAt(i))
			st := []edoc.Status{edoc.StatusArrived, edoc.StatusAccepted, edoc.StatusDone}[r.IntN(3)]
			m.Deliveries = []protocol.Delivery{{OrganID: doc.To[0].OrganID, Status: st, UpdatedAt: timeAt(i)}}
			if i%10 == 3 {
				out = append(out, m)
			} else {
				in = append(in, m)
			}
		}
		for box, msgs := range map[Box][]protocol.Message{BoxInbox: in, BoxOutbox: out} {
			if err := s.Resync(msgs, box, fmt.Sprint(done)); err != nil {
				t.Fatal(err)
			}
		}
		err := s.update(func(tx *bolt.Tx) error {
			for i := done; i < min(n, done+500); i++ {
				if err := s.setText(tx, fmt.Sprintf("p-%05d", i), postingsText(r, i, n)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return s, path
}

// TestFindMatchesFullScan: over 3000 documents changed at random (new
// text, new metadata, deleted, new ones), every random query pages
// through exactly what reading every words entry finds, in the same
// order, and the postings stay exactly the words entries' terms. The
// queries reach both ways through the postings: the walk of the time
// index (common words) and the candidates (rare words, words of the
// oldest documents only) and from the one to the other.
func TestFindMatchesFullScan(t *testing.T) {
	seed := uint64(7)
	if v, err := strconv.ParseUint(os.Getenv("VANTHU_POSTINGS_SEED"), 10, 64); err == nil {
		seed = v
	}
	r := rand.New(rand.NewPCG(seed, 1))
	const n = 3000
	s, path := postingsFixture(t, r, n)
	queries := 0
	check := func(round int) {
		for range 60 {
			q := randomQuery(r)
			want, got := scanAllKeys(t, s, q), findAll(t, s, q)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("seed %d round %d: find %+v:\n got %d %v\nwant %d %v", seed, round, q, len(got), head(got), len(want), head(want))
			}
			queries++
		}
	}
	check(0)
	next := n
	for round := 1; round <= 4; round++ {
		var changes []protocol.Change
		for range 150 {
			i := r.IntN(next)
			key := fmt.Sprintf("p-%05d", i)
			switch r.IntN(4) {
			case 0:
				if err := s.SetText(key, postingsText(r, r.IntN(n), n)); err != nil && !errors.Is(err, ErrNotFound) {
					t.Fatal(err)
				}
			case 1:
				changes = append(changes, deleted(key))
			case 2:
				doc := sampleDoc(r, i)
				m := message(key, doc, timeAt(i))
				m.Deliveries = []protocol.Delivery{{OrganID: doc.To[0].OrganID, Status: edoc.StatusDone, UpdatedAt: timeAt(i)}}
				if err := s.Resync([]protocol.Message{m}, BoxInbox, "r"); err != nil {
					t.Fatal(err)
				}
			case 3:
				m := message(fmt.Sprintf("p-%05d", next), sampleDoc(r, next), timeAt(r.IntN(next)))
				changes = append(changes, received(m))
				next++
			}
		}
		if _, err := s.Apply(changes, fmt.Sprint("round", round)); err != nil {
			t.Fatal(err)
		}
		check(round)
	}
	t.Logf("seed %d: %d queries", seed, queries)
	s.Close()
	checkFile(t, path)
}

func head(s []string) []string { return s[:min(len(s), 8)] }

// TestMigratePostings: a version-4 cache (search bucket, no postings)
// opens as version 5 with the postings of every words entry, and Find
// answers as on a cache made at version 5.
func TestMigratePostings(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	s, path := postingsFixture(t, r, 2500)
	var qs []Query
	var want [][]string
	for range 40 {
		q := randomQuery(r)
		qs, want = append(qs, q), append(want, findAll(t, s, q))
	}
	s.Close()
	// Back to version 4.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketOrds, bucketOrdKeys, bucketPostings} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		if _, err := tx.CreateBucket(bucketSearch); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if err := meta.Delete(keyNextOrd); err != nil {
			return err
		}
		return meta.Put(keyVersion, u64(4))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(path + cleanSuffix)
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range qs {
		if got := findAll(t, s, q); strings.Join(got, ",") != strings.Join(want[i], ",") {
			t.Errorf("after migration, find %+v: %d found, before %d", q, len(got), len(want[i]))
		}
	}
	s.Close()
	if v := fileVersion(t, path); v != schemaVersion {
		t.Errorf("version %d after migration", v)
	}
	checkFile(t, path)
}

// TestOrdSetEncoding: a set round-trips through both encodings, the
// list up to listMaxLen members and the bitmap above.
func TestOrdSetEncoding(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, n := range []int{1, 2, listMaxLen - 1, listMaxLen, listMaxLen + 1, 200, blockSize} {
		var s ordSet
		for s.count() < n {
			o := r.IntN(blockSize)
			s[o/64] |= 1 << (o % 64)
		}
		v := s.encode()
		if (n > listMaxLen) != (len(v) == bitmapLen) || n <= listMaxLen && len(v) != 2*n {
			t.Errorf("%d members: %d bytes", n, len(v))
		}
		var back ordSet
		back.decode(v)
		if back != s {
			t.Errorf("%d members: decoded %v, want %v", n, back, s)
		}
	}
}
