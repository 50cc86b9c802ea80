package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/server/store/bolt"
	"github.com/vanthuso/vanthu/signing/revocation"
	"github.com/vanthuso/vanthu/signing/trustlist"
)

// RunConfig configures Run.
type RunConfig struct {
	Dir    string // the data directory (Init)
	Listen string // host:port; port 0 picks a free one
	// TLSCert and TLSKey name the certificate and key to serve with;
	// empty means the ones Init generated in Dir/tls.
	TLSCert, TLSKey string
	// Name overrides the server name Init recorded.
	Name string
	// Trust and Intermediates name files of certificates (PEM, DER,
	// PKCS#7) for verifying incoming PDFs: trust anchors, and CA
	// certificates that confer no trust.
	Trust, Intermediates []string
	// OfflineRevocation: decide revocation from the documents' own
	// evidence only; AcceptUnknownRevocation: an undecided revocation
	// status does not make a signature indeterminate (IT policy).
	OfflineRevocation, AcceptUnknownRevocation bool
	// SessionTTL, ChallengeTTL and MaxWait as in Config (0: defaults).
	SessionTTL, ChallengeTTL, MaxWait time.Duration
	// AddrFile, when set, receives the listening address (host:port)
	// once the server accepts connections, written atomically.
	AddrFile string
	// Ready, when set, is called with the listening address once the
	// server accepts connections.
	Ready  func(addr string)
	Logger *slog.Logger
	// MetricsToken, when set, is the bearer token of GET /metrics
	// (else loopback only).
	MetricsToken string
	// Store, when set, is served instead of the data directory's bbolt
	// store (e.g. server/store/pg, shared by replicas); Run closes it
	// when it stops serving.
	Store store.Store
}

// Run serves the API over TLS until ctx ends, then shuts down gracefully:
// it stops accepting, ends long polls at once (their answer is an empty
// page), waits up to 30 s for requests in progress and closes the store.
func Run(ctx context.Context, rc RunConfig) error {
	log := rc.Logger
	if log == nil {
		log = slog.Default()
	}
	settings, err := ReadSettings(rc.Dir)
	if err != nil {
		return fmt.Errorf("serve: %w (run vanthu-server init first)", err)
	}
	if rc.Name != "" {
		settings.Name = rc.Name
	}
	if rc.TLSCert == "" && rc.TLSKey == "" {
		rc.TLSCert, rc.TLSKey = filepath.Join(rc.Dir, tlsDir, "cert.pem"), filepath.Join(rc.Dir, tlsDir, "key.pem")
	}
	pair, err := tls.LoadX509KeyPair(rc.TLSCert, rc.TLSKey)
	if err != nil {
		return fmt.Errorf("serve: TLS certificate: %w", err)
	}
	// The trust list: the shipped Vietnamese roots and CAs with the
	// administrators' changes kept in DIR/trust (vanthuctl trust with
	// VANTHU_TRUST_DIR=DIR/trust manages it), then the --trust files.
	list, err := trustlist.Load(filepath.Join(rc.Dir, trustDir))
	if err != nil {
		return fmt.Errorf("serve: trust list: %w", err)
	}
	anchors, inter := list.Anchors(), list.Intermediates()
	if len(rc.Trust) > 0 {
		extra, err := trustlist.ReadCertificates(rc.Trust...)
		if err != nil {
			return fmt.Errorf("serve: trust anchors: %w", err)
		}
		anchors = append(anchors, extra...)
	}
	if len(rc.Intermediates) > 0 {
		extra, err := trustlist.ReadCertificates(rc.Intermediates...)
		if err != nil {
			return fmt.Errorf("serve: intermediates: %w", err)
		}
		inter = append(inter, extra...)
	}
	st := rc.Store
	if st == nil {
		if st, err = bolt.Open(filepath.Join(rc.Dir, storeDir), bolt.Options{Timeout: 2 * time.Second}); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}
	defer st.Close()
	backupToken, err := loadOrCreateToken(rc.Dir, backupTokenFile)
	if err != nil {
		return fmt.Errorf("serve: backup token: %w", err)
	}
	checker := &revocation.Checker{Offline: rc.OfflineRevocation, CacheDir: filepath.Join(rc.Dir, "revocation-cache")}
	srv, err := New(Config{Store: st, Name: settings.Name, Anchors: anchors, Intermediates: inter, Revocation: checker,
		AcceptUnknownRevocation: rc.AcceptUnknownRevocation, SessionTTL: rc.SessionTTL, ChallengeTTL: rc.ChallengeTTL,
		MaxWait: rc.MaxWait, Logger: log, MetricsToken: rc.MetricsToken, BackupToken: backupToken})
	if err != nil {
		return err
	}
	conns, err := loadConnectors(rc.Dir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln, err := net.Listen("tcp", rc.Listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	baseCtx, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	hs := &http.Server{
		Handler:           srv,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.ServeTLS(ln, "", "") }()
	if err := startConnectors(baseCtx, srv, conns); err != nil {
		hs.Close()
		return fmt.Errorf("serve: %w", err)
	}
	addr := ln.Addr().String()
	if rc.AddrFile != "" {
		if err := writeFileAtomic(rc.AddrFile, []byte(addr+"\n"), 0o644); err != nil {
			hs.Close()
			return fmt.Errorf("serve: write address: %w", err)
		}
	}
	log.Info("serving", "addr", addr, "name", settings.Name, "anchors", len(anchors))
	if rc.Ready != nil {
		rc.Ready(addr)
	}
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	cancelBase() // long polls answer now
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}
