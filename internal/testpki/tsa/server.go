package tsa

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"

	"github.com/vanthuso/vanthu/internal/testpki/loopback"
	"github.com/vanthuso/vanthu/signing/cms"
)

// DefaultPolicy is the TSA policy used when Server.Policy is nil: an OID
// under the documentation enterprise number of RFC 5612.
var DefaultPolicy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 32473, 2, 1}

// oidPadding names the padding extension ExtraPadding adds.
var oidPadding = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 32473, 1, 1}

// maxRequest bounds a request body.
const maxRequest = 64 << 10

// FailMode makes the server misbehave, for tests of clients.
type FailMode int

const (
	FailNone         FailMode = iota
	FailHTTP500               // answer HTTP 500
	FailRejection             // answer status rejection with failInfo systemFailure
	FailWrongNonce            // issue a token with another nonce
	FailWrongImprint          // issue a token over another digest
)

// Server is an RFC 3161 time-stamp authority. Configure the exported fields
// before Start; while serving, change them only with SetFail and
// SetExtraPadding.
type Server struct {
	// Now gives genTime; nil means time.Now.
	Now func() time.Time
	// Policy is the TSA policy; nil means DefaultPolicy.
	Policy asn1.ObjectIdentifier
	// Accuracy goes into tokens; 0 means one second, negative none.
	Accuracy time.Duration
	// Hash signs tokens; 0 means SHA-256.
	Hash crypto.Hash
	// ExtraPadding adds a non-critical TSTInfo extension of about this
	// many bytes to every token.
	ExtraPadding int
	// Fail selects a failure mode.
	Fail FailMode

	mu       sync.Mutex // serialises requests, and so the signer
	signer   crypto.Signer
	cert     *x509.Certificate
	chain    []*x509.Certificate
	serial   *big.Int
	requests int
	issued   int
}

// New returns a server that signs tokens with signer as cert, embedding
// chain (intermediates) too when a request asks for certificates. Signer is
// called once for every token issued, never concurrently.
func New(signer crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate) *Server {
	var b [8]byte
	rand.Read(b[:])
	b[0] = b[0]&0x3f | 0x40 // 63 bits, top set: serials keep their length
	return &Server{signer: signer, cert: cert, chain: chain, serial: new(big.Int).SetBytes(b[:])}
}

// SetFail changes the failure mode while the server is serving.
func (s *Server) SetFail(m FailMode) {
	s.mu.Lock()
	s.Fail = m
	s.mu.Unlock()
}

// SetExtraPadding changes ExtraPadding while the server is serving.
func (s *Server) SetExtraPadding(n int) {
	s.mu.Lock()
	s.ExtraPadding = n
	s.mu.Unlock()
}

// Requests returns how many POST requests reached the server.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Issued returns how many tokens the server signed.
func (s *Server) Issued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// Start serves s on a fresh port of 127.0.0.1. It returns the URL to give
// clients and a stop function that shuts the listener down and waits (up
// to 5 s) for requests in flight.
func Start(s *Server) (url string, stop func(), err error) {
	base, stop, err := loopback.Serve(s)
	if err != nil {
		return "", nil, fmt.Errorf("tsa: %w", err)
	}
	return base + "/", stop, nil
}

// ServeHTTP answers one RFC 3161 request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST a timestamp query", http.StatusMethodNotAllowed)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/timestamp-query" {
		http.Error(w, "content type must be application/timestamp-query", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequest+1))
	if err != nil {
		http.Error(w, "read request: "+err.Error(), http.StatusBadRequest)
		return
	}
	if len(body) > maxRequest {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if s.Fail == FailHTTP500 {
		http.Error(w, "test TSA: failure requested", http.StatusInternalServerError)
		return
	}
	resp := s.respond(r.Context(), body)
	der, err := resp.Marshal()
	if err != nil {
		http.Error(w, "encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(der)
}

func reject(fail int, text string) *cms.TimestampResponse {
	return &cms.TimestampResponse{Status: cms.StatusRejection, StatusStrings: []string{text}, FailInfo: 1 << uint(fail)}
}

// respond builds the response for a request body; s.mu is held.
func (s *Server) respond(ctx context.Context, body []byte) *cms.TimestampResponse {
	req, err := cms.ParseTimestampRequest(body)
	if err != nil {
		return reject(cms.FailBadDataFormat, err.Error())
	}
	switch req.Hash {
	case crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return reject(cms.FailBadAlg, fmt.Sprintf("unsupported hash algorithm %v", req.HashAlgorithm))
	}
	if len(req.HashedMessage) != req.Hash.Size() {
		return reject(cms.FailBadDataFormat, "message imprint length does not fit its hash")
	}
	policy := s.Policy
	if policy == nil {
		policy = DefaultPolicy
	}
	if req.Policy != nil && !req.Policy.Equal(policy) {
		return reject(cms.FailUnacceptedPolicy, fmt.Sprintf("policy %v not offered", req.Policy))
	}
	if req.HasExtensions {
		return reject(cms.FailUnacceptedExtension, "extensions are not supported")
	}
	if s.Fail == FailRejection {
		return reject(cms.FailSystemFailure, "test TSA: rejection requested")
	}

	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	acc := s.Accuracy
	if acc == 0 {
		acc = time.Second
	}
	s.serial.Add(s.serial, big.NewInt(1))
	ts := &cms.Timestamp{
		Policy:        policy,
		Hash:          req.Hash,
		HashedMessage: append([]byte(nil), req.HashedMessage...),
		SerialNumber:  new(big.Int).Set(s.serial),
		Time:          now().UTC().Truncate(time.Millisecond),
		Accuracy:      max(acc, 0),
		Nonce:         req.Nonce,
	}
	if s.Fail == FailWrongImprint {
		ts.HashedMessage[0] ^= 0xff
	}
	if s.Fail == FailWrongNonce {
		n := big.NewInt(1)
		if req.Nonce != nil {
			n.Add(n, req.Nonce)
		}
		ts.Nonce = n
	}
	if s.ExtraPadding > 0 {
		v, _ := asn1.Marshal(make([]byte, s.ExtraPadding))
		ts.Extensions = []pkix.Extension{{Id: oidPadding, Value: v}}
	}
	info, err := ts.MarshalTSTInfo()
	if err != nil {
		return reject(cms.FailSystemFailure, err.Error())
	}
	token, err := cms.SignEncapsulated(ctx, cms.OIDTSTInfo, info, cms.SignOptions{
		Signer:           s.signer,
		Certificate:      s.cert,
		Chain:            s.chain,
		Hash:             s.Hash,
		Profile:          cms.PAdES,
		OmitCertificates: !req.CertReq,
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return reject(cms.FailSystemFailure, "request cancelled")
		}
		return reject(cms.FailSystemFailure, "sign: "+err.Error())
	}
	s.issued++
	return &cms.TimestampResponse{Status: cms.StatusGranted, Token: token}
}
