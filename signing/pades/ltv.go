package pades

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vanthuso/vanthu/signing/internal/pubkey"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/revocation"
)

// Validation is long-term validation material for the DSS dictionary
// (ETSI EN 319 142-1, 5.4): certificates, OCSP responses and CRLs, all DER.
type Validation struct {
	Certs []*x509.Certificate
	OCSPs [][]byte
	CRLs  [][]byte
}

// Empty reports whether v holds nothing.
func (v Validation) Empty() bool { return len(v.Certs)+len(v.OCSPs)+len(v.CRLs) == 0 }

// AddDSS appends an incremental update to the PDF at inPath that adds v to
// the document security store (/DSS in the catalog), keeping whatever the
// store already holds and never storing the same item twice. VRI entries
// (keyed by the SHA-1 of each signature's /Contents) are written for the
// signatures named in vriFields, listing all of v. The output is atomic
// like SignFile's; no signature is made, so every existing one stays valid.
func AddDSS(ctx context.Context, inPath, outPath string, v Validation, vriFields ...string) error {
	doc, err := Inspect(inPath)
	if err != nil {
		return fmt.Errorf("read %s: %w", filepath.Base(inPath), err)
	}
	defer doc.Close()
	if doc.Encrypted {
		return ErrEncrypted
	}
	if doc.DocMDP == 1 {
		return ErrCertifiedNoChanges
	}
	_, err = doc.appendUpdate(ctx, outPath, crypto.SHA256, func(u *update) (*placeholders, error) {
		return nil, doc.writeDSS(u, v, vriFields)
	}, nil)
	return err
}

func (d *Document) writeDSS(u *update, v Validation, vriFields []string) error {
	r := d.Reader
	dss := pdf.Dict{}
	var dssRef pdf.Ref
	if ref, ok := d.catalog["DSS"].(pdf.Ref); ok {
		dssRef = ref
	}
	if old, err := r.ResolveDict(d.catalog["DSS"]); err == nil && old != nil {
		dss = maps.Clone(old)
	}

	// Existing entries, by content hash, so nothing is stored twice.
	type list struct {
		key   pdf.Name
		items [][]byte
	}
	lists := []list{{"Certs", nil}, {"OCSPs", v.OCSPs}, {"CRLs", v.CRLs}}
	for _, c := range v.Certs {
		lists[0].items = append(lists[0].items, c.Raw)
	}
	refsByKey := map[pdf.Name][]pdf.Object{}
	for _, l := range lists {
		existing, _ := mustResolve(r, dss[l.key]).(pdf.Array)
		have := map[[32]byte]pdf.Object{}
		arr := append(pdf.Array{}, existing...)
		for _, e := range existing {
			if s, ok := mustResolve(r, e).(*pdf.Stream); ok {
				if data, err := r.StreamData(s); err == nil {
					have[sha256.Sum256(data)] = e
				}
			}
		}
		var refs []pdf.Object
		for _, item := range l.items {
			sum := sha256.Sum256(item)
			if e, ok := have[sum]; ok {
				refs = append(refs, e)
				continue
			}
			ref, err := writeFlateStream(u, item)
			if err != nil {
				return err
			}
			have[sum] = ref
			arr = append(arr, ref)
			refs = append(refs, ref)
		}
		if len(arr) > 0 {
			dss[l.key] = arr
		}
		refsByKey[l.key] = refs
	}

	if len(vriFields) > 0 {
		vri, _ := r.ResolveDict(dss["VRI"])
		vri = maps.Clone(vri)
		if vri == nil {
			vri = pdf.Dict{}
		}
		for _, name := range vriFields {
			key, err := d.vriKey(name)
			if err != nil {
				return err
			}
			entry := pdf.Dict{}
			for k, vk := range map[pdf.Name]pdf.Name{"Certs": "Cert", "OCSPs": "OCSP", "CRLs": "CRL"} {
				if refs := refsByKey[k]; len(refs) > 0 {
					entry[vk] = pdf.Array(refs)
				}
			}
			vri[pdf.Name(key)] = entry
		}
		dss["VRI"] = vri
	}

	d.putCatalogDict(u, "DSS", dssRef, dss)
	return nil
}

// vriKey is the VRI dictionary key of the signature in field name: the
// upper-case hex SHA-1 of its /Contents string.
func (d *Document) vriKey(name string) (string, error) {
	f, ok := d.Field(name)
	if !ok || f.Type != "Sig" || !f.Signed {
		return "", fmt.Errorf("%w: no signature in field %q", ErrFieldNotFound, name)
	}
	fd, err := d.Reader.ResolveDict(f.Ref)
	if err != nil || fd == nil {
		return "", fmt.Errorf("%w: field %q", ErrMalformed, name)
	}
	sig, err := d.Reader.ResolveDict(fd["V"])
	if err != nil || sig == nil {
		return "", fmt.Errorf("%w: signature of field %q", ErrMalformed, name)
	}
	contents, _ := mustResolve(d.Reader, sig["Contents"]).(pdf.String)
	sum := sha1.Sum(contents)
	return strings.ToUpper(hex.EncodeToString(sum[:])), nil
}

func writeFlateStream(u *update, data []byte) (pdf.Ref, error) {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		return pdf.Ref{}, err
	}
	return u.WriteStream([]byte("/Filter /FlateDecode"), b.Bytes())
}

