package edoc

import "testing"

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Quyết định số 05/QĐ-UBND":      "quyet dinh so 05 qd ubnd",
		"  Sở Tài chính  tỉnh Nghệ An ": "so tai chinh tinh nghe an",
		"ĐẶNG Đức Đạt":                  "dang duc dat",
		"Hỏa tốc":                       "hoa toc",
		"a\xffb":                        "a b",
		"":                              "",
		"---":                           "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
