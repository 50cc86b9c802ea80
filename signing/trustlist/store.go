package trustlist

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
)

// EnvDir names the environment variable that overrides DefaultDir (tests,
// portable installs).
const EnvDir = "VANTHU_TRUST_DIR"

// StoreFile is the name of the store file in the store directory.
const StoreFile = "trust.json"

// maxStoreSize bounds the store file: thousands of certificates.
const maxStoreSize = 8 << 20

// storeVersion is the version of the store format this package writes and
// reads.
const storeVersion = 1

// DefaultDir returns the store directory of this user: $VANTHU_TRUST_DIR
// when set, else os.UserConfigDir()/vanthu/trust, the same for the desktop
// client and vanthuctl. It fails only when neither is known.
func DefaultDir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("trust list folder: %w (set %s)", err, EnvDir)
	}
	return filepath.Join(base, "vanthu", "trust"), nil
}

// StoreError reports a store file that cannot be read or is damaged.
// Path is the file; the remedy is to delete it or to Reset and Save
// (vanthuctl trust reset), which goes back to the shipped list.
type StoreError struct {
	Path string
	Err  error
}

func (e *StoreError) Error() string {
	return fmt.Sprintf("trust list %s: %v (delete the file or run vanthuctl trust reset)", e.Path, e.Err)
}

func (e *StoreError) Unwrap() error { return e.Err }

// storeJSON is the store file.
type storeJSON struct {
	Version      int      `json:"version"`
	Removed      []string `json:"removed"`
	Trusted      []string `json:"trusted"`
	Certificates []string `json:"certificates"`
}

// List is the effective trust list of a store directory: the shipped
// entries, with the administrator's changes, and the added certificates.
// A List is not safe for concurrent use.
type List struct {
	dir      string
	defaults []Entry
	byFP     map[string]int // shipped entries by fingerprint
	removed  map[string]bool
	trusted  map[string]bool
	user     []Entry
	damaged  error // the *StoreError Load returned; Save refuses until Reset
}

// Load reads the store in dir on top of the shipped list. A missing
// directory or store file gives the shipped list alone. A store file that
// cannot be read or parsed gives a *StoreError together with a List of the
// shipped list only, which Save refuses to write before Reset. Any other
// error (no directory given, the shipped list does not match its pins)
// comes with a nil List.
func Load(dir string) (*List, error) {
	if dir == "" {
		return nil, errors.New("load trust list: no folder given")
	}
	defs, err := shipped()
	if err != nil {
		return nil, err
	}
	l := &List{dir: dir, defaults: defs, byFP: map[string]int{}}
	for i, e := range defs {
		l.byFP[e.SHA256] = i
	}
	l.clear()
	if err := l.read(); err != nil {
		l.clear()
		l.damaged = &StoreError{Path: l.Path(), Err: err}
		return l, l.damaged
	}
	return l, nil
}

func (l *List) clear() {
	l.removed, l.trusted, l.user = map[string]bool{}, map[string]bool{}, nil
}

// Dir returns the store directory.
func (l *List) Dir() string { return l.dir }

// Path returns the store file's path.
func (l *List) Path() string { return filepath.Join(l.dir, StoreFile) }