// AddDocumentTimestamp appends a document timestamp (ETSI.RFC3161, the
// last step of PAdES B-LTA) covering the whole document at inPath, in a new
// invisible signature field. The TSA is asked once for the size of its
// tokens and once for the timestamp. It returns the field's name.
func AddDocumentTimestamp(ctx context.Context, inPath, outPath string, tsa Timestamper, hash crypto.Hash) (*Result, error) {
	if tsa == nil {
		return nil, errors.New("document timestamp: no timestamp authority")
	}
	if hash == 0 {
		hash = crypto.SHA256
	}
	doc, err := Inspect(inPath)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Base(inPath), err)
	}
	defer doc.Close()
	if doc.Encrypted {
		return nil, ErrEncrypted
	}
	if doc.DocMDP == 1 {
		return nil, ErrCertifiedNoChanges
	}
	if err := doc.CheckFieldLock(doc.uniqueFieldName("DocumentTimestamp")); err != nil {
		return nil, err
	}
	n, err := tsa.ProbeSize(ctx)
	if err != nil {
		return nil, fmt.Errorf("timestamp authority: %w", err)
	}
	reserve := n + n/8 + 256
	var field string
	res, err := doc.appendUpdate(ctx, outPath, hash, func(u *update) (*placeholders, error) {
		o := Options{NewFieldName: doc.uniqueFieldName("DocumentTimestamp")}
		name, ph, err := doc.buildUpdate(u, o, pdf.Dict{
			"Type":      pdf.Name("DocTimeStamp"),
			"Filter":    pdf.Name("Adobe.PPKLite"),
			"SubFilter": pdf.Name("ETSI.RFC3161"),
		}, reserve)
		field = name
		return &ph, err
	}, func(ctx context.Context, digest []byte) ([]byte, error) {
		tok, err := tsa.Timestamp(ctx, digest, hash)
		if err != nil {
			return nil, fmt.Errorf("document timestamp: %w", err)
		}
		return tok, nil
	})
	if err != nil {
		return nil, err
	}
	res.Field, res.Reserved = field, reserve
	return res, nil
}

// OnlineValidation is the ValidationFetcher of B-LT and B-LTA signing: it
// asks c (OCSP first, the CRL as fallback, through c's cache) about every
// certificate of each chain but the last, and returns the certificates,
// the verified answers and the OCSP responder certificates they need. A
// certificate nobody can answer for is an error: a B-LT signature without
// its revocation data would not be one.
//
// A chain that stops below its root (a token carries the signer's CA but
// rarely the root) is completed from Issuers, so that the CA's own
// revocation is embedded too: a verifier checks every certificate but the
// anchor.
type OnlineValidation struct {
	Checker *revocation.Checker
	// Issuers are CA certificates to complete chains with (the trust
	// list's anchors and intermediates); none leaves chains as given.
	Issuers []*x509.Certificate
}

// Fetch implements ValidationFetcher.
func (f OnlineValidation) Fetch(ctx context.Context, chains ...[]*x509.Certificate) (Validation, error) {
	var v Validation
	var errs []error
	for _, chain := range chains {
		chain = completeChain(orderChain(chain), f.Issuers)
		ev, err := f.Checker.Fetch(ctx, chain)
		if err != nil {
			errs = append(errs, err)
		}
		v.Certs = append(v.Certs, chain...)
		v.Certs = append(v.Certs, ev.Certs...)
		v.OCSPs = append(v.OCSPs, ev.OCSP...)
		v.CRLs = append(v.CRLs, ev.CRLs...)
	}
	return v, errors.Join(errs...)
}

// completeChain appends to an ordered chain the issuers from pool that
// continue it, up to a self-issued certificate (at most 8 more). An issuer
// is taken by name and a verified signature; SHA-1 signatures count here
// (the roots of VGCA G1 and NEAC use them), since this only chooses what
// revocation data to fetch, it decides no trust.
func completeChain(chain, pool []*x509.Certificate) []*x509.Certificate {
	if len(chain) == 0 || len(pool) == 0 {
		return chain
	}
	out := slices.Clone(chain)
	for range 8 {
		cur := out[len(out)-1]
		if bytes.Equal(cur.RawIssuer, cur.RawSubject) {
			break
		}
		var next *x509.Certificate
		for _, c := range pool {
			if bytes.Equal(c.RawSubject, cur.RawIssuer) && !slices.ContainsFunc(out, c.Equal) && signedBy(cur, c) {
				next = c
				break
			}
		}
		if next == nil {
			break
		}
		out = append(out, next)
	}
	return out
}

// orderChain puts chain in issuing order from its first certificate (the
// end entity): each certificate followed by its issuer, as far as chain
// holds them; the rest follow in their order. A CMS certificate set, such
// as a timestamp token's, has no order.
func orderChain(chain []*x509.Certificate) []*x509.Certificate {
	if len(chain) < 2 {
		return chain
	}
	out := []*x509.Certificate{chain[0]}
	used := make([]bool, len(chain))
	used[0] = true
	for cur := chain[0]; !bytes.Equal(cur.RawIssuer, cur.RawSubject); {
		next := -1
		for i, c := range chain {
			if !used[i] && bytes.Equal(c.RawSubject, cur.RawIssuer) && cur.CheckSignatureFrom(c) == nil {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		used[next] = true
		cur = chain[next]
		out = append(out, cur)
	}
	for i, c := range chain {
		if !used[i] {
			out = append(out, c)
		}
	}
	return out
}

// signedBy reports whether issuer's key verifies cert's signature.
func signedBy(cert, issuer *x509.Certificate) bool {
	_, err := pubkey.VerifyCertificateSignature(cert.SignatureAlgorithm, issuer.PublicKey, cert.RawTBSCertificate, cert.Signature)
	return err == nil
}
