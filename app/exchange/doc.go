// Package exchange holds what the exchange screens of the desktop client
// (app/inbox, app/outbox, app/send) share: how a cached document's
// metadata reads on screen, and the paged rows that let a widget.List
// show a box of 100 000 documents while reading only the pages shown.
//
// # Reading metadata
//
// Times are server times shown in Vietnam time as dd/MM/yyyy HH:mm
// (FormatTime), dates as dd/MM/yyyy (FormatDate); ParseDate reads what a
// user types. PriorityText names độ khẩn (Hỏa tốc, Thượng khẩn, Khẩn),
// StatusText the edXML status codes (01 Đã đến … 16 Từ chối thu
// hồi/cập nhật), VerdictText and VerdictIcon the server's verdict on the
// main PDF (MainVerdict): hợp lệ, không hợp lệ, chưa xác định, each with
// its own icon so that colour is never the only cue.
//
// # Paged rows
//
// Rows reads a listing page by page through a PageFunc (the client
// cache's List or Search). At(i) returns what is read and asks for the
// next page in the background when a row near the end is shown, so a
// list of 100 000 documents builds only the rows on screen and reads
// about as many documents as were scrolled past. Reset reads the first
// page again (new documents arrived, a filter changed); pages of an
// earlier generation are dropped when they come back late.
//
// # Threading
//
// Rows and the widgets are used on the UI goroutine only. Reading runs on
// a goroutine that reports through the Do function given (fyne.Do in the
// application, a queue the test goroutine drains in tests).
package exchange
