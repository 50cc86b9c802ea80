// Package send is the "Gửi văn bản" dialog of the desktop client: it
// turns a signed PDF, its attachments and their metadata into an outbox
// entry of the client cache, which the sync engine sends when it can.
//
//	send.Show(win, send.Options{Store: st, From: agency, Directory: dir,
//		Verify: verifyFile, SyncNow: eng.SyncNow, OnQueued: outbox.Reload})
//
// # Form
//
// The main PDF (văn bản chính) and the attachments are chosen with the
// file dialog; then loại văn bản (the 29 types of Nghị định 30, edoc.DocTypes),
// số, ký hiệu, ngày ban hành, trích yếu, người ký (thẩm quyền TM./Q./KT./
// TL./TUQ. and the body signed for, chức vụ, họ tên), độ khẩn and hạn xử
// lý; the recipients are chosen from the agency directory, searched by
// name or mã định danh without diacritics. Every problem is shown under
// its field, in Vietnamese (edoc.Document.Validate plus the dialog's own
// checks: a main PDF, a readable date).
//
// # Sending
//
// "Gửi" checks the form, then verifies the main PDF with Options.Verify
// on a goroutine (the form is locked, progress shown). A main document
// without both a valid signature of the competent person and a valid
// signature of the agency (signui.ValidSignatures) is not sent unless the
// user confirms a second dialog that says exactly which is missing:
// "Không gửi" sends nothing. Then the files become blobs of the cache
// (Store.PutBlob) and the document is queued with one client id made
// when the dialog opened (Store.Queue: works offline; pressing Gửi again
// after an error cannot queue it twice), SyncNow wakes the engine, the
// dialog closes and OnQueued gets the outbox key.
//
// # Threading
//
// Verification and the cache's writes run on goroutines and report
// through Options.Do (fyne.Do in the application).
package send
