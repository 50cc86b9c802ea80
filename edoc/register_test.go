package edoc

import (
	"errors"
	"testing"
	"time"
)

func TestNumbering(t *testing.T) {
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	var n Numbering
	var got []string
	for _, at := range []string{
		"2025-06-01T08:00:00+07:00", "2025-12-31T16:59:59Z", // 23:59:59 in Vietnam: still 2025
		"2025-12-31T17:00:00Z", // 00:00 on 1 January 2026 in Vietnam
		"2026-01-02T09:00:00+07:00",
		"2025-12-30T09:00:00+07:00", // a clock set back: 2026 goes on
		"2027-01-01T00:00:00+07:00",
	} {
		var s string
		n, s = n.Next(utc(at))
		got = append(got, s)
	}
	want := []string{"01", "02", "01", "02", "03", "01"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("numbers %v, want %v", got, want)
		}
	}
	if n != (Numbering{2027, 1}) {
		t.Errorf("numbering %+v", n)
	}
	for in, want := range map[int]string{1: "01", 9: "09", 10: "10", 99: "99", 100: "100", 12345: "12345"} {
		if FormatNumber(in) != want {
			t.Errorf("FormatNumber(%d) = %q", in, FormatNumber(in))
		}
	}
	n = Numbering{2026, 8}
	for i, w := range []string{"09", "10", "11"} {
		if n, got[i] = n.Next(utc("2026-05-05T10:00:00+07:00")); got[i] != w {
			t.Errorf("after %d: %q, want %q", n.Last-1, got[i], w)
		}
	}
}

func TestFormatPlaceDate(t *testing.T) {
	for _, tc := range []struct {
		place string
		d     Date
		want  string
	}{
		{"Hà Nội", Date{2020, 1, 5}, "Hà Nội, ngày 05 tháng 01 năm 2020"},
		{"Hà Nội", Date{2020, 2, 9}, "Hà Nội, ngày 09 tháng 02 năm 2020"},
		{"Nghệ An", Date{2020, 3, 15}, "Nghệ An, ngày 15 tháng 3 năm 2020"},
		{"Nghệ An", Date{2020, 9, 1}, "Nghệ An, ngày 01 tháng 9 năm 2020"},
		{"Nghệ An", Date{2020, 10, 10}, "Nghệ An, ngày 10 tháng 10 năm 2020"},
		{"Nghệ An", Date{2020, 12, 31}, "Nghệ An, ngày 31 tháng 12 năm 2020"},
		{" ", Date{2026, 1, 5}, "ngày 05 tháng 01 năm 2026"},
		{"Hà Nội", Date{}, "Hà Nội, ngày    tháng    năm    "},
	} {
		if got := FormatPlaceDate(tc.place, tc.d); got != tc.want {
			t.Errorf("FormatPlaceDate(%q, %v) = %q, want %q", tc.place, tc.d, got, tc.want)
		}
	}
}

// TestDuplicateKey: the comparisons the warning makes, and the ones it
// must not (another agency, another number).
func TestDuplicateKey(t *testing.T) {
	key := DuplicateKeyOf(Code{"05", "QĐ-UBND"}, "000.00.00.H41")
	for _, same := range []struct {
		c Code
		o string
	}{
		{Code{"5", "QĐ-UBND"}, "000.00.00.H41"},
		{Code{" 005 ", "qđ-ubnd"}, " 000.00.00.h41"},
		{Code{"05", "QD - UBND"}, "000.00.00.H41"},
		{Code{"05", "QÐ-UBND"}, "000.00.00.H41"}, // Ð look-alike
	} {
		if k := DuplicateKeyOf(same.c, same.o); k != key {
			t.Errorf("%+v %q: key %q, want %q", same.c, same.o, k, key)
		}
	}
	for _, other := range []struct {
		c Code
		o string
	}{
		{Code{"50", "QĐ-UBND"}, "000.00.00.H41"},
		{Code{"05", "QĐ-UBND"}, "000.00.00.H14"},
		{Code{"05", "QĐ-STC"}, "000.00.00.H41"},
		{Code{"05a", "QĐ-UBND"}, "000.00.00.H41"},
		{Code{"05", "QĐUBND"}, "000.00.00.H41"},
		{Code{"0", "QĐ-UBND"}, "000.00.00.H41"},
	} {
		if DuplicateKeyOf(other.c, other.o) == key {
			t.Errorf("%+v %q counts as a duplicate of 05/QĐ-UBND", other.c, other.o)
		}
	}
	if DuplicateKeyOf(Code{"0", "A"}, "") != DuplicateKeyOf(Code{"000", "A"}, "") || DuplicateKeyOf(Code{"0", "A"}, "") == DuplicateKeyOf(Code{"", "A"}, "") {
		t.Error("zeros: 0 = 000, and 0 is not empty")
	}
}

