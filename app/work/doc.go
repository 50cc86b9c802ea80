// Package work is the agency's work on documents in the desktop client:
// the clerk's, the leader's and the officer's "Việc của tôi", what each
// may do on a case, deadlines and reminders, the register lines the
// cache holds (mywork.go, allowed.go: no Fyne, unit-tested), and the
// screens built on them (screen.go, dialogs.go, book.go).
//
// # Việc của tôi
//
// MyWork reads the cache's cases (store.Cases), inbox documents and
// queued actions (store.Actions) and lists what waits for one user:
//
//	văn thư      arrived documents (no case yet, or StageArrived): vào sổ
//	             or trả lại; registered ones: trình lãnh đạo; approved or
//	             numbered drafts: cấp số, phát hành
//	lãnh đạo     cases presented to them: incoming to assign, drafts to
//	             approve or return
//	anyone       open incoming cases where they are chủ trì or phối hợp;
//	             their drafts the leader returned
//
// Urgent first (Hỏa tốc, Thượng khẩn, Khẩn), then the nearest due date,
// then newest. An item with a queued register, number or copy action
// shows "Chờ cấp số" (Item.PendingNumber) until the server answered.
//
// # Deadlines
//
// Due dates are calendar dates in Vietnam time: DueStateOf says sắp
// đến hạn (due today or within DueSoonDays) or quá hạn (past due and
// the case still active). The app calls Reminders.Check on a timer;
// it yields each case once per state, remembering what it told in
// memory only.
//
// # Roles
//
// Allowed mirrors the server's rules (server/doc.go "# Roles") so that
// the screens show only the buttons a user may use; the server still
// decides, and a refusal comes back as engine.Failed.
//
// # Screens
//
// Screen is the Việc của tôi tab: the list, the selected item's
// detail (assignment, notes, history, queued actions) and its action
// buttons. Each dialog (Vào sổ, Trả lại, Trình lãnh đạo, Phân công,
// Đang xử lý, Hoàn thành, Ghi chú, Cấp số) queues a
// protocol.ActionRequest with store.QueueAction under a new
// protocol.NewClientID and calls SyncNow; the item shows it pending (Chờ
// cấp số for a number) until the engine's answer is in the cache, and a
// permanent refusal with its reason and Bỏ (store.DropAction). Ký duyệt
// (approve) copies the draft out of the cache and opens the signing
// dialog on it (Options.Sign, app/signui in the app); the signed copy,
// once stored, is the approve action's file. Phát hành (issue) signs the
// numbered draft the same way (ký phát hành) and queues the signed
// document for its recipients and the issue action, which waits for
// that send (store.ActionEntry.AfterSend). Book is the Sổ văn bản tab. Widgets are touched on the UI
// goroutine only; the staff list is fetched on a goroutine and shown
// through Options.Do.
package work
