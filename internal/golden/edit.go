package golden

import "image"

// Clone returns a copy of img, for tests that make wrong renders from a
// golden.
func Clone(img *image.RGBA) *image.RGBA {
	c := image.NewRGBA(img.Bounds())
	copy(c.Pix, img.Pix)
	return c
}

// Lighten returns img with every colour channel raised by n levels (at
// most 255): a render that differs from the golden only as antialiasing
// or a substituted font would.
func Lighten(img *image.RGBA, n int) *image.RGBA {
	l := Clone(img)
	for i := range l.Pix {
		if i%4 != 3 {
			l.Pix[i] = uint8(min(255, int(l.Pix[i])+n))
		}
	}
	return l
}
