// Package signui is the signing part of the desktop client: the token
// status shown in the main window, the sign dialog (certificate, profile,
// stamp placement with a live preview, level, PIN) and batch signing.
//
//	status := signui.NewTokenStatus(settings.SignConfig) // in the status bar
//	defer status.Stop()
//	signui.ShowSignDialog(win, engine, path, page, cfg, func(signed string) { open(signed) })
//	signui.ShowBatchDialog(win, cfg)
//
// Everything the user reads comes from app/i18n (keys "signui.*"),
// Vietnamese first; errors of the signing packages become sentences that
// say what to do next.
//
// # Token status
//
// One line per initialised token: the holder's name (CN of the token's
// first personal certificate; certificates are read without a PIN), the
// token's label and its PIN state (few tries left, final try, locked, PIN
// pad), with a coloured icon; or "no token", "token pulled out", "no
// driver". It follows token.Watch (polling with rescans, so SoftHSM2 and
// similar modules see new tokens) and switches modules when the
// configured module path changes.
//
// # Sign dialog
//
// The dialog opens its own module and a session on the chosen token and
// lists the certificates: those that can sign to choose from, the others
// (expired, not yet valid, no signing key usage, no key) greyed with the
// reason; CA certificates carried for the chain are left out. The
// dialog proposes ký phát hành when the document already carries a valid
// approval (a valid signature by a personal certificate, as Config.Verify
// judges it) and the chosen certificate is an agency's
// (IsAgencyCertificate: organizationIdentifier 2.5.4.97, or a common name
// that is the organisation's); otherwise ký duyệt, a leader's certificate
// on an approved document included (a further approval; only the agency
// issues). Once the user picks a profile nothing is proposed any more.
// ValidSignatures tells other screens the same about a report. The profile
// (ký duyệt, ký phát hành, văn bản kèm theo, bản sao) decides the fields
// (number and date for issue, number for attachment, copy form and agency
// for copy) and the default place of the appearance: an approval goes
// into the first empty visible signature field, else into a signature
// block on the page shown; an issue seal over the leader's visible
// signature; attachment and copy top-right of page 1 (stamp's corner).
// A click on the page preview puts the signature there, a drag draws its
// box, dragging a box moves it; existing empty signature fields and "not
// shown" can be chosen from a list.
//
// B-T needs Config.TSAURL; without one the level is B-B and the dialog
// says why. The PIN is sent once per press of "Ký" and never retried: a
// refusal shows the token's state after it (tries left, final try,
// locked) and waits. A locked PIN disables signing; a PIN-pad token hides
// the entry and asks the user to type on the device. The signed copy is
// "<name> (đã ký).pdf" next to the original (numbered when taken); the
// original is replaced only when the user ticks the box that says so.
// The document is refused (encrypted, certified "no changes") before any
// PIN is asked for. Signing runs on a goroutine; cancel, a removed token
// or a failing timestamp authority leave no output file (signing/pades
// writes atomically).
//
// # Live preview
//
// The preview is honest: the appearances stamp.Build lays out for the
// current choices, the very ones SignFile will write, are written as
// annotations on a blank one-page PDF with the page's geometry, rendered
// by the render engine like the page itself and laid over it with white
// made transparent. While the user drags, and without an engine, the
// preview shows the boxes of the appearances only.
//
// # Batch signing
//
// The user picks a folder; its PDFs are listed with check boxes (copies
// this program signed earlier are unticked). One PIN entry signs them all
// with one login. Each file gets its own result line; a file that fails
// does not stop the others, but a token problem or an unreachable
// timestamp authority stops the batch. "Dừng" stops after the file being
// signed. Placement per file follows the profile's default (approval:
// first empty signature field, else invisible; issue: over the leader's
// signature, else invisible; attachment and copy: top-right of page 1).
//
// # Threading
//
// Token, disk, rendering and network work runs on goroutines. Each dialog
// has one token worker goroutine that owns its module and session and
// runs its requests one at a time. Every widget change from a goroutine
// goes through a named helper (show, showSigned, showResult, ...) that
// calls fyne.Do.
//
// # Test drivers
//
// The package's tests drive the dialogs as a user would, through drivers
// in drivers_test.go (a _test.go file: the application carries none of
// it):
//
//	q, restore := UseUIQueue() // before the status or a dialog exists
//	defer restore()
//	ShowSignDialog(win, eng, path, 0, cfg, done)
//	d := SignDialogOf(win)
//	d.WaitReady(ctx)
//	d.SelectCertificate(token.Fingerprint(cert))
//	d.SelectProfile("approval")
//	d.Place(1, pdf.Rect{LLX: 330, LLY: 300, URX: 530, URY: 400})
//	d.EnterPIN(pin)
//	signed, err := d.Sign(ctx) // err is the sentence the dialog shows
//
// BatchDialogOf gives a BatchDriver (SetFolder, SelectProfile, SetNumber,
// EnterPIN, Start, Stop, Wait, Close); TokenStatus has StatusText and
// WaitStatus. Under Fyne's test driver fyne.Do runs its function at once
// on the calling goroutine, so widget changes would race with the test's
// reads; UseUIQueue queues them instead and the drivers' waiting methods
// (or UIQueue.Run and RunUntil) run them on the test goroutine. The
// application only keeps the registry of open dialogs by window that the
// drivers read (open.go). The real client is driven end to end under Xvfb
// by cmd/vanthu's test.
package signui
