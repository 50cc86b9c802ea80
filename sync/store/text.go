package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/edoc"
)

// Limits of the text index.
const (
	// MaxTextInput is how much of a text SetText reads: the rest of a
	// longer text is not indexed (a 1000-page PDF must not make the index
	// huge; app/render keeps less than this already).
	MaxTextInput = 256 << 10
	// maxTextWords and maxTextBytes bound the distinct folded words kept
	// from one document's text.
	maxTextWords = 4096
	maxTextBytes = 32 << 10
	// maxFailReason bounds the reason kept for a failed extraction.
	maxFailReason = 500
	// scanBudget: a Find without words or filters reads this many of the
	// newest documents in time order; when they hold less than a page of
	// matches it reads every words entry instead.
	scanBudget = 3000
)

// Text entry states (the first byte of a value of the text bucket).
const (
	textIndexed byte = 't' // the folded words follow
	textFailed  byte = 'f' // the reason follows
)

// Filter tokens in a words entry: tokenMark, a letter, a value without
// spaces. Folded words are letters and digits only, so a token never
// looks like a word and a query word never matches one.
const (
	tokenMark     = '\x01'
	tokenRegister = 'r' // edoc.RegisterKind
	tokenYear     = 'y' // four digits
	tokenType     = 't' // folded type name, spaces as '_'
	tokenSender   = 's' // mã định danh of the sending agency
	tokenStatus   = 'k' // a latest status code (one per recipient)
	tokenDue      = 'd' // YYYYMMDD
)

// WorkflowRegister is the Document.Workflow entry naming the register
// (an edoc.RegisterKind) a document is entered in; without it, an inbox
// document counts as incoming and an outbox one as outgoing.
const WorkflowRegister = "register"

// TextJob is a document whose main PDF has no text in the index yet.
type TextJob struct {
	Key    string // the document's key
	SHA256 string // its main PDF, stored (BlobPath)
}

// hasPDF returns the SHA-256 of the first PDF of d ("" when none).
func pdfOf(d *Document) string {
	for _, a := range d.Doc.Attachments {
		if !ValidSHA256(a.SHA256) {
			continue
		}
		if a.ContentType == "application/pdf" || strings.HasSuffix(strings.ToLower(a.Name), ".pdf") {
			return a.SHA256
		}
	}
	return ""
}

// foldText folds the first MaxTextInput bytes of text into distinct
// words, in order of appearance, skipping those in skip, within
// maxTextWords and maxTextBytes.
func foldText(text string, skip map[string]bool) []string {
	if len(text) > MaxTextInput {
		n := MaxTextInput
		for n > 0 && !utf8.RuneStart(text[n]) {
			n--
		}
		text = text[:n]
	}
	seen := map[string]bool{}
	var words []string
	size := 0
	for _, w := range strings.Fields(edoc.Fold(text)) {
		w = cutWord(w)
		if w == "" || seen[w] || skip[w] {
			continue
		}
		if len(words) == maxTextWords || size+len(w)+1 > maxTextBytes {
			break
		}
		seen[w] = true
		size += len(w) + 1
		words = append(words, w)
	}
	return words
}

// tokenValue makes s fit in a token: no bytes below 0x21, at most 64
// bytes, valid UTF-8.
func tokenValue(s string) string {
	s = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f || r == utf8.RuneError {
			return '_'
		}
		return r
	}, s)
	return cutWord(s)
}

func token(kind byte, value string) string {
	return string([]byte{tokenMark, kind}) + tokenValue(value)
}

// registerOf is the register d counts in.
func registerOf(d *Document) edoc.RegisterKind {
	if k := edoc.RegisterKind(d.Workflow[WorkflowRegister]); k.Valid() {
		return k
	}
	if d.Box == BoxOutbox {
		return edoc.RegisterOutgoing
	}
	return edoc.RegisterIncoming
}

