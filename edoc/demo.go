package edoc

import "sync"

// Demo agencies the demo (make demo) signs in as.
const (
	DemoProvince = "000.00.00.H41" // UBND tỉnh Nghệ An
	DemoFinance  = "000.00.01.H41" // Sở Tài chính tỉnh Nghệ An
	DemoHome     = "000.00.02.H41" // Sở Nội vụ tỉnh Nghệ An
)

// demoEntries: real names, no contact data. The codes of Văn phòng Chính phủ
// (000.00.00.G22), UBND tỉnh Nghệ An (000.00.00.H41) and UBND tỉnh Cao
// Bằng (000.00.00.H14) are the real ones (they are in the edXML samples
// of shared/corpus); every other code is DEMO DATA: plausible, chosen by
// the structure of QĐ 20/2020, not the agency's real mã định danh.
var demoEntries = []DirectoryEntry{
	{Code: "000.00.00.G22", Name: "Văn phòng Chính phủ"},
	// Ministries: demo codes.
	{Code: "000.00.00.G09", Name: "Bộ Tài chính"},
	{Code: "000.00.00.G12", Name: "Bộ Nội vụ"},
	{Code: "000.00.00.G18", Name: "Bộ Tư pháp"},
	{Code: "000.00.00.G10", Name: "Bộ Khoa học và Công nghệ"},
	{Code: "000.00.00.G06", Name: "Bộ Giáo dục và Đào tạo"},
	{Code: "000.00.00.G21", Name: "Bộ Y tế"},
	{Code: "000.00.00.G20", Name: "Bộ Xây dựng"},
	{Code: "000.00.00.G14", Name: "Bộ Nông nghiệp và Môi trường"},
	{Code: "000.01.00.G09", Name: "Vụ Ngân sách nhà nước, Bộ Tài chính", Parent: "000.00.00.G09"},
	{Code: "000.02.00.G12", Name: "Vụ Tổ chức – Biên chế, Bộ Nội vụ", Parent: "000.00.00.G12"},

	// Nghệ An: the province's code is real; its units' codes are demo.
	{Code: DemoProvince, Name: "UBND tỉnh Nghệ An"},
	{Code: DemoFinance, Name: "Sở Tài chính tỉnh Nghệ An", Parent: DemoProvince},
	{Code: DemoHome, Name: "Sở Nội vụ tỉnh Nghệ An", Parent: DemoProvince},
	{Code: "000.00.03.H41", Name: "Văn phòng UBND tỉnh Nghệ An", Parent: DemoProvince},
	{Code: "000.00.04.H41", Name: "Sở Tư pháp tỉnh Nghệ An", Parent: DemoProvince},
	{Code: "000.00.05.H41", Name: "Sở Giáo dục và Đào tạo tỉnh Nghệ An", Parent: DemoProvince},
	{Code: "000.00.06.H41", Name: "Sở Y tế tỉnh Nghệ An", Parent: DemoProvince},
	{Code: "000.00.07.H41", Name: "Sở Xây dựng tỉnh Nghệ An", Parent: DemoProvince},
	{Code: "000.00.08.H41", Name: "Sở Khoa học và Công nghệ tỉnh Nghệ An", Parent: DemoProvince},
	{Code: "000.00.09.H41", Name: "Sở Nông nghiệp và Môi trường tỉnh Nghệ An", Parent: DemoProvince},
	{Code: "000.01.01.H41", Name: "Phòng Quản lý ngân sách, Sở Tài chính tỉnh Nghệ An", Parent: DemoFinance},
	{Code: "000.02.01.H41", Name: "Phòng Quản lý giá và công sản, Sở Tài chính tỉnh Nghệ An", Parent: DemoFinance},
	{Code: "000.01.02.H41", Name: "Phòng Tổ chức, biên chế, Sở Nội vụ tỉnh Nghệ An", Parent: DemoHome},
	{Code: "000.00.30.H41", Name: "UBND phường Trường Vinh", Parent: DemoProvince},
	{Code: "000.00.31.H41", Name: "UBND phường Thành Vinh", Parent: DemoProvince},
	{Code: "000.00.32.H41", Name: "UBND phường Cửa Lò", Parent: DemoProvince},
	{Code: "000.00.33.H41", Name: "UBND xã Nghĩa Đàn", Parent: DemoProvince},
	{Code: "000.00.34.H41", Name: "UBND xã Quỳnh Lưu", Parent: DemoProvince},

	// Cao Bằng: the province's code is real; its unit's code is demo.
	{Code: "000.00.00.H14", Name: "UBND tỉnh Cao Bằng"},
	{Code: "000.00.01.H14", Name: "Sở Tài chính tỉnh Cao Bằng", Parent: "000.00.00.H14"},
}

var demoDirectory = sync.OnceValue(func() *Directory {
	d, err := NewDirectory(demoEntries)
	if err != nil {
		panic("edoc: the demo directory does not build: " + err.Error())
	}
	return d
})

// DemoDirectory is the small directory the demo and tests use: about
// thirty real agencies (Văn phòng Chính phủ, ministries, UBND tỉnh Nghệ
// An and its Sở, among them DemoProvince, DemoFinance and DemoHome), most
// with demo codes (see the source). Shared and immutable.
func DemoDirectory() *Directory { return demoDirectory() }
