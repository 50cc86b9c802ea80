package edoc

import (
	"fmt"
	"math/rand/v2"
	"sync"
)

// provinces are the 63 provinces and cities before the 2025 merger, in
// an order giving Nghệ An 41 and Cao Bằng 14 as the real codes do (the
// other numbers are the generator's).
var provinces = []string{
	"An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Định",
	"Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cần Thơ", "Cao Bằng", "Đà Nẵng", "Đắk Lắk", "Đắk Nông",
	"Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương",
	"Hải Phòng", "Hậu Giang", "Hồ Chí Minh", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum",
	"Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận",
	"Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng",
	"Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh",
	"Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
}

var departments = []string{
	"Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "Sở Xây dựng", "Sở Y tế", "Sở Giáo dục và Đào tạo",
	"Sở Khoa học và Công nghệ", "Sở Nông nghiệp và Môi trường", "Sở Công Thương", "Sở Văn hóa, Thể thao và Du lịch",
	"Sở Dân tộc và Tôn giáo", "Sở Ngoại vụ", "Thanh tra", "Văn phòng UBND", "Văn phòng Đoàn ĐBQH và HĐND",
	"Ban Quản lý các khu công nghiệp", "Đài Phát thanh và Truyền hình", "Trường Chính trị", "Ban Quản lý dự án đầu tư xây dựng", "Quỹ Đầu tư phát triển",
}

var offices = []string{
	"Văn phòng", "Phòng Kế hoạch – Tài chính", "Phòng Tổ chức cán bộ", "Phòng Pháp chế", "Thanh tra", "Chi cục Quản lý chất lượng",
}

var districtOffices = []string{
	"Văn phòng HĐND và UBND", "Phòng Nội vụ", "Phòng Tài chính – Kế hoạch", "Phòng Tư pháp", "Phòng Giáo dục và Đào tạo",
	"Phòng Y tế", "Phòng Kinh tế và Hạ tầng", "Phòng Tài nguyên và Môi trường", "Phòng Văn hóa và Thông tin", "Phòng Lao động – Thương binh và Xã hội",
}

var communeUnits = []string{"Trường Mầm non", "Trường Tiểu học", "Trường Trung học cơ sở", "Trạm Y tế"}

// syllables of place names, for districts and communes.
var syllables = []string{
	"An", "Bình", "Châu", "Diễn", "Đông", "Đức", "Giang", "Hà", "Hải", "Hòa", "Hoàng", "Hưng", "Hương", "Kim", "Kỳ",
	"Lạc", "Lâm", "Long", "Lộc", "Minh", "Mỹ", "Nam", "Nghĩa", "Ngọc", "Phong", "Phú", "Phúc", "Phước", "Quang",
	"Quế", "Quỳnh", "Sơn", "Tân", "Thạch", "Thành", "Thanh", "Thịnh", "Thuận", "Tiến", "Trung", "Trường", "Tùng",
	"Văn", "Vinh", "Vĩnh", "Xuân", "Yên", "Đồng", "Cẩm", "Mường", "Nậm", "Ea", "Krông", "Cư", "Lũng", "Đắk",
}

// generatedDirectory is a plausible national directory of n agencies:
// per province the UBND tỉnh (level 1), its Sở (level 2) and their
// offices (level 3), districts (level 2) with their offices and communes
// (level 3), and per commune its schools and health station (level 4).
// Deterministic; at most about 171,000 agencies.
func generatedDirectory(n int) []DirectoryEntry {
	rng := rand.New(rand.NewPCG(8, 2026))
	place := func() string {
		return syllables[rng.IntN(len(syllables))] + " " + syllables[rng.IntN(len(syllables))]
	}
	var out []DirectoryEntry
	add := func(l4, l3, l2, p int, name string) {
		code := fmt.Sprintf("%03d.%02d.%02d.H%02d", l4, l3, l2, p)
		out = append(out, DirectoryEntry{Code: code, Name: name})
	}
	for p, prov := range provinces {
		p++
		add(0, 0, 0, p, "UBND tỉnh "+prov)
		for d, dep := range departments {
			add(0, 0, d+1, p, dep+" tỉnh "+prov)
			for o, off := range offices {
				add(0, o+1, d+1, p, off+", "+dep+" tỉnh "+prov)
			}
		}
		for h := 0; h < 30; h++ {
			district := place()
			kind := "huyện"
			if h%7 == 0 {
				kind = "thị xã"
			}
			add(0, 0, 30+h, p, "UBND "+kind+" "+district+", tỉnh "+prov)
			for o, off := range districtOffices {
				add(0, o+1, 30+h, p, off+" "+kind+" "+district)
			}
			for x := 0; x < 15; x++ {
				commune := place()
				ckind := "xã"
				if x%5 == 0 {
					ckind = "phường"
				}
				add(0, 20+x, 30+h, p, "UBND "+ckind+" "+commune+", "+kind+" "+district)
				for u, unit := range communeUnits {
					add(u+1, 20+x, 30+h, p, unit+" "+ckind+" "+commune)
				}
			}
		}
	}
	return out[:min(n, len(out))]
}

// nationalSize is the size of the national directory (DOMAIN.md).
const nationalSize = 111000

var nationalDirectory = sync.OnceValues(func() (*Directory, error) {
	return NewDirectory(generatedDirectory(nationalSize))
})
