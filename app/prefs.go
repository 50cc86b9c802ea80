package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/app/signui"
	"github.com/vanthuso/vanthu/signing/certpath"
	"github.com/vanthuso/vanthu/signing/revocation"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/trustlist"
	"github.com/vanthuso/vanthu/signing/verify"
)

// Preference keys. Changing one loses what users saved under it.
const (
	prefModule            = "signing.pkcs11_module"
	prefTSAURL            = "signing.tsa_url"
	prefLocation          = "signing.location"
	prefSignatureImage    = "signing.signature_image"
	prefSealImage         = "signing.seal_image"
	prefStampTimeLayout   = "signing.stamp_time_layout"
	prefTrustFiles        = "verify.trust_files"
	prefTrustDir          = "verify.trust_dir"
	prefOfflineRevocation = "verify.offline_revocation"
	prefAcceptUnknownRev  = "verify.accept_unknown_revocation"
	prefLang              = "ui.lang"
	prefTheme             = "ui.theme"
	prefRecent            = "reader.recent"
	prefZoom              = "reader.zoom"
	// The document server ("Máy chủ văn bản") and who last signed in to
	// it (whose cache opens at start).
	prefServerAddress  = "exchange.server_address"
	prefServerCA       = "exchange.server_ca_file"
	prefLastUser       = "exchange.last_user"
	prefLastUserServer = "exchange.last_user_server"
)

// Theme choices stored under prefTheme.
const (
	themeSystem = "system"
	themeLight  = "light"
	themeDark   = "dark"
)

// maxRecent is how many recent files the File menu lists.
const maxRecent = 10

// stampTimeLayouts are the signing-time patterns offered for stamps: the
// decree's default and the other one seen in practice, and ISO 8601.
var stampTimeLayouts = []string{stamp.DefaultTimeLayout, "02.01.2006 15:04:05 -07:00", "2006-01-02T15:04:05-07:00"}

// settings is a snapshot of the preferences. Snapshots are immutable once
// published (mainWindow.settings), so goroutines may read them.
type settings struct {
	// trustListSaved: the settings screen has just written the trust list
	// (not a preference: it only tells the window to check again).
	trustListSaved    bool
	Module            string
	TSAURL            string
	Location          string
	SignatureImage    string
	SealImage         string
	StampTimeLayout   string
	TrustFiles        []string
	TrustDir          string
	OfflineRevocation bool
	// AcceptUnknownRevocation is an IT policy: a signature whose
	// revocation could not be checked is valid, and the panel says so.
	AcceptUnknownRevocation bool
	Lang                    i18n.Lang
	Theme                   string
	// ServerAddress is the document server (https://host[:port]); ""
	// is none. ServerCA is a PEM file of the roots its TLS certificate
	// chains to; "" trusts the system's.
	ServerAddress string
	ServerCA      string

	// trustStoreDir is the trust list's folder; "" is
	// trustlist.DefaultDir() (tests set it).
	trustStoreDir string
}

// loadSettings reads the preferences; missing ones take their defaults.
func loadSettings(p fyne.Preferences) settings {
	s := settings{
		Module:                  p.String(prefModule),
		TSAURL:                  p.String(prefTSAURL),
		Location:                p.String(prefLocation),
		SignatureImage:          p.String(prefSignatureImage),
		SealImage:               p.String(prefSealImage),
		StampTimeLayout:         p.StringWithFallback(prefStampTimeLayout, stamp.DefaultTimeLayout),
		TrustFiles:              p.StringList(prefTrustFiles),
		TrustDir:                p.String(prefTrustDir),
		OfflineRevocation:       p.Bool(prefOfflineRevocation),
		AcceptUnknownRevocation: p.Bool(prefAcceptUnknownRev),
		Lang:                    i18n.ParseLang(p.StringWithFallback(prefLang, string(i18n.Vietnamese))),
		Theme:                   p.StringWithFallback(prefTheme, themeSystem),
		ServerAddress:           p.String(prefServerAddress),
		ServerCA:                p.String(prefServerCA),
	}
	if !slices.Contains(stampTimeLayouts, s.StampTimeLayout) {
		s.StampTimeLayout = stamp.DefaultTimeLayout
	}
	switch s.Theme {
	case themeLight, themeDark:
	default:
		s.Theme = themeSystem
	}
	return s
}