// yearOf is d's year: of its date, else of its server time in Vietnam.
func yearOf(d *Document) int {
	if d.Doc.PromulgationDate.Year != 0 {
		return d.Doc.PromulgationDate.Year
	}
	return edoc.DateOf(versionTime(d)).Year
}

// statusesOf are the latest statuses of d: each recipient's (Deliveries),
// else the latest status event.
func statusesOf(d *Document) []edoc.Status {
	var out []edoc.Status
	for _, dl := range d.Deliveries {
		if dl.Status != "" {
			out = append(out, dl.Status)
		}
	}
	if len(out) == 0 && len(d.Statuses) > 0 {
		last := d.Statuses[0]
		for _, e := range d.Statuses[1:] {
			if !e.At.Before(last.At) {
				last = e
			}
		}
		out = append(out, last.Status)
	}
	return out
}

// filterTokens are d's filter tokens.
func filterTokens(d *Document) []string {
	sender := d.From.OrganID
	if sender == "" {
		sender = d.Doc.From.OrganID
	}
	toks := []string{
		token(tokenRegister, string(registerOf(d))),
		token(tokenYear, strconv.Itoa(yearOf(d))),
		token(tokenType, strings.ReplaceAll(edoc.Fold(d.Doc.Type.TypeName), " ", "_")),
		token(tokenSender, sender),
	}
	seen := map[edoc.Status]bool{}
	for _, st := range statusesOf(d) {
		if !seen[st] && len(seen) < 64 {
			seen[st] = true
			toks = append(toks, token(tokenStatus, string(st)))
		}
	}
	if due := d.Doc.DueDate; due != nil && !due.IsZero() {
		toks = append(toks, token(tokenDue, dateDigits(*due)))
	}
	return toks
}

// dateDigits is YYYYMMDD.
func dateDigits(d edoc.Date) string {
	return fmt.Sprintf("%04d%02d%02d", d.Year%10000, int(d.Month)%100, d.Day%100)
}

// wordsValue is d's words entry: sk | box byte | " " tokens " " words
// " " text words " " (the tokens first: a filter fails early).
func wordsValue(tx *bolt.Tx, d *Document, sk []byte, words []string) []byte {
	toks := filterTokens(d)
	var text []byte
	if v := textEntry(tx, d.Key); len(v) > 0 && v[0] == textIndexed {
		text = v[1:]
	}
	v := make([]byte, 0, sortPrefix+3+len(words)*8+len(toks)*16+len(text))
	v = append(append(v, sk[:sortPrefix]...), boxByte(d.Box), ' ')
	for _, t := range toks {
		v = append(append(v, t...), ' ')
	}
	for _, w := range words {
		v = append(append(v, w...), ' ')
	}
	if len(text) > 0 {
		v = append(append(v, text...), ' ')
	}
	return v
}

// textEntry is the text bucket's value for key (nil when none, or when
// the bucket does not exist yet: a migration to version 2 indexes before
// version 3 made it).
func textEntry(tx *bolt.Tx, key string) []byte {
	b := tx.Bucket(bucketText)
	if b == nil {
		return nil
	}
	return b.Get([]byte(key))
}

// putNeedText queues d for extraction when it has a PDF and no text entry.
func putNeedText(tx *bolt.Tx, d *Document, sk []byte) error {
	b := tx.Bucket(bucketNeedText)
	if b == nil || pdfOf(d) == "" || textEntry(tx, d.Key) != nil {
		return nil
	}
	return b.Put(sk, nil)
}

// deleteNeedText drops d from the extraction queue.
func deleteNeedText(tx *bolt.Tx, sk []byte) error {
	if b := tx.Bucket(bucketNeedText); b != nil {
		return b.Delete(sk)
	}
	return nil
}

