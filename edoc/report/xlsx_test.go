package report

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/fuzzguard"
)

// readRows is the Python script that loads a workbook with openpyxl, an
// independent reader, and prints every sheet's rows as JSON: dates as
// "yyyy-mm-dd hh:mm" (rounded to the minute), numbers as numbers, text
// as is, empty cells as null; with the sheets' names and whether each
// cell of row header is bold.
const readRows = `
import datetime, json, sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
header = int(sys.argv[2])
out = []
for ws in wb.worksheets:
    rows = []
    for row in ws.iter_rows():
        vals = []
        for c in row:
            v = c.value
            if isinstance(v, datetime.datetime):
                v = (v + datetime.timedelta(seconds=30)).strftime("%Y-%m-%d %H:%M")
            vals.append(v)
        rows.append(vals)
    bold = [bool(c.font.b) for c in ws[header]]
    fmts = sorted(set(c.number_format for row in ws.iter_rows() for c in row if c.is_date))
    out.append({"name": ws.title, "rows": rows, "bold": bold, "date_formats": fmts})
json.dump(out, sys.stdout, ensure_ascii=False)
`

type readSheet struct {
	Name        string   `json:"name"`
	Rows        [][]any  `json:"rows"`
	Bold        []bool   `json:"bold"`
	DateFormats []string `json:"date_formats"`
}

// python is a python3 that has openpyxl: Debian's (make deps installs
// python3-openpyxl) or the first on PATH.
func python(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import openpyxl").Run() == nil {
			return p
		}
	}
	t.Fatal("no python3 with openpyxl: make deps installs python3-openpyxl")
	return ""
}

// openpyxlRead writes data to a file and reads it with openpyxl.
func openpyxlRead(t *testing.T, data []byte, header int) []readSheet {
	t.Helper()
	dir := t.TempDir()
	path, script := filepath.Join(dir, "book.xlsx"), filepath.Join(dir, "read.py")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(readRows), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python(t), script, path, fmt.Sprint(header)).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("openpyxl: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var sheets []readSheet
	if err := json.Unmarshal(out, &sheets); err != nil {
		t.Fatalf("openpyxl's output: %v\n%s", err, out)
	}
	return sheets
}

// want is what openpyxl should read for a cell.
func want(c cell) any {
	switch c.kind {
	case cellDate, cellDateTime:
		return c.t.In(edoc.Vietnam).Format("2006-01-02 15:04")
	case cellNumber:
		return c.n
	}
	if c.text == "" {
		return nil
	}
	return c.text
}

// TestWriteXLSXOpenpyxl reads registers of 120 entries back with
// openpyxl: the title, the headers in bold, then every entry's row, cell
// by cell, with its diacritics, dates as dates (dd/mm/yyyy), the arrival
// instant in Vietnam time, the number of copies as a number, and the
// hostile subject cleaned but otherwise whole (<, &, ]]>, tab, line
// feed).
func TestWriteXLSXOpenpyxl(t *testing.T) {
	t.Parallel()
	for _, kind := range []edoc.RegisterKind{edoc.RegisterIncoming, edoc.RegisterOutgoing} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			r := testRegister(kind, 120)
			var b bytes.Buffer
			if err := WriteXLSX(&b, r); err != nil {
				t.Fatal(err)
			}
			sheets := openpyxlRead(t, b.Bytes(), 3)
			if len(sheets) != 1 {
				t.Fatalf("%d sheets", len(sheets))
			}
			s := sheets[0]
			if s.Name != r.Kind.Label().VI+" 2026" {
				t.Errorf("sheet name %q", s.Name)
			}
			if len(s.Rows) != 3+len(r.Entries) {
				t.Fatalf("%d rows, want %d", len(s.Rows), 3+len(r.Entries))
			}
			if got := fmt.Sprint(s.Rows[0][0]); got != r.Title()+" – ỦY BAN NHÂN DÂN TỈNH NGHỆ AN – SỞ TÀI CHÍNH – Năm 2026" {
				t.Errorf("title %q", got)
			}
			if got := fmt.Sprint(s.Rows[1][0]); got != "Từ số 01 đến số 120" {
				t.Errorf("span %q", got)
			}
			if want := []string{"dd/mm/yyyy", "dd/mm/yyyy hh:mm"}; kind == edoc.RegisterOutgoing {
				if fmt.Sprint(s.DateFormats) != fmt.Sprint(want[:1]) {
					t.Errorf("date formats %v", s.DateFormats)
				}
			} else if fmt.Sprint(s.DateFormats) != fmt.Sprint(want) {
				t.Errorf("date formats %v", s.DateFormats)
			}
			cols, _ := columnsOf(r)
			for j, c := range cols {
				if s.Rows[2][j] != c.header || !s.Bold[j] {
					t.Errorf("header %d: %v (bold %v), want %q in bold", j+1, s.Rows[2][j], s.Bold[j], c.header)
				}
			}
			for i, e := range r.Entries {
				row := s.Rows[3+i]
				for j, c := range cols {
					if got, w := row[j], want(c.cellOf(e)); fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", w) {
						t.Errorf("entry %d, %s: %#v, want %#v", i+1, c.header, got, w)
					}
				}
			}
			hostileCell := s.Rows[3+4][5]
			if kind == edoc.RegisterOutgoing {
				hostileCell = s.Rows[3+4][2]
			}
			for _, part := range []string{"<script>&amp; ]]>", "tab\tline\nend", "\uFFFD \uFFFD"} {
				if !strings.Contains(fmt.Sprint(hostileCell), part) {
					t.Errorf("the hostile subject lost %q: %q", part, hostileCell)
				}
			}
		})
	}
}