// save writes s to the preferences.
func (s settings) save(p fyne.Preferences) {
	p.SetString(prefModule, s.Module)
	p.SetString(prefTSAURL, s.TSAURL)
	p.SetString(prefLocation, s.Location)
	p.SetString(prefSignatureImage, s.SignatureImage)
	p.SetString(prefSealImage, s.SealImage)
	p.SetString(prefStampTimeLayout, s.StampTimeLayout)
	p.SetStringList(prefTrustFiles, s.TrustFiles)
	p.SetString(prefTrustDir, s.TrustDir)
	p.SetBool(prefOfflineRevocation, s.OfflineRevocation)
	p.SetBool(prefAcceptUnknownRev, s.AcceptUnknownRevocation)
	p.SetString(prefLang, string(s.Lang))
	p.SetString(prefTheme, s.Theme)
	p.SetString(prefServerAddress, s.ServerAddress)
	p.SetString(prefServerCA, s.ServerCA)
}

// signConfig is what app/signui takes from the settings. Signing is
// B-T when a timestamp authority is configured.
func (s settings) signConfig() signui.Config {
	level := "B-B"
	if strings.TrimSpace(s.TSAURL) != "" {
		level = "B-T"
	}
	return signui.Config{
		ModulePath:     strings.TrimSpace(s.Module),
		TSAURL:         strings.TrimSpace(s.TSAURL),
		Level:          level,
		SignatureImage: s.SignatureImage,
		SealImage:      s.SealImage,
		Location:       strings.TrimSpace(s.Location),
		TimeLayout:     s.StampTimeLayout,
	}
}

// trustPaths lists the configured trust anchor files and folder.
func (s settings) trustPaths() []string {
	var paths []string
	for _, f := range s.TrustFiles {
		if f = strings.TrimSpace(f); f != "" {
			paths = append(paths, f)
		}
	}
	if d := strings.TrimSpace(s.TrustDir); d != "" {
		paths = append(paths, d)
	}
	return paths
}

// verifyOptions builds the verifier's options (disk: call it off the UI
// goroutine): the workstation's trust list (the shipped Vietnamese roots
// and what IT staff added or removed, shared with vanthuctl trust) plus
// the configured trust files, a revocation checker caching under
// cacheDir, and a fetcher of missing intermediates (AIA, cached; from the
// cache only when offline). A trust file or a trust store that cannot be
// read is an error (the panel says which and what to do): verifying on
// without it could trust a root the administrator removed.
func (s settings) verifyOptions(cacheDir string) (verify.Options, error) {
	var o verify.Options
	dir := s.trustStoreDir
	if dir == "" {
		d, err := trustlist.DefaultDir()
		if err != nil {
			return o, err
		}
		dir = d
	}
	l, err := trustlist.Load(dir)
	if err != nil {
		return o, err
	}
	o.Anchors, o.Intermediates, o.Known = l.Anchors(), l.Intermediates(), l.Known()
	if paths := s.trustPaths(); len(paths) > 0 {
		certs, err := trustlist.ReadCertificates(paths...)
		if err != nil {
			return o, err
		}
		for _, c := range certs {
			if role, err := trustlist.Classify(c); err == nil && role == trustlist.Root {
				o.Anchors = append(o.Anchors, c)
			} else {
				o.Intermediates = append(o.Intermediates, c)
			}
		}
	}
	rc := &revocation.Checker{Offline: s.OfflineRevocation}
	fetcher := &certpath.HTTPFetcher{Offline: s.OfflineRevocation}
	if cacheDir != "" {
		rc.CacheDir = filepath.Join(cacheDir, "revocation")
		fetcher.CacheDir = filepath.Join(cacheDir, "issuers")
	}
	o.Revocation, o.Fetcher = rc, fetcher
	o.AcceptUnknownRevocation = s.AcceptUnknownRevocation
	return o, nil
}

// verifyDocument verifies path with these settings.
func (s settings) verifyDocument(ctx context.Context, path, cacheDir string) (*verify.Report, error) {
	o, err := s.verifyOptions(cacheDir)
	if err != nil {
		return nil, &trustError{err: err}
	}
	return verify.VerifyFile(ctx, path, o)
}

// trustError is a trust anchor file that could not be read.
type trustError struct{ err error }

func (e *trustError) Error() string { return e.err.Error() }
func (e *trustError) Unwrap() error { return e.err }

// recentFiles returns the recent documents, most recent first.
func recentFiles(p fyne.Preferences) []string {
	return p.StringList(prefRecent)
}

// addRecent puts path first in the recent documents.
func addRecent(p fyne.Preferences, path string) {
	list := []string{path}
	for _, f := range recentFiles(p) {
		if f != path && len(list) < maxRecent {
			list = append(list, f)
		}
	}
	p.SetStringList(prefRecent, list)
}

// userCacheDir is <user cache>/vanthu, "" when the system has none.
func userCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "vanthu")
}
