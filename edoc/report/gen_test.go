package report

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/edoc"
)

// Words of generated subjects, with every kind of Vietnamese diacritic.
var words = strings.Fields("quyết định phê duyệt kế hoạch ngân sách năm học thủy lợi đường giao thông nông thôn " +
	"tỉnh huyện xã ủy ban nhân dân sở tài chính giáo dục đào tạo y tế bảo hiểm xã hội thuế " +
	"đất đai khoáng sản phòng chống lụt bão ứng phó biến đổi khí hậu Nghệ An Hà Tĩnh Thanh Hóa")

var organs = []string{"Ủy ban nhân dân tỉnh Nghệ An", "Sở Tài chính tỉnh Hà Tĩnh", "Bộ Nội vụ", "Văn phòng Chính phủ", "Sở Giáo dục và Đào tạo"}
var units = []string{"Phòng Hành chính", "Phòng Kế hoạch – Tài chính", "Văn phòng Sở", "Thanh tra", ""}
var types = []string{"Quyết định", "Công văn", "Kế hoạch", "Thông báo", ""}

// genEntries makes n entries of the kind registered in year, numbered
// from 01, with subjects of up to 12 words made from seed.
func genEntries(kind edoc.RegisterKind, year, n int, seed uint64) []edoc.RegisterEntry {
	rng := rand.New(rand.NewPCG(seed, 1))
	start := time.Date(year, 1, 2, 8, 0, 0, 0, edoc.Vietnam)
	out := make([]edoc.RegisterEntry, n)
	for i := range out {
		at := start.Add(time.Duration(i) * 61 * time.Hour)
		var s []string
		for range 3 + rng.IntN(10) {
			s = append(s, words[rng.IntN(len(words))])
		}
		e := edoc.RegisterEntry{
			Kind:       kind,
			Number:     edoc.FormatNumber(i + 1),
			Registered: at.UTC(),
			Organ:      edoc.Organ{OrganID: "000.00.00.H41", OrganName: organs[rng.IntN(len(organs))]},
			Code:       edoc.Code{CodeNumber: fmt.Sprint(1 + rng.IntN(999)), CodeNotation: "QĐ-UBND"},
			Date:       edoc.DateOf(at.AddDate(0, 0, -2)),
			TypeName:   types[rng.IntN(len(types))],
			Subject:    fmt.Sprintf("Số %03d về việc %s", i+1, strings.Join(s, " ")),
			Handler:    units[rng.IntN(len(units))],
			HandedOver: edoc.DateOf(at.AddDate(0, 0, 1)),
			ReceivedBy: "Nguyễn Văn Đức",
			Notes:      []string{"", "Khẩn", "Lưu hồ sơ"}[rng.IntN(3)],
		}
		if kind == edoc.RegisterOutgoing {
			e.Code.CodeNumber = e.Number
			e.Signer = "Lê Thị Hằng"
			e.Recipients = []string{"Như trên", "Lưu: VT"}
			e.Copies = 1 + rng.IntN(20)
		}
		if rng.IntN(3) == 0 {
			d := edoc.DateOf(at.AddDate(0, 0, 3+rng.IntN(40)))
			e.DueDate = &d
		}
		out[i] = e
	}
	return out
}

// longText is n characters of Vietnamese words.
func longText(n int) string {
	var b []rune
	for i := 0; len(b) < n; i++ {
		b = append(b, []rune(words[i%len(words)]+" ")...)
	}
	return strings.TrimSpace(string(b[:n]))
}
