package i18n

import "testing"

func TestTranslate(t *testing.T) {
	Register(Catalog{"i18n.test.page": {VI: "Trang %d/%d", EN: "Page %d of %d"}})
	defer SetLang(Vietnamese)
	if got := T("i18n.test.page", 2, 9); got != "Trang 2/9" {
		t.Errorf("vi: %q", got)
	}
	SetLang(English)
	if got := T("i18n.test.page", 2, 9); got != "Page 2 of 9" {
		t.Errorf("en: %q", got)
	}
	if got := T("i18n.test.missing"); got != "⟦i18n.test.missing⟧" {
		t.Errorf("missing key: %q", got)
	}
	if got := In(Vietnamese, "i18n.test.page", 1, 1); got != "Trang 1/1" {
		t.Errorf("In: %q", got)
	}
}

func TestRegisterRefusesDuplicatesAndHalfSentences(t *testing.T) {
	Register(Catalog{"i18n.test.once": {VI: "một", EN: "one"}})
	for name, c := range map[string]Catalog{
		"duplicate": {"i18n.test.once": {VI: "hai", EN: "two"}},
		"no EN":     {"i18n.test.half": {VI: "nửa"}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			Register(c)
		}()
	}
}

func TestCheckFindsVerbMismatch(t *testing.T) {
	Register(Catalog{
		"i18n.test.ok":  {VI: "%d tệp (100%%)", EN: "%d files (100%%)"},
		"i18n.test.bad": {VI: "%d tệp", EN: "%s files"},
	})
	bad := Check()
	if len(bad) != 1 || bad[0] != "i18n.test.bad" {
		t.Errorf("Check: %v", bad)
	}
}

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"en_US.UTF-8": English, "EN": English, "vi_VN": Vietnamese, "": Vietnamese, "fr": Vietnamese} {
		if got := ParseLang(in); got != want {
			t.Errorf("ParseLang(%q) = %s", in, got)
		}
	}
}