func (l *List) read() error {
	f, err := os.Open(l.Path())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, maxStoreSize+1))
	if err != nil {
		return err
	}
	if len(data) > maxStoreSize {
		return fmt.Errorf("larger than %d bytes", maxStoreSize)
	}
	var s storeJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return fmt.Errorf("not a trust list: %w", err)
	}
	if dec.More() {
		return errors.New("not a trust list: data after the JSON object")
	}
	if s.Version != storeVersion {
		return fmt.Errorf("format version %d, this program reads %d", s.Version, storeVersion)
	}
	for _, set := range []struct {
		list []string
		m    map[string]bool
	}{{s.Removed, l.removed}, {s.Trusted, l.trusted}} {
		for _, v := range set.list {
			fp, err := ParseFingerprint(v)
			if err != nil {
				return err
			}
			// Unknown fingerprints (an entry a later release dropped) are
			// kept so that Save writes them back.
			set.m[fp] = true
		}
	}
	for i, p := range s.Certificates {
		block, rest := pem.Decode([]byte(p))
		if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) > 0 {
			return fmt.Errorf("certificate %d: not one PEM certificate", i+1)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return fmt.Errorf("certificate %d: %w", i+1, err)
		}
		role, err := Classify(cert)
		if err != nil {
			return fmt.Errorf("certificate %d: %w", i+1, err)
		}
		fp := Fingerprint(cert)
		if _, shipped := l.byFP[fp]; shipped || l.userIndex(fp) >= 0 {
			continue // now shipped, or written twice: one entry
		}
		e := newEntry(cert, role, User)
		e.Trusted = true
		l.user = append(l.user, e)
	}
	return nil
}

