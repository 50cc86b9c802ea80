package stamp

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/golden"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// The render tests write real PDFs, check them with qpdf and mutool,
// extract their text with pdftotext and render them with pdftoppm
// (poppler-utils, qpdf and mupdf-tools; scripts/deps.sh installs them).

// needTools fails t unless the tools are installed (the project skips
// nothing for a missing tool) and marks it parallel.
func needTools(t *testing.T) {
	t.Helper()
	t.Parallel()
	for _, tool := range []string{"qpdf", "mutool", "pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed: run scripts/deps.sh", tool)
		}
	}
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// writePDF builds doc with apps, saves it and checks it with qpdf and mutool.
func writePDF(t *testing.T, name string, doc testDoc, apps []pdf.Appearance, onPage bool) string {
	t.Helper()
	path := writeTemp(t, name, doc.build(t, apps, onPage))
	if out := runTool(t, "qpdf", "--check", path); !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check %s:\n%s", name, out)
	}
	out := runTool(t, "mutool", "draw", "-o", os.DevNull, path)
	for _, line := range strings.Split(out, "\n") {
		l := strings.ToLower(line)
		if (strings.Contains(l, "error") || strings.Contains(l, "warning")) && !strings.Contains(l, "icc support") {
			t.Errorf("mutool draw %s: %s", name, line)
		}
	}
	return path
}

func pageText(t *testing.T, path string, page int) string {
	t.Helper()
	p := fmt.Sprint(page)
	return runTool(t, "pdftotext", "-f", p, "-l", p, "-enc", "UTF-8", path, "-")
}

func wantText(t *testing.T, text string, want ...string) {
	t.Helper()
	// pdftotext may break lines where the layout wraps; compare with
	// runs of white space collapsed.
	flat := strings.Join(strings.Fields(text), " ")
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("extracted text lacks %q:\n%s", w, text)
		}
	}
}

// renderPage renders one page with pdftoppm at dpi and returns the image.
func renderPage(t *testing.T, path string, page, dpi int) *image.RGBA {
	t.Helper()
	out := filepath.Join(t.TempDir(), "page")
	p := fmt.Sprint(page)
	// -cropbox: show what a viewer shows, not the whole media box.
	runTool(t, "pdftoppm", "-cropbox", "-r", fmt.Sprint(dpi), "-f", p, "-l", p, "-singlefile", "-png", path, out)
	f, err := os.ReadFile(out + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba
}

func isBlue(c color.RGBA) bool {
	return c.B > 100 && int(c.B) > int(c.R)+50 && int(c.B) > int(c.G)+30
}
func isRed(c color.RGBA) bool {
	return c.R > 140 && int(c.R) > int(c.G)+70 && int(c.R) > int(c.B)+70
}
func isDark(c color.RGBA) bool   { return c.R < 120 && c.G < 120 && c.B < 120 }
func isYellow(c color.RGBA) bool { return c.R > 200 && c.G > 200 && c.B < 80 }
func isInk(c color.RGBA) bool    { return int(c.R)+int(c.G)+int(c.B) < 3*235 }

// inkBounds returns the bounding box of the pixels in r that match and
// their number.
func inkBounds(img *image.RGBA, r image.Rectangle, match func(color.RGBA) bool) (image.Rectangle, int) {
	var b image.Rectangle
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if match(img.RGBAAt(x, y)) {
				b = b.Union(image.Rect(x, y, x+1, y+1))
				n++
			}
		}
	}
	return b, n
}

// pixelRect maps a rectangle in page g's default user space to pixels of
// the page rendered at dpi (displayed orientation, origin top-left).
func pixelRect(g pdf.PageGeometry, r pdf.Rect, dpi float64) image.Rectangle {
	v := newView(g)
	_, vh := v.size()
	vr := v.rectToView(r)
	s := dpi / 72
	return image.Rect(int(math.Floor(vr.LLX*s)), int(math.Floor((vh-vr.URY)*s)), int(math.Ceil(vr.URX*s)), int(math.Ceil((vh-vr.LLY)*s)))
}

// within reports whether a lies inside b grown by slack pixels.
func within(a, b image.Rectangle, slack int) bool {
	return a.In(b.Inset(-slack))
}

func buildOrFatal(t *testing.T, o Options, doc testDoc) []pdf.Appearance {
	t.Helper()
	apps, err := Build(o, doc.geom)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) == 0 {
		t.Fatalf("%s: no appearance", o.Profile)
	}
	return apps
}