// TestWriteXLSXParts: every part of the archive is well-formed XML and
// the workbook names its sheet and styles; a cell longer than a
// spreadsheet cell holds is cut at 32 767 characters.
func TestWriteXLSXParts(t *testing.T) {
	t.Parallel()
	r := testRegister(edoc.RegisterIncoming, 3)
	r.Entries[0].TypeName = ""
	r.Entries[0].Subject = strings.Repeat("ă", 40000)
	var b bytes.Buffer
	if err := WriteXLSX(&b, r); err != nil {
		t.Fatal(err)
	}
	texts := checkXLSX(t, b.Bytes())
	found := false
	for _, s := range texts {
		if strings.HasPrefix(s, "ăăă") {
			found = true
			if n := len([]rune(s)); n != maxCellChars {
				t.Errorf("the long subject has %d characters", n)
			}
		}
	}
	if !found {
		t.Error("the long subject is missing")
	}
	sheets := openpyxlRead(t, b.Bytes(), 3)
	if got := fmt.Sprint(sheets[0].Rows[3][5]); len([]rune(got)) != maxCellChars {
		t.Errorf("openpyxl reads %d characters", len([]rune(got)))
	}
}

// checkXLSX opens data as a zip, checks that the parts an .xlsx needs are
// there and that each parses as XML, and returns the text of the
// sheets' inline strings.
func checkXLSX(t testing.TB, data []byte) []string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("zip: %v", err)
	}
	need := map[string]bool{"[Content_Types].xml": true, "_rels/.rels": true, "xl/workbook.xml": true, "xl/_rels/workbook.xml.rels": true, "xl/styles.xml": true, "xl/worksheets/sheet1.xml": true}
	var texts []string
	for _, f := range z.File {
		delete(need, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		d := xml.NewDecoder(rc)
		inT := false
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				inT = tok.Name.Local == "t"
				if inT {
					texts = append(texts, "")
				}
			case xml.EndElement:
				inT = false
			case xml.CharData:
				if inT {
					texts[len(texts)-1] += string(tok)
				}
			}
		}
		rc.Close()
	}
	if len(need) > 0 {
		t.Fatalf("missing parts: %v", need)
	}
	return texts
}

// TestCleanText: what XML 1.0 forbids and control characters never get
// through; the rest does, unchanged.
func TestCleanText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Quyết định 05/QĐ-UBND":   "Quyết định 05/QĐ-UBND",
		"a\x00b\x1fc\x7fd\u0085e": "a b c d e",
		"tab\tlf\ncr\r":           "tab\tlf\ncr\r",
		"bad \xff\xfe utf8":       "bad \uFFFD\uFFFD utf8",
		"nonchar \uFFFE\uFFFF":    "nonchar \uFFFD\uFFFD",
		"kept \uFFFD":             "kept \uFFFD",
		"<&>]]>":                  "<&>]]>",
	} {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzWriteXLSX writes registers with fuzzed text and dates: the archive
// opens, every part parses with encoding/xml, and the subject comes back
// as CleanText made it (cut at the cell limit).
func FuzzWriteXLSX(f *testing.F) {
	f.Add("Về việc <a>&b ]]>", "Sở Tài chính", "ghi chú", "05", int64(1764720000), 2026)
	f.Add("\x00\x01\xff\uFFFF\r\n\t", "]]><!--", "&#0;", "", int64(-62135596800), 0)
	f.Add(strings.Repeat("ư", 600), "\"'<>", "=HYPERLINK(\"x\")", "99999999999", int64(253402300799), 9999)
	f.Fuzz(func(t *testing.T, subject, organ, notes, number string, unix int64, year int) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, []byte(subject+organ+notes+number))()
		at := time.Unix(unix%(400*365*86400), 0)
		r := Register{Kind: edoc.RegisterIncoming, Agency: organ, Year: year, PrintedAt: at}
		for i := range 3 {
			r.Entries = append(r.Entries, edoc.RegisterEntry{
				Kind: edoc.RegisterIncoming, Number: number, Registered: at.Add(time.Duration(i) * time.Hour),
				Organ: edoc.Organ{OrganName: organ}, Code: edoc.Code{CodeNumber: number, CodeNotation: notes},
				Date: edoc.DateOf(at), Subject: subject, Notes: notes, HandedOver: edoc.DateOf(at.AddDate(0, 0, i)),
			})
		}
		if len(number)%2 == 1 {
			r.Kind = edoc.RegisterOutgoing
		}
		var b bytes.Buffer
		if err := WriteXLSX(&b, r); err != nil {
			t.Fatal(err)
		}
		texts := checkXLSX(t, b.Bytes())
		want := cut(CleanText(subject), maxCellChars)
		if want == "" {
			return
		}
		for _, s := range texts {
			if s == want {
				return
			}
		}
		t.Fatalf("the subject %q is not a cell of the sheet", want)
	})
}
