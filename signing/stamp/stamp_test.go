package stamp

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// signingTime is 09:03:04 on 5 January 2026 in Vietnam.
var signingTime = time.Date(2026, 1, 5, 2, 3, 4, 0, time.UTC)

var (
	a4         = pdf.Rect{URX: 595.28, URY: 841.89}
	a4Land     = pdf.Rect{URX: 841.89, URY: 595.28}
	a3Land     = pdf.Rect{URX: 1190.55, URY: 841.89}
	letter     = pdf.Rect{URX: 612, URY: 792}
	leaderInfo = Info{
		Signer:       "Nguyễn Văn An",
		Organization: "Ủy ban nhân dân tỉnh Nghệ An",
		Position:     "Chủ tịch",
		Email:        "nvan@nghean.gov.vn",
		Time:         signingTime,
	}
)

func TestParseProfile(t *testing.T) {
	for in, want := range map[string]Profile{"approval": Approval, " Issue ": Issue, "ATTACHMENT": Attachment, "copy": Copy} {
		if got, err := ParseProfile(in); err != nil || got != want {
			t.Errorf("ParseProfile(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseProfile("seal"); err == nil || !strings.Contains(err.Error(), "approval, issue, attachment or copy") {
		t.Errorf("ParseProfile(seal) error %v", err)
	}
}

func TestParseMode(t *testing.T) {
	for _, m := range []Mode{DefaultMode, ImageAndText, ImageOnly, TextOnly} {
		if got, err := ParseMode(m.String()); err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", m.String(), got, err)
		}
	}
	if got, err := ParseMode(""); err != nil || got != DefaultMode {
		t.Errorf("ParseMode(\"\") = %v, %v", got, err)
	}
	if _, err := ParseMode("picture"); err == nil {
		t.Error("ParseMode(picture) succeeded")
	}
}

func TestFormatTime(t *testing.T) {
	if got := FormatTime(signingTime, ""); got != "05/01/2026 09:03:04 +07:00" {
		t.Errorf("default layout: %q", got)
	}
	if got := FormatTime(signingTime.In(time.FixedZone("CET", 3600)), "02.01.2006 15:04:05 -07:00"); got != "05.01.2026 09:03:04 +07:00" {
		t.Errorf("dotted layout from another zone: %q", got)
	}
}

func TestFormatVietnameseDate(t *testing.T) {
	tests := []struct {
		place string
		t     time.Time
		want  string
	}{
		{"Nghệ An", signingTime, "Nghệ An, ngày 05 tháng 01 năm 2026"},
		{"Hà Nội", time.Date(2020, 2, 15, 10, 0, 0, 0, Vietnam), "Hà Nội, ngày 15 tháng 02 năm 2020"},
		{"", time.Date(2025, 3, 9, 10, 0, 0, 0, Vietnam), "ngày 09 tháng 3 năm 2025"},
		{"Huế", time.Date(2025, 12, 31, 20, 0, 0, 0, time.UTC), "Huế, ngày 01 tháng 01 năm 2026"}, // already 1 January in Vietnam
	}
	for _, tc := range tests {
		if got := FormatVietnameseDate(tc.place, tc.t); got != tc.want {
			t.Errorf("FormatVietnameseDate(%q, %v) = %q, want %q", tc.place, tc.t, got, tc.want)
		}
	}
}

func TestViewRoundTrip(t *testing.T) {
	for _, rot := range []int{0, 90, 180, 270, -90, 450} {
		g := pdf.PageGeometry{MediaBox: pdf.Rect{LLX: -10, LLY: 20, URX: 600, URY: 900}, CropBox: pdf.Rect{LLX: 30, LLY: 50, URX: 580, URY: 850}, Rotate: rot}
		v := newView(g)
		w, h := v.size()
		// The displayed top-right corner is the visible area's corner that
		// the clockwise turn brings there.
		x, y := v.toUser(w, h)
		want := map[int][2]float64{0: {580, 850}, 90: {30, 850}, 180: {30, 50}, 270: {580, 50}}[normRotate(rot)]
		if x != want[0] || y != want[1] {
			t.Errorf("rotate %d: displayed top-right is user (%v, %v), want %v", rot, x, y, want)
		}
		for _, p := range [][2]float64{{0, 0}, {10, 20}, {w, 0}, {w / 3, h}} {
			x, y := v.toUser(p[0], p[1])
			u, vv := v.toView(x, y)
			if math.Abs(u-p[0]) > 1e-9 || math.Abs(vv-p[1]) > 1e-9 {
				t.Errorf("rotate %d: %v → (%v, %v) → (%v, %v)", rot, p, x, y, u, vv)
			}
		}
	}
}

// TestFormMatrix checks that the form's /Matrix turns content upright: a
// vector pointing right in the form must point right on the displayed
// page, and the transformed BBox must start at the origin with the
// rectangle's unrotated size.
func TestFormMatrix(t *testing.T) {
	const w, h = 200.0, 50.0
	for _, rot := range []int{0, 90, 180, 270} {
		m := formMatrix(rot, w, h)
		tx := func(x, y float64) (float64, float64) { return m[0]*x + m[2]*y + m[4], m[1]*x + m[3]*y + m[5] }
		minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, p := range [][2]float64{{0, 0}, {w, 0}, {0, h}, {w, h}} {
			x, y := tx(p[0], p[1])
			minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
		}
		uw, uh := w, h
		if rot == 90 || rot == 270 {
			uw, uh = h, w
		}
		if minX != 0 || minY != 0 || maxX != uw || maxY != uh {
			t.Errorf("rotate %d: BBox maps to [%v %v %v %v], want [0 0 %v %v]", rot, minX, minY, maxX, maxY, uw, uh)
		}
		// Direction of the form's x axis in user space, then on display.
		x0, y0 := tx(0, 0)
		x1, y1 := tx(1, 0)
		v := view{vis: pdf.Rect{URX: 1000, URY: 1000}, rot: rot}
		u0, v0 := v.toView(x0, y0)
		u1, v1 := v.toView(x1, y1)
		if u1-u0 != 1 || v1-v0 != 0 {
			t.Errorf("rotate %d: form x axis shows as (%v, %v) on the page, want (1, 0)", rot, u1-u0, v1-v0)
		}
	}
}

func TestBuildInvisible(t *testing.T) {
	doc := testDoc{{MediaBox: a4}}
	for _, o := range []Options{
		{Profile: Approval, Info: leaderInfo},
		{Profile: Approval, Info: leaderInfo, SignatureImage: assets.DemoSignature},
		{Profile: Issue, Info: leaderInfo},
	} {
		apps, err := Build(o, doc.geom)
		if err != nil || apps != nil {
			t.Errorf("%s: got %v, %v; want an invisible signature", o.Profile, apps, err)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	doc := testDoc{{MediaBox: a4}, {MediaBox: a4Land, Rotate: 90}}
	box := &pdf.Rect{LLX: 300, LLY: 100, URX: 500, URY: 200}
	outside := &pdf.Rect{LLX: 500, LLY: 100, URX: 700, URY: 200}
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"unknown profile", Options{Profile: "seal"}, `unknown stamp profile "seal"`},
		{"image-only without image", Options{Profile: Approval, Mode: ImageOnly, Rect: box, Info: leaderInfo}, "mode image-only needs a signature image"},
		{"image-and-text without image", Options{Profile: Approval, Mode: ImageAndText, Rect: box, Info: leaderInfo}, "needs a signature image"},
		{"bad PNG", Options{Profile: Approval, Rect: box, Info: leaderInfo, SignatureImage: []byte("\x89PNG\r\n\x1a\ngarbage")}, "signature image: bad PNG"},
		{"JPEG signature", Options{Profile: Approval, Rect: box, Info: leaderInfo, SignatureImage: []byte("\xff\xd8\xff\xe0")}, "signature image: not a PNG image"},
		{"no signer", Options{Profile: Approval, Rect: box, Info: Info{Time: signingTime}}, "signer name missing"},
		{"no time", Options{Profile: Approval, Rect: box, Info: Info{Signer: "A"}}, "signing time missing"},
		{"page out of range", Options{Profile: Approval, Page: 3, Rect: box, Info: leaderInfo}, "page 3: page 3 does not exist (the document has 2)"},
		{"negative page", Options{Profile: Attachment, Page: -1, Info: Info{Number: "1/QĐ", Time: signingTime}}, "page -1 does not exist"},
		{"rect outside page", Options{Profile: Approval, Rect: outside, Info: leaderInfo}, "rectangle [500 100 700 200] is outside the visible area [0 0 595.28 841.89] of page 1"},
		{"empty rect", Options{Profile: Approval, Rect: &pdf.Rect{LLX: 10, LLY: 10, URX: 10, URY: 50}, Info: leaderInfo}, "is empty"},
		{"rect outside rotated page", Options{Profile: Approval, Page: 2, Rect: &pdf.Rect{LLX: 100, LLY: 500, URX: 300, URY: 650}, Info: leaderInfo}, "outside the visible area"},
		{"issue without seal", Options{Profile: Issue, LeaderRect: box, Info: leaderInfo}, "seal image missing"},
		{"issue with bad seal", Options{Profile: Issue, LeaderRect: box, SealImage: []byte("seal"), Info: leaderInfo}, "seal image: not a PNG image"},
		{"issue leader off page", Options{Profile: Issue, LeaderRect: &pdf.Rect{LLX: 700, LLY: 100, URX: 800, URY: 200}, SealImage: assets.DemoSeal}, "outside the visible area"},
		{"issue leader page out of range", Options{Profile: Issue, LeaderPage: 7, LeaderRect: box, SealImage: assets.DemoSeal}, "page 7"},
		{"issue marks without seal", Options{Profile: Issue, NumberRect: box, Info: leaderInfo}, "need a visible seal"},
		{"issue number mark without number", Options{Profile: Issue, LeaderRect: box, SealImage: assets.DemoSeal, NumberRect: box, Info: leaderInfo}, "Info.Number) missing"},
		{"issue number mark outside", Options{Profile: Issue, LeaderRect: box, SealImage: assets.DemoSeal, NumberRect: outside, Info: Info{Number: "05/QĐ-UBND"}}, "number rectangle"},
		{"issue date mark without time", Options{Profile: Issue, LeaderRect: box, SealImage: assets.DemoSeal, DateRect: box}, "date mark: signing time missing"},
		{"attachment without number", Options{Profile: Attachment, Info: Info{Time: signingTime}}, "document number (Info.Number) missing"},
		{"attachment without time", Options{Profile: Attachment, Info: Info{Number: "05/QĐ-UBND"}}, "signing time missing"},
		{"copy without form", Options{Profile: Copy, Info: Info{CopyAgency: "Sở Nội vụ", Time: signingTime}}, "copy form"},
		{"copy without agency", Options{Profile: Copy, Info: Info{CopyForm: "SAO Y", Time: signingTime}}, "copying agency"},
		{"copy rect outside", Options{Profile: Copy, Rect: outside, Info: Info{CopyForm: "SAO Y", CopyAgency: "Sở Nội vụ", Time: signingTime}}, "outside the visible area"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			apps, err := Build(tc.o, doc.geom)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Build: %v, %v; want an error containing %q", apps, err, tc.want)
			}
			if tc.name == "JPEG signature" && !errors.Is(err, ErrNotPNG) {
				t.Errorf("%v is not ErrNotPNG", err)
			}
		})
	}
}

