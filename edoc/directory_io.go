package edoc

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxDirectoryBytes bounds what the directory readers read: about ten
// times the national directory.
const MaxDirectoryBytes = 256 << 20

// ErrDirectoryTooLarge is returned (wrapped) by the readers for input
// beyond MaxDirectoryBytes or MaxDirectoryEntries.
var ErrDirectoryTooLarge = errors.New("directory file too large")

// record is one agency as read, before its parent is resolved.
type record struct {
	DirectoryEntry
	id, pid string // the axis SDK's numeric keys, "" when absent
}

// resolve turns records into entries: an axis pid naming the id of
// another record becomes that record's code; a pid that is itself a mã
// định danh is taken as the parent's code; any other pid (0, -1, an id
// outside the file) leaves no parent. Each entry is then normalised as
// NewDirectory does, an error naming the record (from 1).
func resolve(recs []record) ([]DirectoryEntry, error) {
	codeOf := map[string]string{}
	for _, r := range recs {
		if r.id != "" {
			codeOf[r.id] = r.Code
		}
	}
	out := make([]DirectoryEntry, len(recs))
	for i, r := range recs {
		e := r.DirectoryEntry
		if e.Parent == "" && r.pid != "" {
			if c, ok := codeOf[r.pid]; ok && r.pid != r.id {
				e.Parent = c
			} else if id, err := ParseOrganID(r.pid); err == nil {
				e.Parent = string(id)
			}
		}
		n, err := e.normalized()
		if err != nil {
			return nil, &DirectoryError{Record: i + 1, Code: e.Code, Err: err}
		}
		out[i] = n
	}
	return out, nil
}

// limitedReader fails with ErrDirectoryTooLarge past its limit, rather
// than ending the input early as io.LimitReader does.
type limitedReader struct {
	r           io.Reader
	left, limit int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%w: more than %d bytes", ErrDirectoryTooLarge, l.limit)
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// flexString is a JSON string or number, as the axis writes ids.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(strings.TrimSpace(s))
		return nil
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number: %w", err)
	}
	*f = flexString(n.String())
	return nil
}

// jsonRecord is the JSON shape read: ours and the axis SDK's.
type jsonRecord struct {
	Code    string     `json:"code"`
	Name    string     `json:"name"`
	Parent  string     `json:"parent"`
	Email   string     `json:"email"`
	Mail    string     `json:"mail"`
	Phone   string     `json:"phone"`
	Address string     `json:"address"`
	ID      flexString `json:"id"`
	PID     flexString `json:"pid"`
}

// ReadDirectoryJSON reads agencies written by WriteDirectoryJSON — an
// array of {code, name, parent, email, phone, address} — or as the axis
// SDK gives them: records {id, pid, code, name, mail} (pid is the parent
// record's id; see resolve), bare or inside an answer object's "data" (or
// "agencies") array, whose other members are ignored. Unknown fields are
// ignored. Errors: the input's position for bad JSON, a *DirectoryError
// for a bad record, ErrDirectoryTooLarge (wrapped).
func ReadDirectoryJSON(r io.Reader) ([]DirectoryEntry, error) {
	dec := json.NewDecoder(&limitedReader{r: r, left: MaxDirectoryBytes, limit: MaxDirectoryBytes})
	recs, err := readJSONTop(dec)
	if err != nil {
		return nil, fmt.Errorf("read directory json: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("read directory json: data after the directory")
	}
	entries, err := resolve(recs)
	if err != nil {
		return nil, fmt.Errorf("read directory json: %w", err)
	}
	return entries, nil
}

func readJSONTop(dec *json.Decoder) ([]record, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('['):
		return readJSONArray(dec)
	case json.Delim('{'):
	default:
		return nil, fmt.Errorf("want an array of agencies or an object holding one, got %v", tok)
	}
	var recs []record
	found := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if k, _ := key.(string); (k == "data" || k == "agencies") && !found {
			if tok, err := dec.Token(); err != nil {
				return nil, err
			} else if tok != json.Delim('[') {
				return nil, fmt.Errorf("%q: want an array, got %v", k, tok)
			}
			if recs, err = readJSONArray(dec); err != nil {
				return nil, err
			}
			found = true
			continue
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if !found {
		return nil, errors.New(`no "data" or "agencies" array in the object`)
	}
	return recs, nil
}

// readJSONArray reads records up to the array's end (its '[' read).
func readJSONArray(dec *json.Decoder) ([]record, error) {
	var recs []record
	for dec.More() {
		if len(recs) == MaxDirectoryEntries {
			return nil, fmt.Errorf("%w: more than %d agencies", ErrDirectoryTooLarge, MaxDirectoryEntries)
		}
		var j jsonRecord
		if err := dec.Decode(&j); err != nil {
			return nil, fmt.Errorf("record %d: %w", len(recs)+1, err)
		}
		e := DirectoryEntry{Code: j.Code, Name: j.Name, Parent: j.Parent, Email: j.Email, Phone: j.Phone, Address: j.Address}
		if e.Email == "" {
			e.Email = j.Mail
		}
		recs = append(recs, record{e, string(j.ID), string(j.PID)})
	}
	if _, err := dec.Token(); err != nil { // ']'
		return nil, err
	}
	return recs, nil
}

// WriteDirectoryJSON writes entries as a JSON array, one agency a line,
// in the shape ReadDirectoryJSON reads back unchanged.
func WriteDirectoryJSON(w io.Writer, entries []DirectoryEntry) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("[")
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	for i, e := range entries {
		line.Reset()
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("write directory json: %w", err)
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
		bw.Write(bytes.TrimRight(line.Bytes(), "\n"))
	}
	bw.WriteString("\n]\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write directory json: %w", err)
	}
	return nil
}

