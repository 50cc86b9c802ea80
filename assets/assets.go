// Package assets holds the files the application embeds: the serif fonts
// used to draw Vietnamese signature stamps and demo images for the stamp
// profiles.
//
// # Fonts
//
// Times New Roman, which Nghị định 30/2020 names for stamp text, is not free.
// The package ships Liberation Serif 2.1.5 instead: it has the same metrics as
// Times New Roman (every glyph has the same advance width, so text laid out
// for one fits the other) and covers every precomposed Vietnamese letter.
// It is licensed under the SIL Open Font License 1.1 (fonts/LICENSE); where it
// came from is recorded in fonts/SOURCES.md. Documents that embed the font, or
// a subset of it, are not subject to the license.
//
// # Demo images
//
// DemoSignature and DemoSeal are synthetic images made by
// internal/demogen (go generate): a blue handwritten-looking signature and
// a red round seal of a fictitious agency marked "MẪU" (specimen). Both are
// PNGs with a transparent background, as Nghị định 30/2020 requires of real
// ones. They are for demos and tests only.
//
// # Trust anchors
//
// Trust holds the certificates of the Vietnamese signature PKI that ship
// as the default trust list: the roots of VGCA (Ban Cơ yếu Chính phủ) and
// NEAC (the national root), the subordinate CAs that signatures do not
// embed, VGCA's timestamping certificates, and candidate roots that are
// known but not trusted by default. trust/SOURCES.md records where each
// came from; signing/trustlist pins every file to its SHA-256 and is the
// only reader.
package assets

import _ "embed"

//go:generate go run ./internal/demogen -out demo -font fonts/LiberationSerif-Bold.ttf

// SerifRegular is Liberation Serif Regular (TrueType), metric-compatible
// with Times New Roman. Callers must not modify it.
//
//go:embed fonts/LiberationSerif-Regular.ttf
var SerifRegular []byte

// SerifBold is Liberation Serif Bold (TrueType), metric-compatible with
// Times New Roman Bold. Callers must not modify it.
//
//go:embed fonts/LiberationSerif-Bold.ttf
var SerifBold []byte

// SerifItalic is Liberation Serif Italic (TrueType), metric-compatible with
// Times New Roman Italic; Nghị định 30/2020 sets the place-and-date line in
// italics. Callers must not modify it.
//
//go:embed fonts/LiberationSerif-Italic.ttf
var SerifItalic []byte

// FontLicense is the license text of the fonts (SIL Open Font License 1.1,
// as shipped by Debian's fonts-liberation2). Show it wherever the
// application lists third-party licenses.
//
//go:embed fonts/LICENSE
var FontLicense string

// DemoSignature is a synthetic handwritten signature: blue strokes on a
// transparent background, PNG, 600×240 pixels. Demo and test use only.
//
//go:embed demo/signature.png
var DemoSignature []byte

// DemoSeal is a synthetic red round seal of a fictitious agency, marked
// "MẪU" (specimen): PNG with a transparent background and a pHYs chunk of
// 300 dpi, so its real diameter is 36 mm. Demo and test use only.
//
//go:embed demo/seal.png
var DemoSeal []byte