// SetText indexes text as the text of the document under key (its main
// PDF's text, as app/textindex extracts it): from then on Find and Search
// find it by the words of the text too. Only the first MaxTextInput bytes
// are read and at most 4096 distinct words (32 KiB folded) kept; invalid
// UTF-8 and control characters separate words. The document leaves
// NeedText for good, also with an empty text (a scan without text).
// Setting it again replaces the text. One transaction; ErrNotFound.
func (s *Store) SetText(key, text string) error {
	err := s.update(func(tx *bolt.Tx) error { return s.setText(tx, key, text) })
	if err != nil {
		return fmt.Errorf("set text: %w", err)
	}
	return nil
}

func (s *Store) setText(tx *bolt.Tx, key, text string) error {
	d, err := getDoc(tx, []byte(key))
	if err != nil {
		return err
	}
	// Metadata words are kept too: a document's metadata may be
	// rewritten (a join), its text is not extracted again.
	words := foldText(text, nil)
	v := make([]byte, 1, 1+len(words)*8)
	v[0] = textIndexed
	v = append(v, strings.Join(words, " ")...)
	return s.putTextEntry(tx, &d, v)
}

// SetTextFailed records that the text of the document under key could
// not be extracted, and why (cut to 500 bytes): it leaves NeedText, so
// that it is not tried again, and TextState reports the reason.
// ErrNotFound.
func (s *Store) SetTextFailed(key, reason string) error {
	err := s.update(func(tx *bolt.Tx) error {
		d, err := getDoc(tx, []byte(key))
		if err != nil {
			return err
		}
		if len(reason) > maxFailReason {
			reason = reason[:maxFailReason]
		}
		reason = strings.ToValidUTF8(reason, "")
		return s.putTextEntry(tx, &d, append([]byte{textFailed}, reason...))
	})
	if err != nil {
		return fmt.Errorf("set text failed: %w", err)
	}
	return nil
}

// putTextEntry writes the text entry and re-indexes d.
func (s *Store) putTextEntry(tx *bolt.Tx, d *Document, v []byte) error {
	if err := tx.Bucket(bucketText).Put([]byte(d.Key), v); err != nil {
		return err
	}
	sk := sortKey(d)
	if err := deleteNeedText(tx, sk); err != nil {
		return err
	}
	return putWords(tx, []byte(d.Key), wordsValue(tx, d, sk, docWords(d)))
}

// TextState says whether the text of the document under key is indexed
// and, when its extraction failed, why (indexed false, reason set).
// Neither for a document not extracted yet or without a PDF.
func (s *Store) TextState(key string) (indexed bool, failed string, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		v := textEntry(tx, key)
		switch {
		case len(v) == 0:
		case v[0] == textIndexed:
			indexed = true
		case v[0] == textFailed:
			failed = string(v[1:])
			if failed == "" {
				failed = "?"
			}
		}
		return nil
	})
	if err != nil {
		return false, "", fmt.Errorf("text state: %w", err)
	}
	return indexed, failed, nil
}

// NeedText lists up to limit (default 50, at most 1000) documents whose
// main PDF is stored but has neither text nor a failure recorded, newest
// first: the work of a text extractor, found again after a restart.
// Documents whose PDF has not been downloaded yet are left out until it
// is.
func (s *Store) NeedText(limit int) ([]TextJob, error) {
	limit = clampLimit(limit)
	var out []TextJob
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketNeedText).Cursor()
		for k, _ := c.Last(); k != nil && len(out) < limit; k, _ = c.Prev() {
			d, err := getDoc(tx, k[sortPrefix:])
			if err != nil {
				return err
			}
			if sha := pdfOf(&d); sha != "" && s.HasBlob(sha) {
				out = append(out, TextJob{Key: d.Key, SHA256: sha})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("need text: %w", err)
	}
	return out, nil
}

