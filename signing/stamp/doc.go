// Package stamp draws the visible signature appearances that Nghị định
// 30/2020/NĐ-CP (Phụ lục I) requires on Vietnamese electronic documents.
//
// Build turns Options into pdf.Appearance values; the signature writer
// (signing/pades) puts each on its page as an annotation and calls its
// Write function, which writes a form XObject and everything it uses
// through a pdf.ObjectWriter. The package reads no PDF itself: the caller
// passes a function that returns a page's geometry.
//
// # Profiles
//
//   - Approval: the competent person's signature. Mode ImageAndText (the
//     default when SignatureImage is set) draws the blue handwritten
//     signature above an info block ("Người ký", "Email", "Cơ quan",
//     "Chức vụ", "Thời gian ký"), or beside it when the box is at least 1.6
//     times as wide as it is high. ImageOnly draws the image alone,
//     TextOnly the block alone (the default without an image).
//   - Issue: the agency's signature on the main document, applied by the
//     clerk: the red seal at its real size, overlapping the leader's
//     signature. Optional marks stamp the number (NumberRect) and the
//     issue date (DateRect, italics) into the body in 13 pt.
//   - Attachment: the agency's signature on an attachment in a separate
//     file: "Số: <number>" and the signing time, no image.
//   - Copy: the agency's signature on an electronic copy: the copy form
//     (SAO Y, SAO LỤC, TRÍCH SAO), the copying agency and the signing time,
//     no image.
//
// The signing time is shown in Vietnam time with its offset, by default
// as "26/06/2025 15:19:01 +07:00" (DefaultTimeLayout).
//
// # Placement
//
// Rectangles in Options are in the page's default user space, unrotated,
// as annotation rectangles are. Without Rect, Approval is invisible
// (Build returns no appearance). Issue puts the seal, at its real size
// (SealDiameter, else the PNG's pHYs resolution, else 36 mm), to the left
// of LeaderRect as the reader sees the page: the seal's right part covers
// the left third of the leader's signature and it is centred on it
// vertically; what would fall outside the visible page area is clipped.
// With Rect the seal is fitted into Rect instead. Attachment and Copy go
// in the top-right corner of page 1 as displayed, 20 mm from the top and
// right edges of the visible area (crop box), whatever /Rotate is.
//
// Images keep their aspect ratio and are centred in their box. Text never
// overflows: info blocks wrap at spaces and shrink until they fit;
// Attachment and Copy text is 10 pt unless an explicit Rect is too small.
//
// # Fonts
//
// Text uses Liberation Serif from package assets, metric-compatible with
// the Times New Roman that the decree names, black. Text is normalised to
// NFC; every precomposed Vietnamese letter has a glyph. Each appearance
// embeds a subset: a Type0 font with Identity-H encoding over a
// CIDFontType2 font whose FontFile2 keeps only the glyphs drawn and their
// composite components (glyph ids unchanged, CIDToGIDMap /Identity; hinting
// instructions dropped, the name table with the font's copyright and
// license kept), with a ToUnicode CMap so text can be extracted and
// searched. An attachment stamp's font
// costs about 5 KB, an approval info block's about 7 KB.
//
// # Rotation
//
// Each appearance is laid out upright in the page's displayed orientation.
// The form XObject's /Matrix turns it counter-clockwise by the page's
// /Rotate, so that after the viewer turns the page clockwise it reads
// upright; the annotation rectangle is the box's footprint in unrotated
// user space. The writer should not set the NoRotate annotation flag;
// /MK /R, if it writes one, should equal the page's /Rotate.
//
// # Images
//
// Signature and seal images are PNG (any bit depth, colour type, palette
// with tRNS transparency, 16 bits reduced to 8) up to MaxImagePixels. They
// become /DeviceRGB images with a /DeviceGray /SMask when any pixel is not
// opaque, so palette transparency stays transparent.
package stamp
