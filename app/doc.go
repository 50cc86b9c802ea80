// Package app is the Fyne user interface of Văn Thư Số: the main window,
// the PDF reader, the signatures panel and the settings screen. It is the
// only package besides its sub-packages that knows Fyne; cmd/vanthu wires
// it and runs it.
//
// # Screens
//
// One struct per screen, built in one build() method:
//
//   - mainWindow: menus, toolbar (open, sign, batch sign, zoom, page
//     field), one tab per open document, the status bar with the token
//     status of app/signui, and the demo banner;
//   - docView: one open document: thumbnails on the left, pages in the
//     centre, the signatures panel on the right;
//   - pageStrip: a virtual list of pages (used for the pages and for the
//     thumbnails) that only lays out and renders the pages near the
//     viewport;
//   - signaturesPanel: the verification report of the document;
//   - settingsScreen: the preferences;
//   - exchangeUI (with Options.Exchange): the documents exchanged with
//     other agencies. The toolbar and the "Văn bản" menu open Văn bản đến
//     (app/inbox; the button counts the unread ones) and Văn bản đi
//     (app/outbox) as tabs beside the documents, and Gửi văn bản
//     (app/send); the status bar always shows the sync state (Trực tuyến
//     or Ngoại tuyến, Đang đồng bộ…, the last sync, what waits and what
//     failed) with "Đồng bộ ngay". It follows the engine's events: upload
//     progress, sent and failed to the outbox, new documents announced by
//     a notification, NeedLogin opening the sign-in (app/login), whose
//     session goes to the engine. The sign dialog gets the reader's
//     verifier, to propose ký phát hành on an approved document.
//
// # Threading
//
// Widgets are touched only on the UI goroutine. Opening, rendering,
// verifying, extracting and discovery run in goroutines that report
// through a named helper on the owning screen (showSource, showRendered,
// showReport, ...), each of which goes through runOnUI, i.e. fyne.Do.
// Rendering is cancelled when a page scrolls far from the viewport.
//
// # Keyboard
//
//	Ctrl+O          open a document          Ctrl+W      close its tab
//	PageDown/Up     next/previous page       Home/End    first/last page
//	Down/Up, Space  scroll a little, a screen
//	Ctrl+plus/minus zoom in/out (also Ctrl+=) Ctrl+0     fit page
//	Ctrl+1          100% (printed size)      Ctrl+2      fit width
//	Ctrl+G          go to page (the page field)
//	Ctrl+Shift+S    sign                     Ctrl+,      settings
//
// # Screenshots
//
// Options.ReadEnv reads VANTHU_SCREENSHOT (a PNG path) and
// VANTHU_WINDOW_SIZE ("1366x768"): once the selected document shows its
// first page and its signatures, the window content is written to the PNG
// and the program quits. Under Xvfb, where reading the OpenGL front buffer
// gives a black picture, the content is drawn again with Fyne's software
// painter (without the menu bar).
//
// # Tests
//
// Widget tests run headless on Fyne's test driver with a fake page source
// and golden files in testdata/ (rewrite them with
// `go test ./app/ -update`). BenchmarkScroll measures the UI goroutine's
// work per scroll step on a 300-page document.
//
// # Text
//
// Every visible sentence comes from app/i18n under keys prefixed "app.",
// registered in text.go; a language change rebuilds the window.
package app