// Query is a search of the cache: words and filters, all of which a
// document must match.
type Query struct {
	// Text: every word must start a word of the document's metadata
	// (subject, số/ký hiệu, type, signer, agencies' names and mã định
	// danh) or of its PDF's text, diacritic- and case-insensitive.
	Text string `json:"text,omitempty"`
	Box  Box    `json:"box,omitempty"` // "" for both

	Register edoc.RegisterKind `json:"register,omitempty"` // WorkflowRegister, else by box
	Year     int               `json:"year,omitempty"`     // of the document's date (else its server time)
	Type     string            `json:"type,omitempty"`     // type name, diacritic-insensitive, whole
	Sender   string            `json:"sender,omitempty"`   // mã định danh of the sending agency
	Status   edoc.Status       `json:"status,omitempty"`   // a recipient's latest status

	// DueBefore keeps documents due before that date; Overdue those due
	// before Today (zero: today in Vietnam) without status 06 for every
	// recipient.
	DueBefore edoc.Date `json:"due_before,omitzero"`
	Overdue   bool      `json:"overdue,omitempty"`
	Today     edoc.Date `json:"-"`

	Limit int    `json:"-"` // default 50, at most 1000
	After string `json:"-"` // from a previous page's next
}

// matcher is a compiled Query.
type matcher struct {
	box     Box
	words   [][]byte // " w"
	tokens  [][]byte // " \x01kv "
	terms   []termQuery
	due     []byte // due before, YYYYMMDD; nil for none
	overdue bool
}

func compile(q Query) (*matcher, error) {
	if q.Box != "" && q.Box != BoxInbox && q.Box != BoxOutbox {
		return nil, fmt.Errorf("unknown box %q", q.Box)
	}
	words, err := queryWords(q.Text)
	if err != nil {
		return nil, err
	}
	m := &matcher{box: q.Box}
	for _, w := range words {
		m.words = append(m.words, []byte(" "+w))
		m.terms = append(m.terms, termQuery{prefix: []byte(w)})
	}
	tok := func(kind byte, v string) {
		t := token(kind, v)
		m.tokens = append(m.tokens, []byte(" "+t+" "))
		m.terms = append(m.terms, termQuery{prefix: []byte(t), exact: true})
	}
	if q.Register != "" {
		if !q.Register.Valid() {
			return nil, fmt.Errorf("unknown register %q", q.Register)
		}
		tok(tokenRegister, string(q.Register))
	}
	if q.Year != 0 {
		tok(tokenYear, strconv.Itoa(q.Year))
	}
	if q.Type != "" {
		tok(tokenType, strings.ReplaceAll(edoc.Fold(q.Type), " ", "_"))
	}
	if q.Sender != "" {
		tok(tokenSender, q.Sender)
	}
	if q.Status != "" {
		tok(tokenStatus, string(q.Status))
	}
	due := q.DueBefore
	if q.Overdue {
		m.overdue = true
		today := q.Today
		if today.IsZero() {
			today = edoc.DateOf(time.Now())
		}
		if due.IsZero() || dateDigits(today) < dateDigits(due) {
			due = today
		}
	}
	if !due.IsZero() {
		m.due = []byte(dateDigits(due))
		dueTokens := token(tokenDue, "")
		m.terms = append(m.terms, termQuery{prefix: []byte(dueTokens), upper: []byte(dueTokens + string(m.due))})
	}
	return m, nil
}

// tokensEnd is the length of the tokens at the start of a words entry's
// " " tokens " " words " " part, the space after the last one included.
func tokensEnd(have []byte) int {
	end := 0
	for end+1 < len(have) && have[end] == ' ' && have[end+1] == tokenMark {
		j := bytes.IndexByte(have[end+1:], ' ')
		if j < 0 {
			return len(have)
		}
		end += 1 + j
	}
	return min(end+1, len(have))
}

var (
	dueMark  = []byte{' ', tokenMark, tokenDue}
	doneMark = []byte(" " + token(tokenStatus, string(edoc.StatusDone)) + " ")
	statMark = []byte{' ', tokenMark, tokenStatus}
)

