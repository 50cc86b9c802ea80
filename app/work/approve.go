package work

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// Ký duyệt: the leader signs the draft presented to them on the token,
// in the signing dialog (Options.Sign), and the signed copy goes to the
// server as the approve action's file (the engine uploads it first).
//
// Phát hành: the clerk signs the approved, numbered draft with the
// agency's certificate in the same dialog (ký phát hành, the number and
// date marks); the signed document is queued for sending to its
// recipients, dated today, and the issue action waits for that send
// (store.ActionEntry.AfterSend) to name its message. Both are queued
// under ids made from the case's id and the attempt (issueIDs), so that
// a second Phát hành after a crash between the two sends nothing twice.

// approveDirPrefix names the temporary folder the draft is copied to for
// the dialog, which writes its signed copy next to its input: never next
// to the cache's files. Folders left by a cancelled dialog are removed
// at the next Ký duyệt once older than staleApproveDir.
const (
	approveDirPrefix = "vanthu-ky-duyet-"
	staleApproveDir  = 12 * time.Hour
)

// approve opens the signing dialog on a copy of the case's draft.
func (s *Screen) approve(it Item) {
	if err := s.startSigning(it, s.approveWith); err != nil {
		showError(err, s.o.Window)
	}
}

// issue opens the signing dialog on a copy of the approved draft.
func (s *Screen) issue(it Item) {
	if err := s.startSigning(it, s.issueWith); err != nil {
		showError(err, s.o.Window)
	}
}

func (s *Screen) startApprove(it Item) error { return s.startSigning(it, s.approveWith) }

// startSigning copies the case's main file out of the cache and opens the
// signing dialog on it; then gives the signed copy to then.
func (s *Screen) startSigning(it Item, then func(it Item, draft, signed string) error) error {
	if it.Case == nil {
		return errors.New(i18n.T("work.err.no-draft"))
	}
	main := mainFile(it.Case.Document)
	if main == nil || !s.o.Store.HasBlob(main.SHA256) {
		return errors.New(i18n.T("work.err.no-draft"))
	}
	removeStaleApproveDirs(time.Now())
	dir, err := os.MkdirTemp("", approveDirPrefix)
	if err != nil {
		return fmt.Errorf("%s: %w", i18n.T("work.err.draft-copy"), err)
	}
	path := filepath.Join(dir, draftName(*main))
	if err := copyBlob(s, main.SHA256, path); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("%s: %w", i18n.T("work.err.draft-copy"), err)
	}
	s.o.Sign(path, func(signed string) {
		defer os.RemoveAll(dir)
		if err := then(it, main.SHA256, signed); err != nil {
			showError(err, s.o.Window)
		}
	})
	return nil
}

// approveWith queues the approval of it with the signed file. A file
// that is the draft itself (nothing signed) is refused.
func (s *Screen) approveWith(it Item, draft, signed string) error {
	sha, err := s.putFile(signed)
	if err != nil {
		return err
	}
	if sha == draft {
		return errors.New(i18n.T("work.err.not-signed"))
	}
	return s.queue(protocol.ActionRequest{Action: protocol.ActionApprove, CaseID: it.Key, Files: []string{sha}})
}

// issueWith queues the issued document (the signed copy as its main
// file, dated today) for its recipients and the issue action after it.
func (s *Screen) issueWith(it Item, draft, signed string) error {
	sha, err := s.putFile(signed)
	if err != nil {
		return err
	}
	if sha == draft {
		return errors.New(i18n.T("work.err.not-issued"))
	}
	fi, err := os.Stat(s.o.Store.BlobPath(sha))
	if err != nil {
		return fmt.Errorf("%s: %w", i18n.T("work.err.file"), err)
	}
	doc := it.Case.Document
	doc.Attachments = slices.Clone(doc.Attachments)
	main := *mainFile(doc) // a copy: the loop below replaces it in place
	signedFile := edoc.Attachment{Role: edoc.RoleMain, Name: draftName(main), ContentType: "application/pdf", SHA256: sha, Size: fi.Size()}
	for i := range doc.Attachments {
		if doc.Attachments[i].SHA256 == main.SHA256 {
			doc.Attachments[i] = signedFile
		}
	}
	if doc.PromulgationDate.IsZero() {
		doc.PromulgationDate = edoc.DateOf(s.o.Now())
	}
	send, action, err := s.issueIDs(it.Key)
	if err != nil {
		return err
	}
	if err := s.o.Store.Queue(doc, send); err != nil && !errors.Is(err, store.ErrExists) {
		return err
	}
	return s.queueEntry(store.ActionEntry{ClientActionID: action, AfterSend: send, User: s.o.User.ID,
		Request: protocol.ActionRequest{Action: protocol.ActionIssue, CaseID: it.Key}})
}

// issueIDs are the client ids of a case's issued send and issue action:
// those of its first attempt whose send did not fail for good (queued,
// going or gone: Phát hành again after a crash sends nothing twice),
// else of a new attempt (a refused send is not the end of the case).
func (s *Screen) issueIDs(caseID string) (send, action string, err error) {
	for n := 0; ; n++ {
		send, action = issueAttempt(caseID, n)
		e, err := s.o.Store.OutboxEntry(send)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return send, action, nil
		case err != nil:
			return "", "", err
		case e.State != store.OutboxFailed:
			return send, action, nil
		}
	}
}

// issueAttempt are the ids of attempt n.
func issueAttempt(caseID string, n int) (send, action string) {
	h := sha256.Sum256([]byte(fmt.Sprintf("phat-hanh\x00%s\x00%d", caseID, n)))
	x := hex.EncodeToString(h[:12])
	return "phat-hanh-" + x, "phat-hanh-act-" + x
}

// mainFile is d's main file, else its first.
func mainFile(d edoc.Document) *edoc.Attachment {
	for i, a := range d.Attachments {
		if a.Role == edoc.RoleMain {
			return &d.Attachments[i]
		}
	}
	if len(d.Attachments) > 0 {
		return &d.Attachments[0]
	}
	return nil
}

// draftName is a safe file name for the draft: its own name's base,
// ending in .pdf, else "du-thao.pdf".
func draftName(a edoc.Attachment) string {
	name := filepath.Base(strings.ReplaceAll(a.Name, `\`, "/"))
	if name == "." || name == "/" || name == ".." || strings.ContainsAny(name, "\x00:*?\"<>|") {
		name = ""
	}
	if name == "" {
		return "du-thao.pdf"
	}
	if !strings.EqualFold(filepath.Ext(name), ".pdf") {
		name += ".pdf"
	}
	return name
}

// copyBlob copies a cached file to path.
func copyBlob(s *Screen, sha, path string) error {
	in, err := s.o.Store.OpenBlob(sha)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// removeStaleApproveDirs removes the draft folders of dialogs cancelled
// long ago.
func removeStaleApproveDirs(now time.Time) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), approveDirPrefix+"*"))
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() && now.Sub(fi.ModTime()) > staleApproveDir {
			os.RemoveAll(d)
		}
	}
}