// csvColumns are the columns WriteDirectoryCSV writes, in order.
var csvColumns = []string{"code", "name", "parent", "email", "phone", "address"}

// ReadDirectoryCSV reads agencies from CSV with a header row naming the
// columns, in any order and case: code and name are required; parent,
// email (or mail), phone, address, and the axis' id and pid (see resolve)
// are optional; other columns are ignored. Read leniently, as exported
// by spreadsheets: a UTF-8 byte order mark is skipped, ";" is the
// separator when the header has ";" and no ",", quotes may be loose,
// blank lines are skipped, and a leading "'" that WriteDirectoryCSV put
// before a cell starting with = + - @ is removed. Errors: the line for
// bad CSV, a *DirectoryError for a bad record, ErrDirectoryTooLarge
// (wrapped).
func ReadDirectoryCSV(r io.Reader) ([]DirectoryEntry, error) {
	br := bufio.NewReader(&limitedReader{r: r, left: MaxDirectoryBytes, limit: MaxDirectoryBytes})
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	comma := ','
	head, _ := br.Peek(4096) // what there is of it
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if bytes.IndexByte(head, ';') >= 0 && bytes.IndexByte(head, ',') < 0 {
		comma = ';'
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("read directory csv: empty file, want a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("read directory csv: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[h]; !dup && h != "" {
			col[h] = i
		}
	}
	if _, ok := col["email"]; !ok {
		if i, ok := col["mail"]; ok {
			col["email"] = i
		}
	}
	for _, need := range []string{"code", "name"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("read directory csv: the header has no %q column (it has %s)", need, quoteInput(strings.Join(header, string(comma))))
		}
	}
	cell := func(row []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(row) {
			return ""
		}
		return unescapeCell(row[i])
	}
	var recs []record
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read directory csv: %w", err)
		}
		if len(recs) == MaxDirectoryEntries {
			return nil, fmt.Errorf("read directory csv: %w: more than %d agencies", ErrDirectoryTooLarge, MaxDirectoryEntries)
		}
		recs = append(recs, record{DirectoryEntry{
			Code: cell(row, "code"), Name: cell(row, "name"), Parent: cell(row, "parent"),
			Email: cell(row, "email"), Phone: cell(row, "phone"), Address: cell(row, "address"),
		}, strings.TrimSpace(cell(row, "id")), strings.TrimSpace(cell(row, "pid"))})
	}
	entries, err := resolve(recs)
	if err != nil {
		return nil, fmt.Errorf("read directory csv: %w", err)
	}
	return entries, nil
}

// WriteDirectoryCSV writes entries as CSV with the header code, name,
// parent, email, phone, address. A cell that a spreadsheet would take
// for a formula (starting with = + - @) is written with a leading "'",
// which ReadDirectoryCSV removes.
func WriteDirectoryCSV(w io.Writer, entries []DirectoryEntry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return fmt.Errorf("write directory csv: %w", err)
	}
	for _, e := range entries {
		row := []string{e.Code, e.Name, e.Parent, e.Email, e.Phone, e.Address}
		for i := range row {
			row[i] = escapeCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write directory csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write directory csv: %w", err)
	}
	return nil
}

func isFormulaStart(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

func escapeCell(s string) string {
	if isFormulaStart(s) || strings.HasPrefix(s, "'") && isFormulaStart(s[1:]) {
		return "'" + s
	}
	return s
}

func unescapeCell(s string) string {
	if strings.HasPrefix(s, "'") && (isFormulaStart(s[1:]) || strings.HasPrefix(s[1:], "'") && isFormulaStart(s[2:])) {
		return s[1:]
	}
	return s
}
