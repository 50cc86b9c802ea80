package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// appTheme is the theme the user chose: the base theme (Fyne's default,
// or whatever the app started with) with the light or dark variant forced,
// or the system's variant.
type appTheme struct {
	fyne.Theme
	forced  bool
	variant fyne.ThemeVariant
}

// newAppTheme wraps base for the choice stored under prefTheme.
func newAppTheme(base fyne.Theme, choice string) fyne.Theme {
	t := &appTheme{Theme: base}
	switch choice {
	case themeLight:
		t.forced, t.variant = true, theme.VariantLight
	case themeDark:
		t.forced, t.variant = true, theme.VariantDark
	}
	return t
}

// Color implements fyne.Theme.
func (t *appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.forced {
		v = t.variant
	}
	return t.Theme.Color(n, v)
}

// baseTheme unwraps an appTheme, so a change of choice does not stack
// wrappers.
func baseTheme(t fyne.Theme) fyne.Theme {
	if a, ok := t.(*appTheme); ok {
		return a.Theme
	}
	if t == nil {
		return theme.DefaultTheme()
	}
	return t
}