func TestRenderApproval(t *testing.T) {
	needTools(t)
	doc := testDoc{{MediaBox: a4}, {MediaBox: a4}, {MediaBox: a4}, {MediaBox: a4}}
	rects := []pdf.Rect{
		{LLX: 330, LLY: 150, URX: 530, URY: 280}, // image above text
		{LLX: 100, LLY: 500, URX: 300, URY: 580}, // image only
		{LLX: 100, LLY: 100, URX: 300, URY: 160}, // text only
		{LLX: 60, LLY: 650, URX: 420, URY: 720},  // wide: image beside text
	}
	modes := []Mode{DefaultMode, ImageOnly, TextOnly, ImageAndText}
	var apps []pdf.Appearance
	for i, m := range modes {
		info := leaderInfo
		if m == TextOnly {
			// Decomposed input (as some certificates carry it) must come
			// out as the same precomposed text.
			info.Signer = norm.NFD.String(info.Signer)
			info.Organization = norm.NFD.String(info.Organization)
		}
		apps = append(apps, buildOrFatal(t, Options{Profile: Approval, Mode: m, Page: i + 1, Rect: &rects[i], Info: info, SignatureImage: assets.DemoSignature}, doc)...)
	}
	path := writePDF(t, "approval.pdf", doc, apps, false)
	const dpi = 50
	for i, m := range modes {
		img := renderPage(t, path, i+1, dpi)
		if i == 0 {
			compareGolden(t, "approval", img)
		}
		g, _ := doc.geom(i + 1)
		box := pixelRect(g, rects[i], dpi)
		blue, nb := inkBounds(img, img.Bounds(), isBlue)
		_, nd := inkBounds(img, box, isDark)
		_, ndAll := inkBounds(img, img.Bounds(), isInk)
		_, ndIn := inkBounds(img, box.Inset(-1), isInk)
		if ndAll != ndIn {
			t.Errorf("mode %s: %d ink pixels outside the box %v", m, ndAll-ndIn, box)
		}
		text := pageText(t, path, i+1)
		switch m {
		case TextOnly:
			if nb != 0 {
				t.Errorf("text only: %d blue pixels", nb)
			}
			if nd < 100 {
				t.Errorf("text only: %d dark pixels in %v", nd, box)
			}
		default:
			if !within(blue, box, 1) || nb < 200 {
				t.Errorf("mode %s: blue signature %v (%d pixels), want inside %v", m, blue, nb, box)
			}
		}
		if m == ImageOnly {
			if blue.Dx() < box.Dx()*3/4 {
				t.Errorf("image only: signature %d px wide in a %d px box", blue.Dx(), box.Dx())
			}
			if strings.TrimSpace(text) != "" {
				t.Errorf("image only: text %q", text)
			}
			continue
		}
		wantText(t, text, "Người ký: Nguyễn Văn An", "Cơ quan: Ủy ban nhân dân tỉnh Nghệ An", "Chức vụ: Chủ tịch",
			"Email: nvan@nghean.gov.vn", "Thời gian ký: 05/01/2026 09:03:04 +07:00")
		switch i {
		case 0: // signature above the text
			dark, _ := inkBounds(img, box, isDark)
			if dark.Min.Y < blue.Max.Y-2 {
				t.Errorf("image above text: signature %v, text %v", blue, dark)
			}
		case 3: // signature left of the text
			dark, _ := inkBounds(img, box, isDark)
			if dark.Min.X < blue.Max.X-2 {
				t.Errorf("image beside text: signature %v, text %v", blue, dark)
			}
		}
	}
}

// displayedA4 returns an A4 page that displays as portrait with rotation
// rot, and the user-space rectangle that displays at view rectangle vr.
// Sizes are whole points so that renders at 72 dpi of every rotation fall
// on the same pixel grid.
func displayedA4(rot int, vr pdf.Rect) (testPage, pdf.Rect) {
	p := testPage{MediaBox: pdf.Rect{URX: 595, URY: 842}, Rotate: rot}
	if rot == 90 || rot == 270 {
		p.MediaBox = pdf.Rect{URX: 842, URY: 595}
	}
	return p, newView(p.geometry(1)).rectToUser(vr)
}

