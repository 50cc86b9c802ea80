package edoc

import (
	"fmt"
	"strings"
	"time"
)

// Numbering is the state of a yearly sequence (số văn bản, số đến): the
// year it counts and the last number given. Its zero value has given
// nothing. It is a value: the cache stores it in the transaction that
// registers the entry.
type Numbering struct {
	Year int `json:"year"`
	Last int `json:"last"`
}

// Next gives the number after n at the instant at and the new state.
// Numbers restart at 1 every 1 January in Vietnam time (23:30 UTC on 31
// December is already the next year's 1). Numbers are written with at
// least two digits: "01"…"09", "10", "100". If at is in an earlier year
// than n (a clock set back), n's year goes on counting, so that no
// number is given twice.
func (n Numbering) Next(at time.Time) (Numbering, string) {
	year := at.In(Vietnam).Year()
	if year > n.Year {
		n = Numbering{Year: year}
	}
	n.Last++
	return n, FormatNumber(n.Last)
}

// FormatNumber writes a register number: at least two digits.
func FormatNumber(n int) string { return fmt.Sprintf("%02d", n) }

// FormatPlaceDate writes the place and date line of Phụ lục I:
// "Hà Nội, ngày 05 tháng 01 năm 2020". Phụ lục I pads the day below 10
// and the months 1 and 2 with a 0 (so that no digit can be put in front
// of them), not the months 3 to 9: "ngày 15 tháng 3 năm 2020". Without a
// place the line is the date alone; a zero Date leaves the blanks of a
// form to fill by hand ("Hà Nội, ngày    tháng    năm    ").
func FormatPlaceDate(place string, d Date) string {
	var date string
	if d.IsZero() {
		date = "ngày    tháng    năm    "
	} else {
		month := fmt.Sprint(int(d.Month))
		if d.Month <= 2 {
			month = fmt.Sprintf("%02d", int(d.Month))
		}
		date = fmt.Sprintf("ngày %02d tháng %s năm %d", d.Day, month, d.Year)
	}
	if place = strings.TrimSpace(place); place == "" {
		return date
	}
	return place + ", " + date
}

// RegisterKind says which register (sổ đăng ký) an entry is in.
type RegisterKind string

const (
	RegisterIncoming RegisterKind = "incoming" // sổ đăng ký văn bản đến
	RegisterOutgoing RegisterKind = "outgoing" // sổ đăng ký văn bản đi
	RegisterCopy     RegisterKind = "copy"     // sổ đăng ký bản sao (sao y, sao lục, trích sao)
)

// Valid reports whether k is one of the registers.
func (k RegisterKind) Valid() bool { return k.Label() != Label{} }

// Label names the register; the zero Label for an unknown kind.
func (k RegisterKind) Label() Label {
	return map[RegisterKind]Label{
		RegisterIncoming: {VI: "Sổ đăng ký văn bản đến", EN: "Incoming register"},
		RegisterOutgoing: {VI: "Sổ đăng ký văn bản đi", EN: "Outgoing register"},
		RegisterCopy:     {VI: "Sổ đăng ký bản sao", EN: "Copies register"},
	}[k]
}

// RegisterEntry is one line of a register, with the columns of Nghị định
// 30/2020 Phụ lục IV. Columns of one kind only say so; the others stay
// empty.
type RegisterEntry struct {
	Kind RegisterKind `json:"kind"`
	// Number is the number this register gave: the số đến of an incoming
	// entry, the số of an outgoing one (which is also its Code.CodeNumber).
	Number string `json:"number"`
	// Registered is when the entry was made: the ngày đến (arrival date
	// and time) of an incoming one.
	Registered time.Time `json:"registered"`

	// Organ is the issuing agency: the author (tác giả) of an incoming
	// document, this agency for an outgoing one.
	Organ    Organ  `json:"organ"`
	Code     Code   `json:"code"` // số and ký hiệu
	Date     Date   `json:"date"` // ngày tháng văn bản
	TypeName string `json:"type_name"`
	Subject  string `json:"subject"` // tên loại và trích yếu nội dung

	Signer     string   `json:"signer,omitempty"`     // outgoing: người ký
	Recipients []string `json:"recipients,omitempty"` // outgoing: nơi nhận
	// Handler is, for an incoming entry, the unit or person receiving it
	// (đơn vị hoặc người nhận); for an outgoing one the unit and person
	// keeping the copy (đơn vị, người nhận bản lưu).
	Handler string `json:"handler,omitempty"`
	Copies  int    `json:"copies,omitempty"` // outgoing: số lượng bản
	// HandedOver is the date sent (outgoing) or forwarded (incoming:
	// ngày chuyển).
	HandedOver Date   `json:"handed_over,omitzero"`
	ReceivedBy string `json:"received_by,omitempty"` // ký nhận
	Notes      string `json:"notes,omitempty"`       // ghi chú

	Confidentiality Confidentiality `json:"confidentiality,omitempty"`
	Priority        Priority        `json:"priority,omitempty"`
	DueDate         *Date           `json:"due_date,omitempty"` // incoming: hạn giải quyết
	// DocumentKey links the entry to the document in the cache.
	DocumentKey string `json:"document_key,omitempty"`
}

