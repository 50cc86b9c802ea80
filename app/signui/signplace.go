package signui

import (
	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// showPlaceOptions lists the places the profile allows; with
// resetDefault the signature goes to the profile's default place.
func (d *signDialog) showPlaceOptions(resetDefault bool) {
	if d.doc == nil {
		return
	}
	p := d.chosenProfile()
	d.placeOptions = map[string]placement{}
	var opts []string
	add := func(o string, pl placement) {
		d.placeOptions[o] = pl
		opts = append(opts, o)
	}
	if p == stamp.Attachment || p == stamp.Copy {
		add(i18n.T("signui.place.corner"), placement{kind: placeCorner})
	}
	if p == stamp.Issue && d.doc.hasLeader {
		add(i18n.T("signui.place.leader", d.doc.leader.Page), placement{kind: placeLeader})
	}
	add(i18n.T("signui.place.rect"), placement{kind: placeRect})
	for _, f := range d.doc.fields {
		if f.Visible() {
			add(i18n.T("signui.place.field", f.Name, f.Page), placement{kind: placeField, field: f.Name})
		} else if p == stamp.Approval || p == stamp.Issue {
			add(i18n.T("signui.place.field-invisible", f.Name), placement{kind: placeField, field: f.Name})
		}
	}
	if p == stamp.Approval || p == stamp.Issue {
		add(i18n.T("signui.place.invisible"), placement{kind: placeInvisible})
	}
	d.place.Options = opts
	if resetDefault {
		d.cur = d.defaultPlacement(p)
	}
	d.selectPlaceOption()
}

// selectPlaceOption shows d.cur in the chooser without acting on it.
func (d *signDialog) selectPlaceOption() {
	d.place.Selected = ""
	for o, pl := range d.placeOptions {
		if pl.kind == d.cur.kind && pl.field == d.cur.field {
			d.place.Selected = o
		}
	}
	d.place.Refresh()
}

// defaultPlacement is where a profile's signature goes unless the user
// says otherwise (DOMAIN.md): an approval in the first empty visible
// signature field, else in a signature block on the page shown; an issue
// seal over the leader's signature; attachment and copy top-right of page
// 1.
func (d *signDialog) defaultPlacement(p stamp.Profile) placement {
	switch p {
	case stamp.Attachment, stamp.Copy:
		return placement{kind: placeCorner}
	case stamp.Issue:
		if d.sealImage == nil {
			return placement{kind: placeInvisible}
		}
		if d.doc.hasLeader {
			return placement{kind: placeLeader}
		}
	case stamp.Approval:
		for _, f := range d.doc.fields {
			if f.Visible() {
				return placement{kind: placeField, field: f.Name}
			}
		}
	}
	return d.defaultRect(p, d.shown+1)
}

// defaultRect is the signature block on page n (1-based): the right part
// of the page below the middle, where Nghị định 30 puts the signer; a
// square about the seal's size for an issue.
func (d *signDialog) defaultRect(p stamp.Profile, n int) placement {
	v := newPageView(d.doc.geoms[n-1])
	r := v.fraction(0.555, 0.525, 0.336, 0.119)
	if p == stamp.Issue {
		w, _ := v.size()
		r = dispRect{x: r.x, y: r.y, w: 0.17 * w, h: 0.17 * w}
	}
	return placement{kind: placeRect, page: n, rect: v.rectToUser(v.clamp(r))}
}

func (d *signDialog) onPlaceChosen(option string) {
	pl, ok := d.placeOptions[option]
	if !ok || d.updating {
		return
	}
	if pl.kind == placeRect {
		if d.cur.kind == placeRect {
			return
		}
		pl = d.defaultRect(d.chosenProfile(), d.shown+1)
	}
	d.cur = pl
	d.goToPlacement()
	d.refreshPreview()
	d.updateSignButton()
}

// goToPlacement shows the page the signature is on.
func (d *signDialog) goToPlacement() {
	n := 0
	switch d.cur.kind {
	case placeRect:
		n = d.cur.page
	case placeField:
		if f, ok := d.doc.field(d.cur.field); ok && f.Visible() {
			n = f.Page
		}
	case placeLeader:
		n = d.doc.leader.Page
	case placeCorner:
		n = 1
	}
	if n >= 1 {
		d.onPageChanged(n - 1)
	}
}

// onPageTapped puts the signature box, at its current size, centred where
// the user clicked on the page shown.
func (d *signDialog) onPageTapped(x, y float64) {
	if d.doc == nil || d.busy {
		return
	}
	v := newPageView(d.doc.geoms[d.shown])
	size := d.signatureBoxSize()
	r := v.clamp(dispRect{x: x - size.w/2, y: y - size.h/2, w: size.w, h: size.h})
	d.placeAt(v.rectToUser(r))
}

// signatureBoxSize is the displayed size of the signature box on the
// page shown, or of the profile's default box.
func (d *signDialog) signatureBoxSize() dispRect {
	for _, b := range d.placer.boxes {
		if b.id == boxSignature {
			return b.r
		}
	}
	def := d.defaultRect(d.chosenProfile(), d.shown+1)
	return newPageView(d.doc.geoms[d.shown]).rectToDisplay(def.rect)
}

// placeAt puts the signature in rectangle r (user space) of the page shown.
func (d *signDialog) placeAt(r pdf.Rect) {
	d.cur = placement{kind: placeRect, page: d.shown + 1, rect: r}
	d.selectPlaceOption()
	d.refreshPreview()
	d.updateSignButton()
}

// onBoxPlaced takes a box the user drew or moved.
func (d *signDialog) onBoxPlaced(b placedBox) {
	if d.doc == nil || d.busy {
		return
	}
	v := newPageView(d.doc.geoms[d.shown])
	r := v.rectToUser(b.r)
	switch b.id {
	case boxNumber:
		d.numberRect = &r
		d.refreshPreview()
	case boxDate:
		d.dateRect = &r
		d.refreshPreview()
	default:
		d.placeAt(r)
	}
}

// onMarksChanged puts the number and date marks at their default places
// on page 1 when they are switched on.
func (d *signDialog) onMarksChanged() {
	if d.doc == nil {
		return
	}
	v := newPageView(d.doc.geoms[0])
	if d.numberMark.Checked && d.numberRect == nil {
		r := v.rectToUser(v.clamp(v.fraction(0.16, 0.127, 0.24, 0.022)))
		d.numberRect = &r
	}
	if d.dateMark.Checked && d.dateRect == nil {
		r := v.rectToUser(v.clamp(v.fraction(0.60, 0.127, 0.34, 0.022)))
		d.dateRect = &r
	}
	if (d.numberMark.Checked || d.dateMark.Checked) && d.shown != 0 && !d.updating {
		d.onPageChanged(0)
	}
	d.onJobChanged()
}
