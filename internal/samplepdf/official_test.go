package samplepdf

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// DemoDecision is a decision of the demo, as internal/demo writes it.
func demoDecision() Official {
	return Official{
		Agency:   "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
		Number:   "05/QĐ-UBND",
		Place:    "Nghệ An",
		Date:     time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC),
		TypeName: "QUYẾT ĐỊNH",
		Subject:  "Về việc phê duyệt Kế hoạch chuyển đổi số trong công tác văn thư năm 2027",
		Body: []string{
			"CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
			"Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
			"Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 112/TTr-SNV ngày 20 tháng 11 năm 2026.",
		},
		Recipients: []string{"Như Điều 3;", "Lưu: VT, NC."},
		Authority:  []string{"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"},
		Signer:     "Nguyễn Văn An",
	}
}

// TestOfficialText writes a document and reads its text back with
// poppler's pdftotext: the Vietnamese words come out as written (the
// fonts are embedded with a ToUnicode map), qpdf finds the file sound.
func TestOfficialText(t *testing.T) {
	o := demoDecision()
	for i := 0; i < 12; i++ { // long enough for a second page
		o.Body = append(o.Body, "Điều "+string(rune('1'+i%9))+". Giao Sở Thông tin và Truyền thông chủ trì, phối hợp với các sở, ban, ngành, Ủy ban nhân dân các huyện, thành phố, thị xã triển khai thực hiện Kế hoạch này; định kỳ báo cáo kết quả về Ủy ban nhân dân tỉnh.")
	}
	path := filepath.Join(t.TempDir(), "qd.pdf")
	if err := WriteOfficialFile(path, o); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 05/QĐ-UBND",
		"Nghệ An, ngày 03 tháng 12 năm 2026", "QUYẾT ĐỊNH", "chuyển đổi số", "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "Nguyễn Văn An"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	info, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	if !regexp.MustCompile(`(?m)^Pages:\s+2$`).Match(info) {
		t.Errorf("want 2 pages:\n%s", info)
	}
}