// Key is the entry's DuplicateKey.
func (e RegisterEntry) Key() DuplicateKey {
	return DuplicateKeyOf(e.Code, e.Organ.OrganID)
}

// DuplicateKey is (số, ký hiệu, issuing agency) compared as the
// duplicate warning compares them: the number folded with its leading
// zeros trimmed ("05" = "5" = " 05 "), the notation folded ("QĐ-UBND" =
// "qd ubnd" = "QD UBND"), the agency by its canonical mã định danh (a
// code that does not parse is folded). Folding may make two different
// notations equal (ĐA and DA): the warning is then one too many, never
// one too few.
type DuplicateKey string

// DuplicateKeyOf is the key of a code from an agency.
func DuplicateKeyOf(code Code, organID string) DuplicateKey {
	number := Fold(code.CodeNumber)
	if t := strings.TrimLeft(number, "0"); t != number {
		if t == "" || t[0] < '0' || t[0] > '9' {
			t = "0" + t
		}
		number = t
	}
	organ := Fold(organID)
	if id, err := ParseOrganID(organID); err == nil {
		organ = string(id)
	}
	return DuplicateKey(number + "\x00" + Fold(code.CodeNotation) + "\x00" + organ)
}

// RegisterBook is the storage one register needs: sync/store implements
// it over its transaction (issue 9), Register in memory. Enter calls it
// inside one transaction of the caller's, so that the number, the entry
// and the numbering's new state are written together or not at all.
type RegisterBook interface {
	// Kind is the register's kind.
	Kind() RegisterKind
	// Numbering is the register's current numbering.
	Numbering() (Numbering, error)
	// ByKey returns the entries with the key, oldest first.
	ByKey(key DuplicateKey) ([]RegisterEntry, error)
	// Append stores the entry and the numbering that gave its number.
	Append(n Numbering, e RegisterEntry) error
}

// Enter registers e in book at the instant at: it takes the next number
// (Numbering.Next), sets e.Kind, e.Number and e.Registered (and, for an
// outgoing entry, e.Code.CodeNumber, which the number is), and appends
// it. duplicates lists the entries already registered with the same
// DuplicateKey, oldest first: the caller warns (trùng số, ký hiệu và cơ
// quan ban hành) — Enter does not refuse them, since a document may
// rightly arrive twice (on paper, then electronically). Callers that
// want to ask first use Duplicates. Errors come from the book, wrapped.
func Enter(book RegisterBook, e RegisterEntry, at time.Time) (entered RegisterEntry, duplicates []RegisterEntry, err error) {
	n, err := book.Numbering()
	if err != nil {
		return e, nil, fmt.Errorf("register %s: numbering: %w", book.Kind(), err)
	}
	n, number := n.Next(at)
	e.Kind, e.Number, e.Registered = book.Kind(), number, at
	if e.Kind == RegisterOutgoing {
		e.Code.CodeNumber = number
	}
	if duplicates, err = book.ByKey(e.Key()); err != nil {
		return e, nil, fmt.Errorf("register %s: look for duplicates: %w", book.Kind(), err)
	}
	if err := book.Append(n, e); err != nil {
		return e, nil, fmt.Errorf("register %s: append: %w", book.Kind(), err)
	}
	return e, duplicates, nil
}

// Duplicates lists the entries of book with the key of (code, organID).
func Duplicates(book RegisterBook, code Code, organID string) ([]RegisterEntry, error) {
	d, err := book.ByKey(DuplicateKeyOf(code, organID))
	if err != nil {
		return nil, fmt.Errorf("register %s: look for duplicates: %w", book.Kind(), err)
	}
	return d, nil
}

// Register is a register held in memory: a RegisterBook for tests, the
// demo and exports. Not safe for concurrent use.
type Register struct {
	kind      RegisterKind
	numbering Numbering
	entries   []RegisterEntry
	byKey     map[DuplicateKey][]int
}

var _ RegisterBook = (*Register)(nil)

// NewRegister is an empty register of the kind.
func NewRegister(kind RegisterKind) *Register {
	return &Register{kind: kind, byKey: map[DuplicateKey][]int{}}
}

// Kind is the register's kind.
func (r *Register) Kind() RegisterKind { return r.kind }

// Numbering is the register's numbering.
func (r *Register) Numbering() (Numbering, error) { return r.numbering, nil }

// ByKey returns copies of the entries with the key.
func (r *Register) ByKey(key DuplicateKey) ([]RegisterEntry, error) {
	var out []RegisterEntry
	for _, i := range r.byKey[key] {
		out = append(out, r.entries[i])
	}
	return out, nil
}

// Append keeps the entry and the numbering.
func (r *Register) Append(n Numbering, e RegisterEntry) error {
	r.numbering = n
	r.byKey[e.Key()] = append(r.byKey[e.Key()], len(r.entries))
	r.entries = append(r.entries, e)
	return nil
}

// Entries returns a copy of the entries, in the order registered.
func (r *Register) Entries() []RegisterEntry { return append([]RegisterEntry(nil), r.entries...) }