func TestWriteRejectsChangedRotation(t *testing.T) {
	doc := testDoc{{MediaBox: a4}}
	apps, err := Build(Options{Profile: Attachment, Info: Info{Number: "05/QĐ-UBND", Time: signingTime}}, doc.geom)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := doc.geom(1)
	g.Rotate = 90
	if _, err := apps[0].Write(newTestWriter(), g); err == nil || !strings.Contains(err.Error(), "laid out for 0°") {
		t.Errorf("Write on a page rotated since Build: %v", err)
	}
}

// TestCornerPlacement checks the Attachment and Copy rectangles
// numerically: 20 mm from the displayed top and right edges of the visible
// area, for every rotation, page size and an offset crop box.
func TestCornerPlacement(t *testing.T) {
	crop := &pdf.Rect{LLX: 40, LLY: 60, URX: 560, URY: 800}
	pages := []testPage{
		{MediaBox: a4}, {MediaBox: a4, Rotate: 90}, {MediaBox: a4, Rotate: 180}, {MediaBox: a4, Rotate: 270},
		{MediaBox: a3Land}, {MediaBox: letter, Rotate: 270},
		{MediaBox: a4, CropBox: crop}, {MediaBox: a4, CropBox: crop, Rotate: 90},
	}
	for i, p := range pages {
		doc := testDoc{p}
		apps, err := Build(Options{Profile: Copy, Info: Info{CopyForm: "SAO Y", CopyAgency: "Sở Nội vụ tỉnh Nghệ An", Time: signingTime}}, doc.geom)
		if err != nil {
			t.Fatal(err)
		}
		if len(apps) != 1 || apps[0].Page != 1 {
			t.Fatalf("page %d: %d appearances on page %d", i, len(apps), apps[0].Page)
		}
		g, _ := doc.geom(1)
		v := newView(g)
		vw, vh := v.size()
		r := v.rectToView(apps[0].Rect)
		if math.Abs(vw-r.URX-pageMargin) > 1e-6 || math.Abs(vh-r.URY-pageMargin) > 1e-6 {
			t.Errorf("page %d (rotate %d): box %v in view %v×%v is not 20 mm from the top-right", i, p.Rotate, r, vw, vh)
		}
		if w := r.Width(); w < 80 || w > 160 || r.Height() < 30 || r.Height() > 50 {
			t.Errorf("page %d: box %v×%v for three 10 pt lines", i, w, r.Height())
		}
	}
}