// TestRenderRotations renders every profile on pages rotated 0, 90, 180
// and 270 degrees that all display as the same A4 portrait page; the
// renders must match the unrotated one, so each appearance is upright and
// in the same place as the reader sees it. The rotated pages are also
// drawn with the form painted into the page content by the PDF appearance
// algorithm, which must give the same picture as the viewer's annotation
// code.
func TestRenderRotations(t *testing.T) {
	needTools(t)
	approvalBox := pdf.Rect{LLX: 320, LLY: 120, URX: 520, URY: 250}
	leaderBox := pdf.Rect{LLX: 330, LLY: 400, URX: 500, URY: 470}
	var ref [4]*image.RGBA
	for _, rot := range []int{0, 90, 180, 270} {
		p1, approvalRect := displayedA4(rot, approvalBox)
		_, leaderRect := displayedA4(rot, leaderBox)
		doc := testDoc{p1, p1}
		var apps []pdf.Appearance
		apps = append(apps, buildOrFatal(t, Options{Profile: Approval, Page: 1, Rect: &approvalRect, Info: leaderInfo, SignatureImage: assets.DemoSignature}, doc)...)
		apps = append(apps, buildOrFatal(t, Options{Profile: Issue, LeaderPage: 1, LeaderRect: &leaderRect, SealImage: assets.DemoSeal}, doc)...)
		apps = append(apps, buildOrFatal(t, Options{Profile: Attachment, Info: Info{Number: "05/QĐ-UBND", Time: signingTime}}, doc)...)
		apps = append(apps, buildOrFatal(t, Options{Profile: Copy, Page: 2, Info: Info{CopyForm: "SAO Y", CopyAgency: "Sở Nội vụ tỉnh Nghệ An", Time: signingTime}}, doc)...)
		for _, onPage := range []bool{false, true} {
			if rot == 0 && onPage {
				continue
			}
			path := writePDF(t, fmt.Sprintf("rotate%d.pdf", rot), doc, apps, onPage)
			wantText(t, pageText(t, path, 1), "Người ký: Nguyễn Văn An", "Số: 05/QĐ-UBND", "09:03:04 +07:00")
			wantText(t, pageText(t, path, 2), "SAO Y", "Sở Nội vụ tỉnh Nghệ An", "05/01/2026 09:03:04 +07:00")
			for page := 1; page <= 2; page++ {
				img := renderPage(t, path, page, 72)
				if rot == 0 {
					ref[page] = img
					continue
				}
				// The unrotated render is the golden here: as strict as
				// compareGolden, so that an empty page does not pass either.
				if res, err := matchGolden(img, ref[page]); err != nil {
					t.Errorf("rotate %d (painted on page: %v), page %d: render differs from the unrotated page: %v (%v)", rot, onPage, page, err, res)
					savePNG(t, fmt.Sprintf("rotate%d-page%d", rot, page), img)
				} else {
					t.Logf("rotate %d (painted on page: %v), page %d: %v", rot, onPage, page, res)
				}
				if rot == 90 && page == 2 && !onPage {
					compareGolden(t, "copy-rotate90", img)
				}
			}
		}
	}
}

// TestRenderCorner checks that Attachment and Copy text sits in the
// top-right corner as displayed on pages of several sizes, rotations and
// crop boxes.
func TestRenderCorner(t *testing.T) {
	needTools(t)
	crop := &pdf.Rect{LLX: 60, LLY: 90, URX: 540, URY: 780}
	doc := testDoc{
		{MediaBox: a4},
		{MediaBox: a3Land},
		{MediaBox: letter, Rotate: 270},
		{MediaBox: a4, CropBox: crop},
		{MediaBox: a4, CropBox: crop, Rotate: 90},
		{MediaBox: a4Land, Rotate: 180},
	}
	const dpi = 50
	var apps []pdf.Appearance
	for i := range doc {
		o := Options{Profile: Attachment, Page: i + 1, Info: Info{Number: "05/QĐ-UBND", Time: signingTime}}
		if i%2 == 1 {
			o = Options{Profile: Copy, Page: i + 1, Info: Info{CopyForm: "SAO Y", CopyAgency: "Sở Nội vụ tỉnh Nghệ An", Time: signingTime}}
		}
		apps = append(apps, buildOrFatal(t, o, doc)...)
	}
	path := writePDF(t, "corner.pdf", doc, apps, false)
	s := dpi / 72.0
	for i := range doc {
		img := renderPage(t, path, i+1, dpi)
		if i == 1 {
			compareGolden(t, "copy-a3-landscape", img)
		}
		if i == 4 {
			compareGolden(t, "attachment-crop-rotate90", img)
		}
		g, _ := doc.geom(i + 1)
		vw, vh := newView(g).size()
		if w, h := float64(img.Bounds().Dx()), float64(img.Bounds().Dy()); math.Abs(w-vw*s) > 1.5 || math.Abs(h-vh*s) > 1.5 {
			t.Fatalf("page %d renders %v×%v px, want the displayed %v×%v pt", i+1, w, h, vw, vh)
		}
		ink, n := inkBounds(img, img.Bounds(), isInk)
		right, top := float64(img.Bounds().Dx())-pageMargin*s, pageMargin*s
		if n < 50 || float64(ink.Max.X) > right+1 || float64(ink.Max.X) < right-5 || float64(ink.Min.Y) < top-1 || float64(ink.Min.Y) > top+5 {
			t.Errorf("page %d (%v rotate %d): text ink %v (%d px); want its top-right corner near (%.0f, %.0f)", i+1, g.MediaBox, g.Rotate, ink, n, right, top)
		}
		if ink.Dx() < ink.Dy() {
			t.Errorf("page %d: text block %v is taller than wide: not upright", i+1, ink)
		}
		if i%2 == 1 {
			wantText(t, pageText(t, path, i+1), "SAO Y", "Sở Nội vụ tỉnh Nghệ An", "05/01/2026 09:03:04 +07:00")
		} else {
			wantText(t, pageText(t, path, i+1), "Số: 05/QĐ-UBND", "05/01/2026 09:03:04 +07:00")
		}
	}
}

