package edoc

import "testing"

func TestDocTypes(t *testing.T) {
	if len(DocTypes) != 29 {
		t.Fatalf("%d types, want the 29 of Điều 7", len(DocTypes))
	}
	seenName, seenAbbr := map[string]bool{}, map[string]bool{}
	none := 0
	for _, dt := range append(DocTypes, CopyForms...) {
		if seenName[Fold(dt.Name)] || dt.Abbreviation != "" && seenAbbr[dt.Abbreviation] || dt.EN == "" {
			t.Errorf("%+v: duplicate or unnamed", dt)
		}
		seenName[Fold(dt.Name)], seenAbbr[dt.Abbreviation] = true, true
		if dt.Abbreviation == "" {
			none++
		}
		if got, ok := LookupDocType(dt.Name); !ok || got != dt {
			t.Errorf("LookupDocType(%q) = %+v", dt.Name, got)
		}
		if dt.Abbreviation != "" {
			if got, ok := LookupDocType(dt.Abbreviation); !ok || got != dt {
				t.Errorf("LookupDocType(%q) = %+v", dt.Abbreviation, got)
			}
		}
	}
	if none != 2 {
		t.Errorf("%d types without abbreviation, want 2 (Công văn, Thư công)", none)
	}
	for in, want := range map[string]string{
		"QUYẾT ĐỊNH": "Quyết định", "quyet dinh": "Quyết định", "Quyết định (cá biệt)": "Quyết định",
		"ĐA": "Đề án", "DA": "Dự án", "ÐA": "Đề án", "đa": "Đề án", "qyđ": "Quy định", "QĐ": "Quyết định",
		"CTr": "Chương trình", "CT": "Chỉ thị", "TTh": "Bản thỏa thuận", "Bản thoả thuận": "Bản thỏa thuận",
		"Giấy uỷ quyền": "Giấy ủy quyền", "cong van": "Công văn", "SY": "Bản sao y",
	} {
		if got, ok := LookupDocType(in); !ok || got.Name != want {
			t.Errorf("LookupDocType(%q) = %q %v, want %q", in, got.Name, ok, want)
		}
	}
	for _, bad := range []string{"", "Luật", "NĐ", "Q", "quyet", "QĐ-UBND", string(make([]byte, 300))} {
		if got, ok := LookupDocType(bad); ok {
			t.Errorf("LookupDocType(%.20q) = %+v", bad, got)
		}
	}
}

func TestDocTypeOfNotation(t *testing.T) {
	for in, want := range map[string]string{
		"QĐ-UBND": "Quyết định", "TTr-STC": "Tờ trình", "KH-UBND": "Kế hoạch", " BC - SNV": "Báo cáo", "ĐA-UBND": "Đề án",
	} {
		if got, ok := DocTypeOfNotation(in); !ok || got.Name != want {
			t.Errorf("DocTypeOfNotation(%q) = %q %v, want %q", in, got.Name, ok, want)
		}
	}
	for _, in := range []string{"VPCP-TTĐT", "NĐ-CP", "", "-", "UBND-VX"} {
		if got, ok := DocTypeOfNotation(in); ok {
			t.Errorf("DocTypeOfNotation(%q) = %+v", in, got)
		}
	}
}
