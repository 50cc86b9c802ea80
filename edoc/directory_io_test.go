package edoc

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
)

func TestDirectoryJSONRoundTrip(t *testing.T) {
	want := DemoDirectory().Entries()
	want[0].Name = `Tên có "ngoặc", <thẻ> & dấu \ và =1+1`
	var buf bytes.Buffer
	if err := WriteDirectoryJSON(&buf, want); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<thẻ> & ") {
		t.Error("HTML escaped in the file")
	}
	got, err := ReadDirectoryJSON(&buf)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("round trip: %v\n%v\n%v", err, got, want)
	}
	if err := WriteDirectoryJSON(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadDirectoryJSON(strings.NewReader("[\n]\n")); err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
}

// TestDirectoryJSONAxis reads the axis SDK's records: numeric and string
// ids, pid naming another record, a pid outside the file, inside the
// answer object.
func TestDirectoryJSONAxis(t *testing.T) {
	in := `{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":[
	  {"id":1,"pid":0,"code":"000.00.00.H41","name":"UBND tỉnh Nghệ An","mail":"ubnd@nghean.gov.vn"},
	  {"id":"2","pid":1,"code":"000.00.01.h41","name":"Sở Tài chính tỉnh Nghệ An","extra":[1,2,{"x":null}]},
	  {"id":3,"pid":"000.00.00.G22","code":"000.01.00.G22","name":"Vụ Tổng hợp"},
	  {"id":4,"pid":999,"code":"000.00.02.H41","name":"Sở Nội vụ tỉnh Nghệ An"},
	  {"id":5,"pid":5,"code":"000.00.03.H41","name":"Self"},
	  {"id":null,"code":"000.00.04.H41","name":"No id"}
	]}`
	got, err := ReadDirectoryJSON(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []DirectoryEntry{
		{Code: "000.00.00.H41", Name: "UBND tỉnh Nghệ An", Email: "ubnd@nghean.gov.vn"},
		{Code: "000.00.01.H41", Name: "Sở Tài chính tỉnh Nghệ An", Parent: "000.00.00.H41"},
		{Code: "000.01.00.G22", Name: "Vụ Tổng hợp", Parent: "000.00.00.G22"},
		{Code: "000.00.02.H41", Name: "Sở Nội vụ tỉnh Nghệ An"},
		{Code: "000.00.03.H41", Name: "Self"},
		{Code: "000.00.04.H41", Name: "No id"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	if got, err := ReadDirectoryJSON(strings.NewReader(`{"agencies":[{"code":"000.00.00.G22","name":"VPCP"}]}`)); err != nil || len(got) != 1 {
		t.Errorf("agencies object: %v %v", got, err)
	}
}

func TestDirectoryJSONRefuses(t *testing.T) {
	for _, in := range []string{
		"", "null", "5", `"x"`, "{}", `{"data":5}`, `{"data":[}`, "[", `[{"code":"000.00.00.H41","name":"x"}] []`,
		`[{"code":"28.22.H17","name":"x"}]`, `[{"code":"000.00.00.H41"}]`, `[{"code":5,"name":"x"}]`,
		`[{"code":"000.00.00.H41","name":"x","id":[1]}]`, `[{"code":"000.00.00.H41","name":"a\u0000b"}]`,
		"[" + strings.Repeat(`{"code":"000.00.00.H41","name":"x"},`, 2) + "]",
	} {
		if got, err := ReadDirectoryJSON(strings.NewReader(in)); err == nil {
			t.Errorf("ReadDirectoryJSON(%.40q) = %v", in, got)
		}
	}
	_, err := ReadDirectoryJSON(strings.NewReader(`[{"code":"000.00.00.H41","name":"x"},{"code":"bad","name":"y"}]`))
	var de *DirectoryError
	if !errors.As(err, &de) || de.Record != 2 || !strings.Contains(err.Error(), "directory entry 2") {
		t.Errorf("bad second record: %v", err)
	}
}

func TestDirectoryCSV(t *testing.T) {
	want := DemoDirectory().Entries()
	want[0].Name = "=HYPERLINK(\"http://x\",\"bấm\")"
	want[1].Address = "+84 238 3844 555; \"Vinh\", Nghệ An"
	want[2].Name = "'=already quoted"
	var buf bytes.Buffer
	if err := WriteDirectoryCSV(&buf, want); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		for _, cell := range strings.Split(line, ",") {
			if c := strings.TrimLeft(cell, `"`); c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Errorf("formula cell written: %q", cell)
			}
		}
	}
	got, err := ReadDirectoryCSV(&buf)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("round trip: %v\n%v\n%v", err, got, want)
	}
	// Spreadsheet exports: BOM, ";", other column order and case, blank
	// lines, an axis pid, extra columns, short rows.
	in := "\xef\xbb\xbfMã;NAME;Code;pid;id;MAIL\n\n x ;UBND tỉnh Nghệ An;000.00.00.H41;;7;a@b.vn\ny;Sở Tài chính;000.00.01.H41;7;8\n"
	got, err = ReadDirectoryCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if want := []DirectoryEntry{{Code: "000.00.00.H41", Name: "UBND tỉnh Nghệ An", Email: "a@b.vn"}, {Code: "000.00.01.H41", Name: "Sở Tài chính", Parent: "000.00.00.H41"}}; !slices.Equal(got, want) {
		t.Errorf("export: %v", got)
	}
	for _, bad := range []string{"", "\xef\xbb\xbf", "name\nx", "code\n000.00.00.H41", "code,name\n28.22.H17,x", "code,name\n000.00.00.H41,"} {
		if got, err := ReadDirectoryCSV(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadDirectoryCSV(%q) = %v", bad, got)
		}
	}
}