func TestRenderIssue(t *testing.T) {
	needTools(t)
	const dpi = 50
	s := dpi / 72.0
	doc := testDoc{{MediaBox: a4}, {MediaBox: a4Land, Rotate: 90}, {MediaBox: a4}, {MediaBox: a4}}
	leaders := []pdf.Rect{
		{LLX: 330, LLY: 160, URX: 500, URY: 230},
		{LLX: 0, LLY: 0, URX: 0, URY: 0},        // set below: displayed like page 1
		{LLX: 20, LLY: 300, URX: 140, URY: 350}, // near the left edge: the seal is clipped
	}
	g2, _ := doc.geom(2)
	leaders[1] = newView(g2).rectToUser(leaders[0])
	numberRect := pdf.Rect{LLX: 90, LLY: 742, URX: 220, URY: 760}
	dateRect := pdf.Rect{LLX: 300, LLY: 742, URX: 545, URY: 760}
	sealRect := pdf.Rect{LLX: 200, LLY: 400, URX: 380, URY: 520}

	var apps []pdf.Appearance
	for i, l := range leaders {
		apps = append(apps, buildOrFatal(t, Options{Profile: Approval, Mode: ImageOnly, Page: i + 1, Rect: &l, SignatureImage: assets.DemoSignature}, doc)...)
	}
	issue := buildOrFatal(t, Options{Profile: Issue, LeaderPage: 1, LeaderRect: &leaders[0], SealImage: assets.DemoSeal,
		NumberRect: &numberRect, DateRect: &dateRect, Info: Info{Number: "05/QĐ-UBND", Time: signingTime}}, doc)
	if len(issue) != 3 {
		t.Fatalf("issue with number and date marks: %d appearances, want 3", len(issue))
	}
	apps = append(apps, issue...)
	apps = append(apps, buildOrFatal(t, Options{Profile: Issue, LeaderPage: 2, LeaderRect: &leaders[1], SealImage: assets.DemoSeal}, doc)...)
	apps = append(apps, buildOrFatal(t, Options{Profile: Issue, LeaderPage: 3, LeaderRect: &leaders[2], SealImage: assets.DemoSeal}, doc)...)
	apps = append(apps, buildOrFatal(t, Options{Profile: Issue, Page: 4, Rect: &sealRect, SealImage: assets.DemoSeal}, doc)...)
	path := writePDF(t, "issue.pdf", doc, apps, false)

	wantText(t, pageText(t, path, 1), "05/QĐ-UBND", "ngày 05 tháng 01 năm 2026")
	seal := 36 * mm * s // the demo seal is 36 mm (300 dpi pHYs)
	for page := 1; page <= 3; page++ {
		img := renderPage(t, path, page, dpi)
		if page == 1 {
			compareGolden(t, "issue", img)
		}
		g, _ := doc.geom(page)
		leader := pixelRect(g, leaders[page-1], dpi)
		red, nr := inkBounds(img, img.Bounds(), isRed)
		third := float64(leader.Min.X) + float64(leader.Dx())/3
		cy := float64(leader.Min.Y+leader.Max.Y) / 2
		if nr < 500 || math.Abs(float64(red.Max.X)-third) > 2.5 || math.Abs(float64(red.Min.Y+red.Max.Y)/2-cy) > 2.5 || math.Abs(float64(red.Dy())-seal) > 3 {
			t.Errorf("page %d: red seal %v (%d px); want its right edge at %.1f (a third into the leader's %v), centred at y %.1f, %.0f px high",
				page, red, nr, third, leader, cy, seal)
		}
		switch page {
		case 3:
			if red.Min.X != 0 || float64(red.Dx()) > seal-10 {
				t.Errorf("page 3: seal %v should be clipped at the left page edge", red)
			}
		default:
			if math.Abs(float64(red.Dx())-seal) > 3 {
				t.Errorf("page %d: seal %d px wide, want %.0f", page, red.Dx(), seal)
			}
		}
		// The signature stays visible through and beside the seal.
		right := leader
		right.Min.X = int(third) + 2
		if _, nb := inkBounds(img, right, isBlue); nb < 50 {
			t.Errorf("page %d: %d blue pixels right of the seal", page, nb)
		}
		if page == 1 {
			for _, r := range []pdf.Rect{numberRect, dateRect} {
				box := pixelRect(g, r, dpi)
				if ink, n := inkBounds(img, box.Inset(-3), isDark); n < 30 || !within(ink, box, 1) {
					t.Errorf("mark %v: ink %v (%d px), want inside %v", r, ink, n, box)
				}
			}
		}
	}
	img := renderPage(t, path, 4, dpi)
	g, _ := doc.geom(4)
	box := pixelRect(g, sealRect, dpi)
	if red, n := inkBounds(img, img.Bounds(), isRed); n < 500 || !within(red, box, 1) || red.Dy() < box.Dy()-3 {
		t.Errorf("seal in explicit rect: %v (%d px), want filling %v", red, n, box)
	}
}

