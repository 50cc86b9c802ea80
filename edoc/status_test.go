package edoc

import (
	"slices"
	"testing"
)

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]Status{
		"01": StatusArrived, " 03 ": StatusAccepted, "6": StatusDone, "13": StatusRevokeRequest,
		"14": StatusChangeAccepted, "15": StatusChangeAccepted, "16": StatusChangeRefused, "02": StatusRefused,
	} {
		if got, err := ParseStatus(in); err != nil || got != want {
			t.Errorf("ParseStatus(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "00", "07", "12", "17", "001", "1a", "0x1", "-1", "١", "01\x00"} {
		if got, err := ParseStatus(bad); err == nil {
			t.Errorf("ParseStatus(%q) = %q", bad, got)
		}
	}
	for _, s := range Statuses {
		if l := s.Label(); !s.Valid() || l.VI == "" || l.EN == "" {
			t.Errorf("%s: %v %+v", s, s.Valid(), l)
		}
	}
	if Status("14").Valid() || Status("").Valid() {
		t.Error("14 or empty valid as written")
	}
}

// TestProgressMachine walks every (state, status) pair and compares with
// the table of the documented machine: nothing else is allowed, in
// particular no skipped step, no going back, nothing after 02, 06 → only
// a revocation, nothing after 15.
func TestProgressMachine(t *testing.T) {
	allowed := map[Progress][]Status{
		{}:           {"01"},
		{"01", ""}:   {"02", "03", "13"},
		{"02", ""}:   nil,
		{"03", ""}:   {"04", "05", "13"},
		{"04", ""}:   {"05", "13"},
		{"05", ""}:   {"06", "13"},
		{"06", ""}:   {"13"},
		{"05", "13"}: {"06", "15", "16"},
		{"06", "13"}: {"15", "16"},
		{"06", "16"}: {"13"},
		{"04", "16"}: {"05", "13"},
		{"03", "15"}: nil,
		{"06", "15"}: nil,
	}
	for p, want := range allowed {
		for _, next := range append(slices.Clone(Statuses), "14", "", "99") {
			got, err := p.Apply(next, "lý do")
			ok := slices.Contains(want, next)
			if ok != (err == nil) {
				t.Errorf("%+v.Apply(%q): %v, want allowed %v", p, next, err, ok)
				continue
			}
			if err != nil && got != p {
				t.Errorf("%+v.Apply(%q) failed but moved to %+v", p, next, got)
			}
			if err == nil && (next.IsChange() && got.Change != next || !next.IsChange() && got.Processing != next) {
				t.Errorf("%+v.Apply(%q) = %+v", p, next, got)
			}
		}
		if got := p.Next(); !slices.Equal(got, toStatuses(want)) {
			t.Errorf("%+v.Next() = %v, want %v", p, got, want)
		}
	}
}

func toStatuses(s []Status) []Status {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestProgressReasons: refusals need a reason, white space is none.
func TestProgressReasons(t *testing.T) {
	if _, err := (Progress{Processing: "01"}).Apply(StatusRefused, " \t"); err == nil {
		t.Error("02 without a reason accepted")
	}
	if _, err := (Progress{Processing: "05", Change: "13"}).Apply(StatusChangeRefused, ""); err == nil {
		t.Error("16 without a reason accepted")
	}
	p := Progress{}
	for _, s := range []Status{"01", "03", "04", "05", "13", "16", "06", "13", "15"} {
		var err error
		if p, err = p.Apply(s, "văn bản đã xử lý xong"); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if p != (Progress{"06", "15"}) || p.Next() != nil {
		t.Errorf("ended at %+v, next %v", p, p.Next())
	}
}

func TestPriorityConfidentiality(t *testing.T) {
	for in, want := range map[string]Priority{
		"": PriorityNormal, "0": PriorityNormal, "Thường": PriorityNormal, "Khẩn": PriorityUrgent, "KHẨN": PriorityUrgent,
		"Thượng khẩn": PriorityVeryUrgent, "thuong khan": PriorityVeryUrgent, "Hỏa tốc": PriorityFlash, "Hoả tốc": PriorityFlash,
		"flash": PriorityFlash, "3": PriorityFlash, "Hỏa tốc hẹn giờ": PriorityFlashScheduled, " 4 ": PriorityFlashScheduled,
	} {
		if got, err := ParsePriority(in); err != nil || got != want {
			t.Errorf("ParsePriority(%q) = %v, %v", in, got, err)
		}
	}
	for in, want := range map[string]Confidentiality{
		"": ConfidentialityNone, "Mật": ConfidentialitySecret, "MẬT": ConfidentialitySecret, "Tối mật": ConfidentialityTop,
		"Tuyệt mật": ConfidentialityUltra, "top secret": ConfidentialityUltra, "2": ConfidentialityTop,
	} {
		if got, err := ParseConfidentiality(in); err != nil || got != want {
			t.Errorf("ParseConfidentiality(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"5", "-1", "00000000000000000003", "khan cap", "Mật khẩn", "9999999999999999999999"} {
		if _, err := ParsePriority(bad); err == nil {
			t.Errorf("ParsePriority(%q) accepted", bad)
		}
		if _, err := ParseConfidentiality(bad); err == nil {
			t.Errorf("ParseConfidentiality(%q) accepted", bad)
		}
	}
	for p := Priority(-1); p <= 5; p++ {
		if p.Valid() != (p >= 0 && p <= 4) || p.Valid() == (p.Label() == Label{}) {
			t.Errorf("priority %d: valid %v label %+v", p, p.Valid(), p.Label())
		}
	}
	for c := Confidentiality(-1); c <= 4; c++ {
		if c.Valid() != (c >= 0 && c <= 3) {
			t.Errorf("confidentiality %d: valid %v", c, c.Valid())
		}
	}
	for b := BusinessType(-1); b <= 4; b++ {
		if b.Valid() != (b.Label() != Label{}) || b.Valid() != (b >= 0 && b <= 3) {
			t.Errorf("business %d: valid %v label %+v", b, b.Valid(), b.Label())
		}
	}
}
