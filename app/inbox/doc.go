// Package inbox is the Văn bản đến screen of the desktop client: the
// documents other agencies sent to this one, as the client cache
// (sync/store) holds them, newest first by server time.
//
//	scr := inbox.New(inbox.Options{Source: src, Window: win, Open: openInReader})
//	tab := container.NewTabItem("Văn bản đến", scr.Build())
//	scr.Reload() // new documents arrived
//
// # List
//
// One row per document, read page by page (exchange.Rows over
// Source.List): the signature verdict of the main PDF with its icon, the
// độ khẩn badge (Hỏa tốc, Thượng khẩn, Khẩn), trích yếu (bold while
// unread), received time (server time, Vietnam time dd/MM/yyyy HH:mm),
// số/ký hiệu, sender agency, and hạn xử lý (red and marked "quá hạn" once
// past). The search box searches subject, số/ký hiệu, agency and signer
// without diacritics (Source.Search); "Chỉ văn bản chưa đọc" keeps the
// unread ones. widget.List builds only the rows on screen, so a box of
// 100 000 documents scrolls as one of fifty.
//
// # Detail
//
// Selecting a row shows its metadata (số/ký hiệu, ngày, loại, trích yếu,
// người ký, nơi gửi, nơi nhận, độ khẩn, hạn), its files (the main PDF
// and attachments, each opened in the reader when it is a PDF or saved
// elsewhere otherwise; a file still downloading says so) and the history
// of its statuses, and marks it read. "Mở văn bản" opens the main PDF
// in the reader, where its signatures are checked again.
//
// # Threading
//
// Source is called on goroutines; results come back through
// Options.Do (fyne.Do in the application). Widgets are touched on the UI
// goroutine only.
package inbox
