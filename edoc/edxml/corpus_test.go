package edxml

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/pdftools"
)

func corpusFiles(t testing.TB) []string {
	t.Helper()
	dir, err := pdftools.CorpusDir()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "edxml", "*.edxml"))
	if len(files) < 15 {
		t.Fatalf("%d edXML samples in the corpus, want 15", len(files))
	}
	return files
}

func readBytes(t testing.TB, b []byte) *Message {
	t.Helper()
	m, err := Read(bytes.NewReader(b), &Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func writeBytes(t testing.TB, m *Message, o *WriteOptions) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := Write(&out, m, o); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// files is every attachment's content with its SHA-256, checked
// against the model.
func files(t testing.TB, m *Message) [][]byte {
	t.Helper()
	var out [][]byte
	if m.Document == nil {
		return nil
	}
	for i, a := range m.Document.Attachments {
		rc, err := m.Files[i].Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != a.SHA256 || int64(len(b)) != a.Size {
			t.Fatalf("attachment %d: content %x (%d bytes), model says %s (%d)", i, sum, len(b), a.SHA256, a.Size)
		}
		out = append(out, b)
	}
	return out
}

type model struct {
	Kind     Kind
	Document *edoc.Document
	Status   *Status
	Extras   []Extra
}

func modelOf(m *Message) model { return model{m.Kind, m.Document, m.Status, m.Extras} }

func sameModel(t *testing.T, what string, a, b *Message) {
	t.Helper()
	if !reflect.DeepEqual(modelOf(a), modelOf(b)) {
		ja, _ := json.MarshalIndent(modelOf(a), "", " ")
		jb, _ := json.MarshalIndent(modelOf(b), "", " ")
		t.Fatalf("%s: models differ:\n%s\n----\n%s", what, ja, jb)
	}
}

// TestCorpusRoundTrip reads every sample of the corpus, writes it in the
// strict form and reads that again: the same model (document or status,
// extras), attachments byte for byte the same; writing the second read
// gives the same bytes as the first write (the strict form is a fixed
// point).
func TestCorpusRoundTrip(t *testing.T) {
	for _, f := range corpusFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m1 := readBytes(t, raw)
			wantKind := KindEdoc
			if strings.HasPrefix(filepath.Base(f), "status") {
				wantKind = KindStatus
			}
			if m1.Kind != wantKind {
				t.Fatalf("kind %s, want %s", m1.Kind, wantKind)
			}
			if !m1.Signed && wantKind == KindEdoc {
				t.Errorf("the sample's Signature was not seen")
			}
			out1 := writeBytes(t, m1, nil)
			m2 := readBytes(t, out1)
			sameModel(t, "read, write, read", m1, m2)
			f1, f2 := files(t, m1), files(t, m2)
			if !reflect.DeepEqual(f1, f2) {
				t.Fatalf("attachments differ after the round trip")
			}
			if out2 := writeBytes(t, m2, nil); !bytes.Equal(out1, out2) {
				t.Fatalf("the strict form is not stable:\n%s\n----\n%s", out1, out2)
			}
		})
	}
}

// TestCorpusFields checks what the reader maps from samples, field by
// field, against the files' text.
func TestCorpusFields(t *testing.T) {
	dir := filepath.Dir(corpusFiles(t)[0])
	read := func(name string) *Message {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return readBytes(t, raw)
	}
	m := read("edoc_new.edxml")
	d := m.Document
	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %#v, want %#v", what, got, want)
		}
	}
	check("from", d.From.OrganID, "000.00.00.A80")
	check("to", d.To[0].OrganID, "28.22.H17")
	check("document id", d.DocumentID, "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
	check("code", d.Code, edoc.Code{CodeNumber: "74fass22", CodeNotation: "VPCP-TTĐT"})
	check("date", d.PromulgationDate, edoc.Date{Year: 2019, Month: 1, Day: 16})
	check("type", d.Type, edoc.DocumentType{Type: 1, TypeDetail: 0, TypeName: "Công văn"})
	check("signer", d.Signer, edoc.Signer{Competence: "TL. BO TRUONG", Position: "Cuc truong cuc ung dung cong nghe thong tin", FullName: "Nguyen Thanh Phuc"})
	check("due", *d.DueDate, edoc.Date{Year: 2018, Month: 9, Day: 28})
	check("page amount", d.PageAmount, 22)
	check("appendix", d.Appendixes, []string{"Công văn về việc kết nối, liên thông phần mềm quản lý văn bản"})
	check("steering", d.SteeringType, 1)
	check("to places", d.ToPlaces, []string{"Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"})
	check("trace", d.Trace[0].OrganID, "000.00.00.G22")
	check("trace time", d.Trace[0].Timestamp.Format("2006-01-02 15:04:05 -07:00"), "2018-09-28 00:00:00 +07:00")
	check("business", d.Business.DocType, edoc.BusinessNew)
	check("staff", d.Business.Staff.Staff, "Nguyễn Thị Ngọc Trâm")
	a := d.Attachments[0]
	check("attachment id", a.ContentID, "209")
	check("attachment name", a.Name, "1896_QD-TTg_m_294779.doc")
	check("attachment role", a.Role, edoc.RoleMain)
	check("attachment type", a.ContentType, "application/msword")
	b := files(t, m)[0]
	check("attachment is the PDF inside the ZIP", string(b[:5]), "%PDF-")
	check("extras", len(m.Extras), 0)

	check("replacement", read("edoc_replacement.edxml").Document.Business.Replacements[1].OrganIDs, []string{"000.00.00.H41", "000.00.00.H14"})
	up := read("edoc_update.edxml").Document.Business
	check("update receivers", up.Receivers[0], edoc.Receiver{OrganID: "000.00.00.H41", ReceiverType: 0})
	check("update type", up.DocType, edoc.BusinessUpdate)
	rv := read("edoc_revocation.edxml").Document
	check("revocation response for", rv.ResponseFor[0].Code, "267/VPCP-TTĐT")

	st := read("status_rejection_02.edxml").Status
	check("status code", st.Code, edoc.StatusRefused)
	check("status from", st.From.OrganID, "000.00.00.H41")
	check("status response for", st.ResponseFor.DocumentID, "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
	check("status timestamp zone", st.Timestamp.Location(), edoc.Vietnam)
	for name, want := range map[string]edoc.Status{
		"status_inbox_01.edxml": "01", "status_acceptance_03.edxml": "03", "status_assignment_04.edxml": "04",
		"status_processing_05.edxml": "05", "status_finish_06.edxml": "06", "status_cancellation_13.edxml": "13",
		"status_change-acceptance_15.edxml": "15", "status_change-rejection_16.edxml": "16",
	} {
		check(name, read(name).Status.Code, want)
	}
}
