package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vanthuso/vanthu/app/render"
	"github.com/vanthuso/vanthu/internal/samplepdf"
)

// newTestStrip shows a strip over src in a test window of the given size.
func newTestStrip(t *testing.T, kind stripKind, src pageSource, z zoom, size fyne.Size) (*pageStrip, fyne.Window) {
	t.Helper()
	s := newPageStrip(kind, src, z)
	w := test.NewTempWindow(t, s.build())
	w.SetPadded(false)
	w.Resize(size)
	return s, w
}

func TestPageStripRendersOnlyNearViewport(t *testing.T) {
	test.NewTempApp(t)
	q := useUIQueue(t)
	src := newFakeSource(300)
	s, _ := newTestStrip(t, stripPages, src, zoom{mode: zoomFitWidth}, fyne.NewSize(800, 600))
	q.until(t, "first pages drawn", func() bool { return s.slots[0] != nil && s.slots[0].shownImage != nil })
	q.settle()

	got := src.pagesRendered()
	for p := range got {
		if p > s.last+bindMargin {
			t.Errorf("page %d rendered, visible pages are %d..%d", p, s.first, s.last)
		}
	}
	if len(got) == 0 || len(got) > 4 {
		t.Errorf("rendered %v at the start, want the first page or two", got)
	}
	if len(s.slots) > s.last-s.first+1+2*bindMargin {
		t.Errorf("%d page widgets for %d visible pages", len(s.slots), s.last-s.first+1)
	}

	// Jump to the middle: pages there are drawn, nothing in between.
	s.goTo(150)
	q.until(t, "page 150 drawn", func() bool { return s.slots[150] != nil && s.slots[150].shownImage != nil })
	if s.current != 150 {
		t.Errorf("current page %d, want 150", s.current)
	}
	for p := range src.pagesRendered() {
		if p > 5 && p < 149 {
			t.Errorf("page %d rendered while jumping to 150", p)
		}
	}
	if len(s.slots)+len(s.free) > 8 {
		t.Errorf("%d page widgets made for a 300-page document", len(s.slots)+len(s.free))
	}
}

func TestPageStripCancelsPagesScrolledAway(t *testing.T) {
	test.NewTempApp(t)
	q := useUIQueue(t)
	src := newFakeSource(300)
	src.block = true // renders never finish on their own
	s, _ := newTestStrip(t, stripPages, src, zoom{mode: zoomFitWidth}, fyne.NewSize(800, 600))
	q.drain()
	if len(s.jobs) == 0 {
		t.Fatal("no render started")
	}
	first := map[int]bool{}
	for p := range s.jobs {
		first[p] = true
	}
	s.goTo(200)
	for p := range first {
		if _, ok := s.jobs[p]; ok {
			t.Errorf("render of page %d still running after scrolling away", p)
		}
	}
	if _, ok := s.jobs[200]; !ok {
		t.Error("page 201 is not being rendered")
	}
	s.close()
	// Every render that started returns, cancelled.
	q.until(t, "every render cancelled", func() bool {
		n := 0
		for _, c := range src.pagesRendered() {
			n += c
		}
		return src.cancels.Load() == int64(n)
	})
}

func TestPageStripZoom(t *testing.T) {
	test.NewTempApp(t)
	q := useUIQueue(t)
	src := newFakeSource(10)
	s, w := newTestStrip(t, stripPages, src, zoom{mode: zoomFitWidth}, fyne.NewSize(800, 600))
	q.settle()
	_, sz := s.pageRect(0, s.content.Size().Width)
	if want := 800 - 2*pageGap - 16; sz.Width < float32(want)-20 || sz.Width > 800-2*pageGap {
		t.Errorf("fit width: page %v wide in 800", sz.Width)
	}

	s.setZoom(zoom{mode: zoomFitPage})
	_, sz = s.pageRect(0, s.content.Size().Width)
	if sz.Height > 600-2*pageGap+1 {
		t.Errorf("fit page: page %v high in 600", sz.Height)
	}

	s.setZoom(zoom{mode: zoomPercent, percent: 100})
	_, sz = s.pageRect(0, s.content.Size().Width)
	if sz.Width != 793 {
		t.Errorf("100%%: page %v wide, want 793 (595 pt)", sz.Width)
	}
	if p := s.percent(); p < 99.9 || p > 100.1 {
		t.Errorf("percent %v", p)
	}
	s.zoomStep(1)
	if p := s.percent(); p < 124.9 || p > 125.1 {
		t.Errorf("zoom in from 100%%: %v", p)
	}
	s.zoomStep(-1)
	s.zoomStep(-1)
	if p := s.percent(); p < 74.9 || p > 75.1 {
		t.Errorf("zoom out twice from 125%%: %v", p)
	}

	// The place in the document survives zooming.
	s.goTo(6)
	s.setZoom(zoom{mode: zoomPercent, percent: 200})
	if s.current != 6 {
		t.Errorf("after zooming, current page %d, want 6", s.current)
	}
	waitDrawn(t, q, s)
	assertMarkup(t, "strip_zoom200.xml", w.Canvas())
}

