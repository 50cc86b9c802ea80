package work

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Ký duyệt: the leader signs the draft presented to them on the token,
// in the signing dialog (Options.Sign), and the signed copy goes to the
// server as the approve action's file (the engine uploads it first).

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
	if err := s.startApprove(it); err != nil {
		showError(err, s.o.Window)
	}
}

func (s *Screen) startApprove(it Item) error {
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
		if err := s.approveWith(it, main.SHA256, signed); err != nil {
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