// Save writes the list to the store file atomically, creating the
// directory (mode 0700) if needed; the file has mode 0600. It refuses a
// List whose store was damaged (see Load) until Reset. Errors name the
// file.
func (l *List) Save() error {
	if l.damaged != nil {
		return fmt.Errorf("save trust list: %w", l.damaged)
	}
	s := storeJSON{Version: storeVersion, Removed: sortedKeys(l.removed), Trusted: sortedKeys(l.trusted), Certificates: []string{}}
	for _, e := range l.user {
		s.Certificates = append(s.Certificates, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.Cert.Raw})))
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("save trust list: %w", err)
	}
	if err := writeAtomic(l.dir, StoreFile, append(data, '\n')); err != nil {
		return fmt.Errorf("save trust list %s: %w", l.Path(), err)
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// writeAtomic replaces dir/name with data: a temporary file in dir,
// synced, renamed over the old one, then the directory synced so that the
// rename survives a crash.
func writeAtomic(dir, name string, data []byte) (err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	if runtime.GOOS == "windows" {
		return nil // directories cannot be synced there; NTFS journals renames
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Reset drops every change of the administrator: removed and trusted
// shipped entries, added certificates. It also clears a damaged store's
// state, so that Save then writes the shipped list's store.
func (l *List) Reset() {
	l.clear()
	l.damaged = nil
}

func (l *List) userIndex(fp string) int {
	return slices.IndexFunc(l.user, func(e Entry) bool { return e.SHA256 == fp })
}

// entry returns shipped entry i in its current state.
func (l *List) entry(i int) Entry {
	e := l.defaults[i]
	switch {
	case l.removed[e.SHA256]:
		e.Trusted, e.Removed = false, true
	case e.Role == Candidate:
		e.Trusted = l.trusted[e.SHA256]
	default:
		e.Trusted = true
	}
	return e
}

// Entries returns every entry: the shipped ones in their current state
// (removed and untrusted ones included, Trusted false), then the added
// ones in the order they were added.
func (l *List) Entries() []Entry {
	out := make([]Entry, 0, len(l.defaults)+len(l.user))
	for i := range l.defaults {
		out = append(out, l.entry(i))
	}
	return append(out, l.user...)
}

// Lookup returns the entry of cert, by fingerprint, whatever its state.
func (l *List) Lookup(cert *x509.Certificate) (Entry, bool) {
	return l.lookup(Fingerprint(cert))
}

func (l *List) lookup(fp string) (Entry, bool) {
	if i, ok := l.byFP[fp]; ok {
		return l.entry(i), true
	}
	if i := l.userIndex(fp); i >= 0 {
		return l.user[i], true
	}
	return Entry{}, false
}

// Add adds cert as Classify says: a self-issued CA as a trusted root,
// another CA as an intermediate; anything else is refused with an error
// wrapping ErrEndEntity. A certificate is identified by its fingerprint
// only: one with the same subject as an entry is another entry, never a
// replacement. Adding a shipped certificate puts it back in effect (a
// removed one) or trusts it (a candidate); one already in effect gives
// its entry and an error wrapping ErrAlreadyPresent.
func (l *List) Add(cert *x509.Certificate) (Entry, error) {
	fp := Fingerprint(cert)
	if i, ok := l.byFP[fp]; ok {
		return l.Trust(l.defaults[i].SHA256)
	}
	if i := l.userIndex(fp); i >= 0 {
		return l.user[i], fmt.Errorf("add %q: %w", l.user[i].Name, ErrAlreadyPresent)
	}
	role, err := Classify(cert)
	if err != nil {
		return Entry{}, fmt.Errorf("add to trust list: %w", err)
	}
	e := newEntry(cert, role, User)
	e.Trusted = true
	l.user = append(l.user, e)
	return e, nil
}

// Trust puts the shipped entry with fingerprint sha256 in effect: it
// trusts a candidate root, or brings back a removed entry. An entry
// already in effect gives the entry and an error wrapping
// ErrAlreadyPresent; an unknown fingerprint ErrNotFound (also for added
// certificates, which are in effect while they are in the list).
func (l *List) Trust(sha256 string) (Entry, error) {
	fp, err := ParseFingerprint(sha256)
	if err != nil {
		return Entry{}, err
	}
	i, ok := l.byFP[fp]
	if !ok {
		if j := l.userIndex(fp); j >= 0 {
			return l.user[j], fmt.Errorf("trust %q: %w", l.user[j].Name, ErrAlreadyPresent)
		}
		return Entry{}, fmt.Errorf("trust %s: %w", fp, ErrNotFound)
	}
	if e := l.entry(i); e.Trusted {
		return e, fmt.Errorf("trust %q: %w", e.Name, ErrAlreadyPresent)
	}
	delete(l.removed, fp)
	if l.defaults[i].Role == Candidate {
		l.trusted[fp] = true
	}
	return l.entry(i), nil
}

// Remove takes the entry with fingerprint sha256 out of effect: a shipped
// one is remembered as removed (a trusted candidate goes back to
// untrusted), an added one is deleted. Removing an entry that is not in
// effect changes nothing and is not an error; an unknown fingerprint
// gives ErrNotFound.
func (l *List) Remove(sha256 string) error {
	fp, err := ParseFingerprint(sha256)
	if err != nil {
		return err
	}
	if i, ok := l.byFP[fp]; ok {
		if l.defaults[i].Role == Candidate {
			delete(l.trusted, fp)
		} else {
			l.removed[fp] = true
		}
		return nil
	}
	if j := l.userIndex(fp); j >= 0 {
		l.user = slices.Delete(l.user, j, j+1)
		return nil
	}
	return fmt.Errorf("remove %s: %w", fp, ErrNotFound)
}

// certs returns the certificates of the entries in effect that keep
// says to.
func (l *List) certs(keep func(Entry) bool) []*x509.Certificate {
	var out []*x509.Certificate
	for _, e := range l.Entries() {
		if keep(e) {
			out = append(out, e.Cert)
		}
	}
	return out
}

// Anchors returns the trust anchors: roots in effect and trusted
// candidates.
func (l *List) Anchors() []*x509.Certificate {
	return l.certs(func(e Entry) bool { return e.Trusted && (e.Role == Root || e.Role == Candidate) })
}

// Intermediates returns the certificates offered to chain building:
// intermediates and TSA certificates in effect, shipped and added.
func (l *List) Intermediates() []*x509.Certificate {
	return l.certs(func(e Entry) bool { return e.Trusted && (e.Role == Intermediate || e.Role == TSA) })
}

// Known returns roots the list knows but does not trust: untrusted
// candidates and removed shipped roots. A chain that ends at one is
// untrusted; the verifier can say which root it was.
func (l *List) Known() []*x509.Certificate {
	return l.certs(func(e Entry) bool { return !e.Trusted && (e.Role == Root || e.Role == Candidate) })
}
