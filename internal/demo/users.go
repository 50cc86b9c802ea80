package demo

import (
	"context"
	"crypto"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// UserByID is the demo user with the id, false when there is none.
func UserByID(id string) (DemoUser, bool) {
	for _, u := range Users {
		if u.ID == id {
			return u, true
		}
	}
	return DemoUser{}, false
}

// Identity is the user's credential in the test PKI p (the certificate
// the demo server binds the user to).
func (u DemoUser) Identity(p *testpki.PKI) testpki.Identity { return u.identity(p) }

// Signer opens the user's demo token with the demo PIN and returns the
// key of the user's certificate; close the closer when done (it logs out
// and closes the token).
func (e *Env) Signer(u DemoUser) (crypto.Signer, io.Closer, testpki.Identity, error) {
	id := u.identity(e.PKI)
	s, c, err := e.PKI.Signer(id, testpki.UserPIN)
	if err != nil {
		return nil, nil, id, fmt.Errorf("demo user %s: %w", u.ID, err)
	}
	return s, c, id, nil
}

// StepIssue is the step of Issue: the clerk issuing the decision.
const StepIssue Step = "issue"

// IssuedDocument is the path, in the demo folder, of the decision
// issued by the clerk (leader's and agency's signatures) that Issue
// writes.
func (e *Env) IssuedDocument() string { return e.path("da-ky", "van-ban.phat-hanh.pdf") }

// Issue signs the leader-signed decision as UBND tỉnh Nghệ An's clerk
// (ký phát hành: the agency's seal overlapping the leader's signature,
// the number Number), B-B, into IssuedDocument, replacing it; the file
// then carries the two signatures the exchange asks of a main document.
func (e *Env) Issue(ctx context.Context) (string, error) {
	p := e.PKI
	signer, closer, err := p.Signer(p.Agency, testpki.UserPIN)
	if err != nil {
		return "", fmt.Errorf("issue: %w", err)
	}
	defer closer.Close()
	in, out := e.Documents[DocDecisionSigned], e.IssuedDocument()
	doc, err := pades.Inspect(in)
	if err != nil {
		return "", fmt.Errorf("issue: %w", err)
	}
	defer doc.Close()
	now := time.Now()
	info := stamp.InfoFromCertificate(p.Agency.Cert, now)
	info.Number = Number
	rect := LeaderRect
	apps, err := stamp.Build(stamp.Options{
		Profile:    stamp.Issue,
		Info:       info,
		SealImage:  assets.DemoSeal,
		Page:       LeaderPage,
		LeaderPage: LeaderPage,
		LeaderRect: &rect,
	}, doc.PageGeometry)
	if err != nil {
		return "", fmt.Errorf("issue: %w", err)
	}
	os.Remove(out)
	if _, err := pades.SignFile(ctx, in, out, pades.Options{
		Signer:      signer,
		Certificate: p.Agency.Cert,
		Chain:       p.Agency.Embedded(),
		Reason:      "Ký phát hành",
		Time:        now,
		Appearances: apps,
	}); err != nil {
		return "", fmt.Errorf("issue: %w", err)
	}
	return out, nil
}
