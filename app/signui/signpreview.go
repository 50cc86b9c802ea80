package signui

import (
	"context"
	"crypto/x509"
	"image"
	"os"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// refreshPreview shows the boxes of the current job at once and, after a
// short pause, the appearances as they will be written.
func (d *signDialog) refreshPreview() {
	if d.doc == nil {
		return
	}
	if d.formErr { // the user is changing what was missing
		d.formErr = false
		d.showStatus("", widget.MediumImportance)
	}
	d.previewGen++
	gen := d.previewGen
	job := d.job()
	d.placer.setInk(nil)
	d.placer.setBoxes(d.jobBoxes(job, nil))
	d.showPlaceHint(job, nil)
	cert := d.key.cert()
	if cert == nil {
		return
	}
	if d.previewT != nil && d.previewT.Stop() {
		d.bg.Done() // the previous preview never started
	}
	doc, page, pages, ctx, now := d.doc, d.shown, d.pages, d.ctx, d.now()
	widthPx := int(d.placer.MinSize().Width) * renderFactor
	d.bg.Add(1)
	d.previewT = time.AfterFunc(previewDelay, func() {
		defer d.bg.Done()
		d.buildPreview(ctx, gen, job, doc, cert, now, page, pages, widthPx)
	})
}

// buildPreview lays the job out with stamp (in the background) and, when
// pages can be rendered, renders the appearances of the page shown.
func (d *signDialog) buildPreview(ctx context.Context, gen int, job signJob, doc *docFacts, cert *x509.Certificate, now time.Time, page int, pages pageImages, widthPx int) {
	if ctx.Err() != nil {
		return
	}
	apps, _, err := job.appearances(doc, cert, now)
	uiDo(func() { d.showAppearances(gen, job, apps, err) })
	if err != nil || pages == nil || d.renderer == nil {
		return
	}
	onPage := false
	for _, a := range apps {
		onPage = onPage || a.Page == page+1
	}
	if !onPage {
		return
	}
	img, inkErr := d.renderInk(ctx, doc.geoms[page], apps, widthPx)
	if inkErr != nil {
		return // the boxes stay; the rendering is a nicety
	}
	uiDo(func() { d.showInk(gen, img) })
}

// renderInk renders the appearances alone on page g's geometry.
func (d *signDialog) renderInk(ctx context.Context, g pdf.PageGeometry, apps []pdf.Appearance, widthPx int) (image.Image, error) {
	data, err := previewPDF(g, apps)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "vanthu-preview-*.pdf")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	doc, err := d.renderer.open(f.Name())
	if err != nil {
		return nil, err
	}
	defer doc.Close()
	img, err := doc.Render(ctx, 0, widthPx)
	if err != nil {
		return nil, err
	}
	return inkOnly(img), nil
}

func (d *signDialog) showAppearances(gen int, job signJob, apps []pdf.Appearance, err error) {
	if gen != d.previewGen || d.closing {
		return
	}
	d.placer.setBoxes(d.jobBoxes(job, apps))
	d.showPlaceHint(job, err)
}

func (d *signDialog) showInk(gen int, img image.Image) {
	if gen != d.previewGen || d.closing {
		return
	}
	d.placer.setInk(img)
}

// jobBoxes are the boxes to draw on the page shown: the appearances stamp
// laid out when there are any, else the place chosen.
func (d *signDialog) jobBoxes(job signJob, apps []pdf.Appearance) []placedBox {
	v := newPageView(d.doc.geoms[d.shown])
	page := d.shown + 1
	sigLabel := i18n.T("signui.box." + string(job.profile))
	var boxes []placedBox
	if apps != nil {
		for i, a := range apps {
			if a.Page != page {
				continue
			}
			b := placedBox{id: boxExtra, r: v.rectToDisplay(a.Rect), label: sigLabel}
			switch {
			case i == 0:
				b.id, b.movable = boxSignature, true
			case job.numberMark != nil && sameRect(a.Rect, *job.numberMark):
				b.id, b.movable, b.label = boxNumber, true, i18n.T("signui.box.number")
			case job.dateMark != nil && sameRect(a.Rect, *job.dateMark):
				b.id, b.movable, b.label = boxDate, true, i18n.T("signui.box.date")
			}
			boxes = append(boxes, b)
		}
		return boxes
	}
	switch job.place.kind {
	case placeRect:
		if job.place.page == page {
			boxes = append(boxes, placedBox{id: boxSignature, r: v.rectToDisplay(job.place.rect), label: sigLabel, movable: true})
		}
	case placeField:
		if f, ok := d.doc.field(job.place.field); ok && f.Visible() && f.Page == page {
			boxes = append(boxes, placedBox{id: boxSignature, r: v.rectToDisplay(f.Rect), label: sigLabel, movable: true})
		}
	}
	if page == 1 && job.numberMark != nil {
		boxes = append(boxes, placedBox{id: boxNumber, r: v.rectToDisplay(*job.numberMark), label: i18n.T("signui.box.number"), movable: true})
	}
	if page == 1 && job.dateMark != nil {
		boxes = append(boxes, placedBox{id: boxDate, r: v.rectToDisplay(*job.dateMark), label: i18n.T("signui.box.date"), movable: true})
	}
	return boxes
}

func sameRect(a, b pdf.Rect) bool {
	a, b = a.Normalize(), b.Normalize()
	const eps = 0.01
	return abs(a.LLX-b.LLX) < eps && abs(a.LLY-b.LLY) < eps && abs(a.URX-b.URX) < eps && abs(a.URY-b.URY) < eps
}

// showPlaceHint says where the signature is, or why it cannot be laid out.
func (d *signDialog) showPlaceHint(job signJob, err error) {
	text := i18n.T("signui.place.hint")
	importance := widget.MediumImportance
	switch {
	case err != nil:
		text, importance = explain(err), widget.DangerImportance
	case job.problem(d.doc) != "":
		text, importance = i18n.T(job.problem(d.doc)), widget.WarningImportance
	case job.place.kind == placeInvisible && job.profile == stamp.Issue && d.sealImage == nil:
		text = i18n.T("signui.batch.place.issue-no-seal")
	case job.place.kind == placeInvisible && job.profile != stamp.Attachment && job.profile != stamp.Copy:
		text = i18n.T("signui.place.is-invisible")
	case job.place.kind == placeRect && job.place.page != d.shown+1:
		text = i18n.T("signui.place.on-page", job.place.page) + " " + text
	}
	if d.imageErr != "" {
		text = d.imageErr + " " + text
	}
	d.placeHint.SetText(text)
	d.placeHint.Importance = importance
	d.placeHint.Refresh()
}
