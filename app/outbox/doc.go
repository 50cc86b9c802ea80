// Package outbox is the Văn bản đi screen of the desktop client: the
// documents this agency sent or queued, as the client cache (sync/store)
// holds them, with where each stands at each recipient.
//
//	scr := outbox.New(outbox.Options{Source: src, Window: win})
//	tab := container.NewTabItem("Văn bản đi", scr.Build())
//	scr.ShowProgress(key, sha, done) // engine events, on the UI goroutine
//	scr.Reload()                       // sent, failed, statuses came
//
// # States
//
// A document this client queued has an outbox entry (store.OutboxEntry);
// until the server accepts it every recipient reads the entry's state:
// Đang chờ gửi (queued; with the last error when a retryable attempt
// failed), Đang tải lên 42% (uploading: the percentage of the engine's
// last Progress event, else what the entry's files say), Đang gửi
// (sending), or Gửi thất bại with the reason and what to do next
// (permanent: never retried automatically; "Sửa và gửi lại" opens the
// send dialog filled with the document when Options.Resend is given).
// Once accepted, each recipient reads its delivery: Đã gửi before the
// recipient answered, then the name of the last status it sent (Đã đến,
// Đã tiếp nhận, Từ chối tiếp nhận …). "Thu hồi…" (Options.Revoke, for a
// clerk or leader) asks every recipient to give an accepted document
// back, with a reason (13); each answer (15 đồng ý, 16 từ chối) then
// shows as that recipient's status. A document another client of the
// agency sent has no entry here and reads its deliveries only.
//
// # Threading
//
// Source is called on goroutines; results come back through Options.Do
// (fyne.Do in the application). The Show methods and Reload are called on
// the UI goroutine.
package outbox