func TestThumbnails(t *testing.T) {
	test.NewTempApp(t)
	q := useUIQueue(t)
	src := newFakeSource(12)
	th, w := newTestStrip(t, stripThumbs, src, zoom{}, fyne.NewSize(160, 500))
	th.selected = 0
	var tapped []int
	th.onTapped = func(p int) { tapped = append(tapped, p) }
	waitDrawn(t, q, th)
	assertMarkup(t, "thumbs.xml", w.Canvas())
	assertImage(t, "thumbs.png", w.Canvas())

	test.Tap(th.slots[2])
	if len(tapped) != 1 || tapped[0] != 2 {
		t.Errorf("tapped %v, want [2]", tapped)
	}
	th.setSelected(9)
	if th.slots[9] == nil || !th.slots[9].selected {
		t.Error("thumbnail 10 not shown highlighted after selecting it")
	}
	if th.scroll.Offset.Y == 0 {
		t.Error("the thumbnails did not scroll to the selected page")
	}
}

func TestReaderFollowsThumbnails(t *testing.T) {
	test.NewTempApp(t)
	q := useUIQueue(t)
	svc := fakeServices(t, 20, nil)
	v := newDocView(svc, writeFile(t, t.TempDir(), "a.pdf"), "", zoom{mode: zoomFitWidth}, "")
	w := test.NewTempWindow(t, v.build())
	w.Resize(fyne.NewSize(1200, 800))
	v.load()
	q.until(t, "document opened", func() bool { return v.ready() && v.firstImage })
	v.onThumbnailTapped(7)
	if v.currentPage() != 7 || v.thumbs.selected != 7 {
		t.Errorf("after tapping thumbnail 8: page %d, thumbnail %d", v.currentPage(), v.thumbs.selected)
	}
}

func TestOpenErrors(t *testing.T) {
	test.NewTempApp(t)
	q := useUIQueue(t)
	svc := fakeServices(t, 1, nil)
	svc.open = func(ctx context.Context, path string) (docSource, error) {
		return nil, fmt.Errorf("open x.pdf: %w (pdfium: 3)", render.ErrInvalid)
	}
	v := newDocView(svc, writeFile(t, t.TempDir(), "x.pdf"), "", zoom{}, "")
	w := test.NewTempWindow(t, v.build())
	w.Resize(fyne.NewSize(1000, 600))
	v.load()
	q.until(t, "open failure shown", func() bool { return v.settled() })
	if text := visibleText(v.center); !strings.Contains(text, "không phải PDF") || !strings.Contains(text, "gửi lại") {
		t.Errorf("open failure says %q", text)
	}
	if v.ready() || v.numPages() != 0 {
		t.Error("a document that failed to open has pages")
	}
	for _, e := range []error{render.ErrEncrypted, render.ErrTimeout, errors.New("disk on fire")} {
		if s := openErrorText("x.pdf", e); strings.Contains(s, "⟦") || !strings.Contains(s, "x.pdf") {
			t.Errorf("%v: %q", e, s)
		}
	}
}

func TestOutlineSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.pdf")
	if err := samplepdf.WriteFile(path, samplepdf.Options{Pages: 3, Landscape: true}); err != nil {
		t.Fatal(err)
	}
	src, err := openOutline(path, errNoRenderer)
	if err != nil {
		t.Fatal(err)
	}
	if src.NumPages() != 3 {
		t.Errorf("%d pages", src.NumPages())
	}
	if w, h := src.PageSize(0); w <= h {
		t.Errorf("landscape page is %vx%v", w, h)
	}
	if _, err := src.Render(context.Background(), 0, 100); !errors.Is(err, errNoRenderer) {
		t.Errorf("render: %v", err)
	}
}
