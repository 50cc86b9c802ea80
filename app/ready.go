package app

import "time"

// screenshotEmpty is how long a window without documents waits before it
// counts as shown.
const screenshotEmpty = 1500 * time.Millisecond

// screenshotHook, when the build has the screenshot hook (build tag
// "screenshots", screenshot.go), starts capturing the window into a PNG
// file once it is ready; nil in release builds.
var screenshotHook func(mw *mainWindow, path string)

// screenshotReady says whether the selected document has been opened, its
// first page drawn (or its failure shown) and its signatures checked.
func (mw *mainWindow) screenshotReady() bool {
	if mw.demoPreparing {
		return false
	}
	if len(mw.docs) == 0 {
		return time.Since(mw.started) > screenshotEmpty
	}
	v := mw.currentDoc()
	return v != nil && v.settled()
}

// settled says whether the view has nothing more to show on its own.
func (v *docView) settled() bool {
	if v.opening || v.sigs.checking {
		return false
	}
	return v.openErr != nil || v.firstImage || (v.pages != nil && (len(v.pages.failed) > 0 || v.pages.n == 0))
}
