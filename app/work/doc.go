// Package work is the agency's work on documents in the desktop client:
// the clerk's, the leader's and the officer's "Việc của tôi", what each
// may do on a case, deadlines and reminders, the register lines the
// cache holds. This file set has no Fyne: the screens build on it.
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
package work