// match reports whether a words entry matches.
func (m *matcher) match(v []byte) bool {
	if len(v) <= sortPrefix {
		return false
	}
	if m.box != "" && v[sortPrefix] != boxByte(m.box) {
		return false
	}
	have := v[sortPrefix+1:]
	// The tokens come first: filters read only them.
	toks := have[:tokensEnd(have)]
	for _, t := range m.tokens {
		if !bytes.Contains(toks, t) {
			return false
		}
	}
	if m.due != nil {
		i := bytes.Index(toks, dueMark)
		if i < 0 || len(toks) < i+len(dueMark)+8 || bytes.Compare(toks[i+len(dueMark):i+len(dueMark)+8], m.due) >= 0 {
			return false
		}
		if m.overdue && bytes.Contains(toks, doneMark) && bytes.Count(toks, statMark) == bytes.Count(toks, doneMark) {
			return false
		}
	}
	for _, w := range m.words {
		if !bytes.Contains(have, w) {
			return false
		}
	}
	return true
}

// Find returns a page of the documents matching q, newest first as in
// List (both boxes merged by server time when q.Box is ""), and the
// After of the next page ("" at the end). A query without words or
// filters lists every document. Errors: an unknown box or register, a
// text of more than 16 KiB or 64 different words, an After that Find did
// not make.
func (s *Store) Find(q Query) ([]Document, string, error) {
	m, err := compile(q)
	if err != nil {
		return nil, "", fmt.Errorf("find: %w", err)
	}
	var after []byte
	if q.After != "" {
		after, err = hex.DecodeString(q.After)
		if err != nil || len(after) <= sortPrefix {
			return nil, "", fmt.Errorf("find: after %q was not made by Find", q.After)
		}
	}
	limit := clampLimit(q.Limit)
	var docs []Document
	var next string
	err = s.db.View(func(tx *bolt.Tx) error {
		hits := findHits(tx, m, after, limit+1)
		if len(hits) > limit {
			hits = hits[:limit]
			next = hex.EncodeToString(append(bytes.Clone(hits[limit-1].sk), hits[limit-1].key...))
		}
		for _, h := range hits {
			d, err := getDoc(tx, h.key)
			if err != nil {
				return err
			}
			docs = append(docs, d)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("find: %w", err)
	}
	return docs, next, nil
}

// boxCursor walks one box's time index newest first from before after.
type boxCursor struct {
	c *bolt.Cursor
	k []byte
}

func newBoxCursor(tx *bolt.Tx, box Box, after []byte) *boxCursor {
	bc := &boxCursor{c: tx.Bucket(bucketTime).Bucket([]byte(box)).Cursor()}
	switch {
	case after == nil:
		bc.k, _ = bc.c.Last()
	default:
		if bc.k, _ = bc.c.Seek(after); bc.k == nil {
			bc.k, _ = bc.c.Last()
		} else {
			bc.k, _ = bc.c.Prev()
		}
		for bc.k != nil && bytes.Compare(bc.k, after) >= 0 {
			bc.k, _ = bc.c.Prev()
		}
	}
	return bc
}

// findHits are the newest want documents before after that m matches.
// A query with terms reads the postings: when the documents holding
// every term are a large part of the cache (n² > 4·want·total), a page
// of them is among the newest few thousand, which the time index gives
// in order; otherwise, or when that walk does not find a page soon, the
// words entries of those documents are read and sorted. A query without
// terms (nothing, a box, an overdue of no date) reads words entries
// newest first, then all of them.
func findHits(tx *bolt.Tx, m *matcher, after []byte, want int) []hit {
	if len(m.terms) == 0 || tx.Bucket(bucketPostings) == nil {
		hits, complete := scanNewest(tx, m, after, want, scanBudget, nil)
		if !complete {
			hits = scanAll(tx, m, after, want)
		}
		return hits
	}
	set := matching(tx, m.terms)
	n := set.count()
	if n == 0 {
		return nil
	}
	if total := int(nextOrd(tx)); n*n > 4*want*total {
		hits, complete := scanNewest(tx, m, after, want, 8*want*total/n+256, func(key []byte) bool {
			o, ok := ordOf(tx, key)
			return ok && set.has(o)
		})
		if complete {
			return hits
		}
	}
	return candidates(tx, m, set, after, want)
}

// candidates reads the words entries of the documents in set and returns
// the newest want matches before after.
func candidates(tx *bolt.Tx, m *matcher, set ordSets, after []byte, want int) []hit {
	wb, ordKeys := tx.Bucket(bucketWords), tx.Bucket(bucketOrdKeys)
	var hits []hit
	var o [4]byte
	for _, ord := range set.ords() {
		binary.BigEndian.PutUint32(o[:], ord)
		key := ordKeys.Get(o[:])
		if key == nil {
			continue
		}
		if v := wb.Get(key); m.match(v) && before(v, key, after) {
			hits = append(hits, hit{bytes.Clone(v[:sortPrefix]), bytes.Clone(key)})
		}
	}
	return newestHits(hits, want)
}

// before reports whether the document of words entry v under key comes
// after the page mark after in Find's order (newest first): its sk | key
// sorts before after. Always true without a mark.
func before(v, key, after []byte) bool {
	if after == nil {
		return true
	}
	full := make([]byte, 0, sortPrefix+len(key))
	full = append(append(full, v[:sortPrefix]...), key...)
	return bytes.Compare(full, after) < 0
}

// newestHits sorts hits newest first and keeps want of them.
func newestHits(hits []hit, want int) []hit {
	sort.Slice(hits, func(i, j int) bool {
		if c := bytes.Compare(hits[i].sk, hits[j].sk); c != 0 {
			return c > 0
		}
		return bytes.Compare(hits[i].key, hits[j].key) > 0
	})
	if len(hits) > want {
		hits = hits[:want]
	}
	return hits
}

// scanNewest reads up to budget documents newest first and returns the
// first want matches, complete when it found them all or read every
// document. keep, when set, passes a document's key before its words
// entry is read.
func scanNewest(tx *bolt.Tx, m *matcher, after []byte, want, budget int, keep func(key []byte) bool) ([]hit, bool) {
	var cs []*boxCursor
	for _, b := range boxes {
		if m.box == "" || m.box == b {
			cs = append(cs, newBoxCursor(tx, b, after))
		}
	}
	wb := tx.Bucket(bucketWords)
	var hits []hit
	for n := 0; n < budget; n++ {
		var top *boxCursor
		for _, c := range cs {
			if c.k != nil && (top == nil || bytes.Compare(c.k, top.k) > 0) {
				top = c
			}
		}
		if top == nil {
			return hits, true
		}
		k := top.k
		if (keep == nil || keep(k[sortPrefix:])) && m.match(wb.Get(k[sortPrefix:])) {
			hits = append(hits, hit{bytes.Clone(k[:sortPrefix]), bytes.Clone(k[sortPrefix:])})
			if len(hits) == want {
				return hits, true
			}
		}
		top.k, _ = top.c.Prev()
	}
	return hits, false
}

// scanAll reads every words entry and returns the newest want matches
// before after.
func scanAll(tx *bolt.Tx, m *matcher, after []byte, want int) []hit {
	var hits []hit
	c := tx.Bucket(bucketWords).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if m.match(v) && before(v, k, after) {
			hits = append(hits, hit{bytes.Clone(v[:sortPrefix]), bytes.Clone(k)})
		}
	}
	return newestHits(hits, want)
}

// migrateText makes the text, needtext and saved buckets and rewrites
// every words entry with its filter tokens (version 2 had none).
func migrateText(_ *Store, tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketText, bucketNeedText, bucketSaved} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	var docs []Document
	err := tx.Bucket(bucketDocs).ForEach(func(k, _ []byte) error {
		d, err := getDoc(tx, k)
		if err != nil {
			return err
		}
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return err
	}
	for i := range docs {
		d := &docs[i]
		sk := sortKey(d)
		if err := putWords(tx, []byte(d.Key), wordsValue(tx, d, sk, docWords(d))); err != nil {
			return err
		}
		if err := putNeedText(tx, d, sk); err != nil {
			return err
		}
	}
	return nil
}
