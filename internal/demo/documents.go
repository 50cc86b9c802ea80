package demo

import (
	"time"

	"github.com/vanthuso/vanthu/internal/samplepdf"
)

// The demo's documents read as real ones: Vietnamese text with its
// diacritics, the national header, số and ký hiệu, the signer's block
// (Nghị định 30/2020 Phụ lục I). Their content is invented.

// Decision is the demo's main document, Quyết định số 05/QĐ-UBND of UBND
// tỉnh Nghệ An, dated at, two pages.
func Decision(at time.Time) samplepdf.Official {
	return samplepdf.Official{
		Agency:   "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
		Number:   Number,
		Place:    "Nghệ An",
		Date:     at,
		TypeName: "QUYẾT ĐỊNH",
		Subject:  "Về việc ban hành Kế hoạch chuyển đổi số trong công tác văn thư, lưu trữ năm 2027",
		Body: []string{
			"ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
			"Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
			"Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
			"Căn cứ Thông tư số 01/2019/TT-BNV ngày 24 tháng 01 năm 2019 của Bộ Nội vụ quy định quy trình trao đổi, lưu trữ, xử lý tài liệu điện tử trong công tác văn thư;",
			"Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 112/TTr-SNV ngày 20 tháng 11 năm 2026.",
			"QUYẾT ĐỊNH:",
			"Điều 1. Ban hành kèm theo Quyết định này Kế hoạch chuyển đổi số trong công tác văn thư, lưu trữ năm 2027 của tỉnh Nghệ An.",
			"Điều 2. Giao Sở Nội vụ chủ trì, phối hợp với Sở Khoa học và Công nghệ, Sở Tài chính và các cơ quan, đơn vị liên quan tổ chức triển khai thực hiện Kế hoạch; định kỳ hằng quý tổng hợp, báo cáo Ủy ban nhân dân tỉnh kết quả thực hiện.",
			"Các cơ quan, đơn vị bảo đảm 100% văn bản đi, văn bản đến được gửi, nhận dưới dạng điện tử, ký số bằng chữ ký số của người có thẩm quyền và chữ ký số của cơ quan, tổ chức theo quy định; văn bản giấy chỉ gửi kèm khi pháp luật có quy định.",
			"Sở Tài chính cân đối, bố trí kinh phí thực hiện Kế hoạch trong dự toán ngân sách năm 2027 của các cơ quan, đơn vị theo phân cấp ngân sách hiện hành.",
			"Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc các sở, Thủ trưởng các ban, ngành cấp tỉnh, Chủ tịch Ủy ban nhân dân các huyện, thành phố, thị xã và các tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này.",
			"Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị phản ánh kịp thời về Sở Nội vụ để tổng hợp, báo cáo Ủy ban nhân dân tỉnh xem xét, giải quyết.",
			"Việc lập hồ sơ và giao nộp hồ sơ, tài liệu điện tử vào Lưu trữ cơ quan thực hiện theo quy định tại Nghị định số 30/2020/NĐ-CP; các cơ quan, đơn vị rà soát danh mục hồ sơ năm 2027 trước ngày 31 tháng 01 năm 2027.",
			"Văn phòng Ủy ban nhân dân tỉnh theo dõi, đôn đốc việc thực hiện Quyết định này.",
		},
		Recipients: []string{"Như Điều 3;", "Chủ tịch, các PCT UBND tỉnh;", "Sở Nội vụ, Sở Tài chính;", "Lưu: VT, NC."},
		Authority:  []string{"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"},
		Signer:     "Nguyễn Văn An",
	}
}

// attachment is the plan the decision issues, a separate file signed by
// the agency alone (text stamp, no image).
func attachment(at time.Time) samplepdf.Official {
	return samplepdf.Official{
		Agency:   "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
		Number:   "KH kèm theo Quyết định số " + Number,
		Place:    "Nghệ An",
		Date:     at,
		TypeName: "KẾ HOẠCH",
		Subject:  "Chuyển đổi số trong công tác văn thư, lưu trữ năm 2027",
		Body: []string{
			"I. MỤC ĐÍCH, YÊU CẦU",
			"1. Nâng cao hiệu quả quản lý văn bản đi, văn bản đến trên môi trường điện tử; rút ngắn thời gian xử lý công việc.",
			"2. Bảo đảm an toàn, bảo mật thông tin; văn bản điện tử được ký số, lưu trữ và khai thác đúng quy định.",
			"II. NHIỆM VỤ CHỦ YẾU",
			"1. Hoàn thành việc cấp chứng thư số cho 100% cán bộ lãnh đạo và văn thư các cơ quan, đơn vị trong quý I năm 2027.",
			"2. Kết nối hệ thống quản lý văn bản của các cơ quan, đơn vị với Trục liên thông văn bản quốc gia.",
		},
		Recipients: []string{"Các sở, ban, ngành;", "Lưu: VT, NC."},
		Authority:  []string{"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"},
		Signer:     "Nguyễn Văn An",
	}
}

// letter is a công văn, the document to copy (sao y).
func letter(at time.Time) samplepdf.Official {
	return samplepdf.Official{
		Superior: "UBND TỈNH NGHỆ AN",
		Agency:   "SỞ NỘI VỤ",
		Number:   "245/SNV-VTLT",
		Place:    "Nghệ An",
		Date:     at.AddDate(0, 0, -7),
		Subject:  "V/v hướng dẫn ký số văn bản điện tử",
		Body: []string{
			"Kính gửi: Các sở, ban, ngành cấp tỉnh.",
			"Thực hiện Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư, Sở Nội vụ hướng dẫn việc ký số văn bản điện tử như sau:",
			"1. Văn bản điện tử phát hành phải có chữ ký số của người có thẩm quyền và chữ ký số của cơ quan, tổ chức; hình ảnh chữ ký màu xanh, hình ảnh con dấu màu đỏ.",
			"2. Văn thư cơ quan chỉ ký số của cơ quan, tổ chức sau khi người có thẩm quyền đã ký số; kiểm tra chữ ký số trên văn bản đến và thông báo cho nơi gửi trong ngày.",
			"Trong quá trình thực hiện, nếu có vướng mắc, đề nghị liên hệ Phòng Văn thư - Lưu trữ, Sở Nội vụ để được hướng dẫn.",
		},
		Recipients: []string{"Như trên;", "Giám đốc Sở (để b/c);", "Lưu: VT, VTLT."},
		Authority:  []string{"KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"},
		Signer:     "Trần Thị Bình",
	}
}