func TestEnterIncoming(t *testing.T) {
	r := NewRegister(RegisterIncoming)
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, Vietnam)
	doc := RegisterEntry{Organ: Organ{OrganID: "000.00.00.G22"}, Code: Code{"7816", "VPCP-TTĐT"}, Subject: "Về việc …"}
	e, dups, err := Enter(r, doc, at)
	if err != nil || e.Number != "01" || e.Kind != RegisterIncoming || !e.Registered.Equal(at) || len(dups) != 0 || e.Code.CodeNumber != "7816" {
		t.Fatalf("first: %+v %v %v", e, dups, err)
	}
	// The same document arrives again (paper after electronic): entered,
	// with a warning naming the first.
	again := doc
	again.Code.CodeNotation = "vpcp - ttđt"
	e2, dups, err := Enter(r, again, at.Add(time.Hour))
	if err != nil || e2.Number != "02" || len(dups) != 1 || dups[0].Number != "01" {
		t.Fatalf("second: %+v %v %v", e2, dups, err)
	}
	if d, _ := Duplicates(r, Code{"07816", "VPCP-TTDT"}, "000.00.00.G22"); len(d) != 2 {
		t.Errorf("Duplicates found %d", len(d))
	}
	if d, _ := Duplicates(r, Code{"7816", "VPCP-TTĐT"}, "000.00.00.H41"); len(d) != 0 {
		t.Errorf("another agency's 7816 found %d", len(d))
	}
	if es := r.Entries(); len(es) != 2 || es[1].Number != "02" {
		t.Errorf("entries %+v", es)
	}
	if n, _ := r.Numbering(); n != (Numbering{2026, 2}) {
		t.Errorf("numbering %+v", n)
	}
}

func TestEnterOutgoing(t *testing.T) {
	r := NewRegister(RegisterOutgoing)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, Vietnam)
	e, _, err := Enter(r, RegisterEntry{Organ: Organ{OrganID: "000.00.01.H41"}, Code: Code{"", "QĐ-STC"}}, at)
	if err != nil || e.Number != "01" || e.Code.CodeNumber != "01" || e.Kind != RegisterOutgoing {
		t.Fatalf("%+v %v", e, err)
	}
	if RegisterOutgoing.Label().VI != "Sổ đăng ký văn bản đi" || RegisterIncoming.Label().EN == "" || RegisterKind("x").Label() != (Label{}) {
		t.Error("labels")
	}
}

// failingBook fails at one step; Enter must report it and leave the
// numbering unchanged (nothing appended).
type failingBook struct {
	*Register
	failNumbering, failByKey, failAppend bool
}

var errDisk = errors.New("disk full")

func (b failingBook) Numbering() (Numbering, error) {
	if b.failNumbering {
		return Numbering{}, errDisk
	}
	return b.Register.Numbering()
}

func (b failingBook) ByKey(k DuplicateKey) ([]RegisterEntry, error) {
	if b.failByKey {
		return nil, errDisk
	}
	return b.Register.ByKey(k)
}

func (b failingBook) Append(n Numbering, e RegisterEntry) error {
	if b.failAppend {
		return errDisk
	}
	return b.Register.Append(n, e)
}

func TestEnterFailures(t *testing.T) {
	for i, b := range []failingBook{
		{failNumbering: true}, {failByKey: true}, {failAppend: true},
	} {
		b.Register = NewRegister(RegisterIncoming)
		_, _, err := Enter(b, RegisterEntry{Code: Code{"1", "A"}}, time.Now())
		if !errors.Is(err, errDisk) {
			t.Errorf("case %d: %v", i, err)
		}
		if n, _ := b.Register.Numbering(); n != (Numbering{}) || len(b.Register.Entries()) != 0 {
			t.Errorf("case %d: numbering %+v, %d entries after a failure", i, n, len(b.Register.Entries()))
		}
	}
	if _, err := Duplicates(failingBook{Register: NewRegister(RegisterIncoming), failByKey: true}, Code{}, ""); !errors.Is(err, errDisk) {
		t.Errorf("Duplicates: %v", err)
	}
}