// TestRenderPaletteTransparency draws a palette PNG with tRNS over a yellow
// page: where the image is transparent the page must show through (pdfsign
// draws black there).
func TestRenderPaletteTransparency(t *testing.T) {
	needTools(t)
	doc := testDoc{{MediaBox: a4, Content: "1 1 0 rg 0 0 595.28 841.89 re f"}}
	rect := pdf.Rect{LLX: 100, LLY: 400, URX: 340, URY: 520}
	apps := buildOrFatal(t, Options{Profile: Approval, Mode: ImageOnly, Rect: &rect, SignatureImage: readPalettePNG(t)}, doc)
	path := writePDF(t, "palette.pdf", doc, apps, false)
	img := renderPage(t, path, 1, 50)
	g, _ := doc.geom(1)
	box := pixelRect(g, rect, 50).Inset(2)
	_, total := inkBounds(img, box, func(color.RGBA) bool { return true })
	_, yellow := inkBounds(img, box, isYellow)
	_, blue := inkBounds(img, box, isBlue)
	_, black := inkBounds(img, box, func(c color.RGBA) bool { return c.R < 60 && c.G < 60 && c.B < 60 })
	if black != 0 || yellow < total/2 || blue < 50 {
		t.Errorf("palette image over yellow: %d black, %d yellow, %d blue of %d pixels", black, yellow, blue, total)
	}
}

// compareGolden compares img with testdata/golden/name.png by
// internal/golden's rules (the mean difference, and the ink, so that an
// empty stamp does not pass); -update rewrites the file.
func compareGolden(t *testing.T, name string, img *image.RGBA) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".png")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	want := readGolden(t, name)
	res, err := matchGolden(img, want)
	if err != nil {
		t.Errorf("render differs from %s: %v (%v)", path, err, res)
		savePNG(t, name, img)
		return
	}
	t.Logf("%s: render matches golden: %v", name, res)
}

// readGolden reads testdata/golden/name.png.
func readGolden(t *testing.T, name string) *image.RGBA {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden", name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := image.NewRGBA(g.Bounds())
	draw.Draw(want, want.Bounds(), g, g.Bounds().Min, draw.Src)
	return want
}

// matchGolden is the golden rule of this package: internal/golden's
// comparison, which looks at the ink (the pixels off the golden's
// background) besides the mean difference over the picture. A mean alone
// lets an empty page pass for a page with a small stamp; the ink rules do
// not: the render must have about as much ink as the golden (10%) and at
// most 5% of the ink of either may be far off. A nil error means got
// passes for want.
func matchGolden(got, want *image.RGBA) (golden.Result, error) {
	res, err := golden.Compare(got, want)
	if err != nil {
		return res, err
	}
	return res, res.Err()
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// savePNG keeps a failing render next to the test output for inspection.
func savePNG(t *testing.T, name string, img image.Image) {
	dir := os.Getenv("STAMP_RENDER_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	p := filepath.Join(dir, "stamp-"+unsafeName.ReplaceAllString(name, "_")+".png")
	var b bytes.Buffer
	png.Encode(&b, img)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err == nil {
		t.Logf("render saved as %s", p)
	}
}

// Every golden of this package tells an empty picture from a stamp.
func TestGoldensRefuseBlank(t *testing.T) {
	n, err := golden.CheckRefusesBlank(filepath.Join("testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d goldens refuse a blank picture", n)
}