// TestDirectoryReadersLimit: past MaxDirectoryBytes a reader fails with
// ErrDirectoryTooLarge instead of reading on (a small limit stands in).
func TestDirectoryReadersLimit(t *testing.T) {
	l := &limitedReader{r: strings.NewReader(strings.Repeat("a", 100)), left: 10, limit: 10}
	if _, err := io.ReadAll(l); !errors.Is(err, ErrDirectoryTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	l = &limitedReader{r: strings.NewReader(strings.Repeat("a", 10)), left: 10, limit: 10}
	if b, err := io.ReadAll(l); err != nil || len(b) != 10 {
		t.Errorf("at the limit: %d %v", len(b), err)
	}
}

// writeFailer fails every write.
type writeFailer struct{}

func (writeFailer) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestDirectoryWritersFail(t *testing.T) {
	es := DemoDirectory().Entries()
	if err := WriteDirectoryJSON(writeFailer{}, es); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("json: %v", err)
	}
	if err := WriteDirectoryCSV(writeFailer{}, es); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("csv: %v", err)
	}
}

// checkRead is what both fuzz targets check: an error, or entries a
// directory accepts that write and read back unchanged.
func checkRead(t *testing.T, got []DirectoryEntry, err error, write func(io.Writer, []DirectoryEntry) error, read func(io.Reader) ([]DirectoryEntry, error)) {
	if err != nil {
		return
	}
	for _, e := range got {
		if n, err := e.normalized(); err != nil || n != e {
			t.Fatalf("entry %+v not normalised: %v", e, err)
		}
	}
	var buf bytes.Buffer
	if err := write(&buf, got); err != nil {
		t.Fatal(err)
	}
	again, err := read(&buf)
	if err != nil || !slices.Equal(again, got) {
		t.Fatalf("written and read back: %v\n%v\n%v", err, again, got)
	}
}

func FuzzReadDirectoryJSON(f *testing.F) {
	f.Add(`[{"code":"000.00.00.H41","name":"UBND tỉnh Nghệ An"}]`)
	f.Add(`{"status":"OK","data":[{"id":1,"pid":0,"code":"000.00.00.H41","name":"x","mail":"m"},{"id":"2","pid":1,"code":"000.00.01.h41","name":"y"}]}`)
	f.Add(`[{"code":"000.00.00.H41","name":"=1+1","parent":"000.00.00.G22","phone":"-1"}]`)
	f.Fuzz(func(t *testing.T, in string) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, in)()
		got, err := ReadDirectoryJSON(strings.NewReader(in))
		checkRead(t, got, err, WriteDirectoryJSON, ReadDirectoryJSON)
	})
}

func FuzzReadDirectoryCSV(f *testing.F) {
	f.Add("code,name,parent\n000.00.00.H41,UBND tỉnh Nghệ An,\n000.00.01.H41,Sở,000.00.00.H41\n")
	f.Add("\xef\xbb\xbfid;pid;code;name\n1;;000.00.00.H41;x\n2;1;000.00.01.H41;\"y;z\"\n")
	f.Add("code,name\n000.00.00.H41,'=1+1\n")
	f.Fuzz(func(t *testing.T, in string) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, in)()
		got, err := ReadDirectoryCSV(strings.NewReader(in))
		checkRead(t, got, err, WriteDirectoryCSV, ReadDirectoryCSV)
	})
}
