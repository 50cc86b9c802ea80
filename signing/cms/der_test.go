package cms

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name    string
		in, out []byte
		changed bool
	}{
		{"der kept", []byte{0x30, 0x03, 0x02, 0x01, 0x05}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}, false},
		{"indefinite", []byte{0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}, true},
		{"nested indefinite", []byte{0x30, 0x80, 0xa0, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00}, []byte{0x30, 0x04, 0xa0, 0x02, 0x05, 0x00}, true},
		{"segmented octets", []byte{0x24, 0x80, 0x04, 0x02, 'a', 'b', 0x04, 0x01, 'c', 0x00, 0x00}, []byte{0x04, 0x03, 'a', 'b', 'c'}, true},
		{"definite segmented", []byte{0x24, 0x07, 0x04, 0x02, 'a', 'b', 0x04, 0x01, 'c'}, []byte{0x04, 0x03, 'a', 'b', 'c'}, true},
		{"non-minimal length kept", []byte{0x30, 0x81, 0x03, 0x02, 0x01, 0x05}, []byte{0x30, 0x81, 0x03, 0x02, 0x01, 0x05}, false},
	}
	for _, tt := range tests {
		out, changed, rest, err := normalize(tt.in, 0)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !bytes.Equal(out, tt.out) || changed != tt.changed || len(rest) != 0 {
			t.Errorf("%s: got % x changed %v rest %d, want % x changed %v", tt.name, out, changed, len(rest), tt.out, tt.changed)
		}
	}
	for _, bad := range [][]byte{
		{0x30, 0x80, 0x02, 0x01, 0x05},       // no end-of-contents
		{0x02, 0x80, 0x00, 0x00},             // indefinite primitive
		{0x30, 0x05, 0x02, 0x01},             // truncated
		{0x24, 0x80, 0x02, 0x01, 0x05, 0, 0}, // wrong segment type
		{0x23, 0x80, 0x03, 0x02, 0, 1, 0, 0}, // constructed bit string
		{0x30, 0x85, 1, 0, 0, 0, 0},          // length too large
		{0x1f, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00},
	} {
		if _, _, _, err := normalize(bad, 0); err == nil {
			t.Errorf("% x: no error", bad)
		}
	}
}

func TestDeepNestingIsBounded(t *testing.T) {
	var b []byte
	for range 100000 {
		b = append(b, 0x30, 0x80)
	}
	for range 100000 {
		b = append(b, 0, 0)
	}
	if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), "too deep") {
		t.Errorf("err = %v", err)
	}
}

// TestMutations truncates and flips bytes of every real blob: errors are
// fine, panics are not, and what parses must verify or fail cleanly.
func TestMutations(t *testing.T) {
	for _, name := range []string{"vpcp_222-ttg.der", "vpcp_08-1.ber", "hu_pol-7-ecdsa.ber", "self-issued-ocsp-pss.der", "dss-1683-noattrs.der", "vpcp_222-ttg.tst"} {
		blob := readTestdata(t, name)
		check := func(b []byte) {
			sd, err := Parse(b)
			if err != nil {
				return
			}
			for i := range sd.Signers {
				si := &sd.Signers[i]
				if c := si.FindCertificate(sd.Certificates); c != nil {
					si.VerifySignature(c)
				}
				if si.TimestampToken != nil {
					if ts, err := ParseTimestampToken(si.TimestampToken); err == nil {
						ts.Verify()
					}
				}
			}
			if ts, err := ParseTimestampToken(b); err == nil {
				ts.Verify()
			}
		}
		step := max(1, len(blob)/600)
		for n := 0; n < len(blob); n += step {
			check(blob[:n])
			m := bytes.Clone(blob)
			m[n] ^= 0xff
			check(m)
			m[n] = 0x80
			check(m)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		tag  int
		s    string
		want time.Time
	}{
		{tagUTCTime, "250124171949Z", time.Date(2025, 1, 24, 17, 19, 49, 0, time.UTC)},
		{tagUTCTime, "500101000000Z", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)},
		{tagUTCTime, "491231235959Z", time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC)},
		{tagUTCTime, "2501241719Z", time.Date(2025, 1, 24, 17, 19, 0, 0, time.UTC)},
		{tagUTCTime, "250124171949+0700", time.Date(2025, 1, 24, 10, 19, 49, 0, time.UTC)},
		{tagGeneralizedTime, "20250124100037Z", time.Date(2025, 1, 24, 10, 0, 37, 0, time.UTC)},
		{tagGeneralizedTime, "20250124100037.5Z", time.Date(2025, 1, 24, 10, 0, 37, 500e6, time.UTC)},
		{tagGeneralizedTime, "20250124100037.500Z", time.Date(2025, 1, 24, 10, 0, 37, 500e6, time.UTC)},
		{tagGeneralizedTime, "20250124100037,123456789123Z", time.Date(2025, 1, 24, 10, 0, 37, 123456789, time.UTC)},
	}
	for _, tt := range tests {
		got, err := parseTime(element{class: classUniversal, tag: tt.tag, body: []byte(tt.s)}, "t")
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("%s: %v %v, want %v", tt.s, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "2501", "250230000000Z", "251324000000Z", "20250124100037.Z", "20250124100037Zjunk", "2025012410003xZ"} {
		if _, err := parseTime(element{class: classUniversal, tag: tagGeneralizedTime, body: []byte(bad)}, "t"); err == nil {
			if _, err := parseTime(element{class: classUniversal, tag: tagUTCTime, body: []byte(bad)}, "t"); err == nil {
				t.Errorf("%q accepted", bad)
			}
		}
	}
	// Our encoders round-trip.
	ts := time.Date(2025, 6, 7, 8, 9, 10, 120e6, time.UTC)
	e, _, _ := next(generalizedTime(ts))
	if got, err := parseTime(e, "t"); err != nil || !got.Equal(ts) || string(e.body) != "20250607080910.12Z" {
		t.Errorf("generalizedTime: %s %v %v", e.body, got, err)
	}
}

func TestBitString(t *testing.T) {
	for _, bits := range []uint64{1 << FailBadAlg, 1 << FailSystemFailure, 1<<FailBadRequest | 1<<FailUnacceptedPolicy} {
		r := TimestampResponse{Status: StatusRejection, FailInfo: bits}
		der, _ := r.Marshal()
		got, err := ParseTimestampResponse(der)
		if err != nil || got.FailInfo != bits {
			t.Errorf("%b: got %b, %v", bits, got.FailInfo, err)
		}
	}
	r := TimestampResponse{FailInfo: 1 << FailBadAlg}
	der, _ := r.Marshal()
	if !bytes.Contains(der, []byte{0x03, 0x02, 0x07, 0x80}) {
		t.Errorf("badAlg encoded as % x", der)
	}
}
