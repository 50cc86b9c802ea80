package trustlist

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io/fs"
	"slices"
	"sync"

	"github.com/vanthuso/vanthu/assets"
)

// pin is one shipped file: its path in assets.Trust, its role and the
// SHA-256 of its certificate. The table is the list: a file of
// assets.Trust that is not here is an error, and so is a file whose
// certificate has another fingerprint.
type pin struct {
	file, sha256 string
	role         Role
	note         string
}

// pins is the shipped list, roots first. Fingerprints as in
// assets/trust/SOURCES.md (and the corpus's trust/SOURCES.md, which the
// tests compare with).
var pins = []pin{
	{"trust/vgca-rootca-g1.pem", "F7:BC:89:05:4C:EC:7F:12:73:0D:7B:8C:D3:EB:79:55:B1:63:83:50:87:E5:EB:87:3E:DF:B5:84:76:3B:3F:90", Root,
		"VGCA root G1 (SHA-1), still issuing through its sub-CA and TSA; confidence high"},
	{"trust/vgca-rootca-g2.pem", "F0:4B:A4:B4:59:A7:C9:A1:B9:71:AD:9B:1C:B8:33:E6:95:A8:0C:79:AE:A6:3B:17:4B:66:A7:0E:DF:E2:FD:B8", Root,
		"VGCA root G2; confidence high"},
	{"trust/neac-vnrca-g2-sha256.pem", "BA:C8:BF:60:9A:B4:20:A8:EE:17:80:D7:4F:4D:E5:C7:F7:18:49:59:D2:A7:37:5B:0A:75:E4:C2:9F:09:08:E7", Root,
		"NEAC national root (public CAs); confidence high"},
	{"trust/neac-vnrca-g3.pem", "7B:32:69:E7:D7:9A:EB:BF:AE:50:95:F4:5B:BB:70:74:77:1E:69:0C:B7:DF:02:B4:41:06:2B:12:F7:69:0E:CE", Root,
		"NEAC national root G3 (2024); confidence medium-high: one copy, SHA-1 thumbprint matches an independent source"},
	{"trust/neac-mic-national-root-ca-sha1.pem", "CA:91:8D:63:5B:B1:30:BE:C9:76:39:E6:AA:BF:7E:DB:C4:EB:13:10:F8:05:8B:94:19:F4:67:AE:02:30:AD:8C", Root,
		"NEAC legacy MIC National Root CA (SHA-1, 2008); confidence high"},

	{"trust/vgca-cqcts-chinhphu-g1.pem", "75:E9:69:C0:7B:A3:5C:29:C7:2B:BC:1B:FB:88:0F:20:F3:89:1A:61:9B:00:B7:7E:B0:2C:A6:16:07:36:A1:FE", Intermediate,
		"VGCA G1 sub-CA of ministries and the Government Office (SHA-1); confidence high"},
	{"trust/vgca-ca-nhanuoc-g2.pem", "D8:CA:B7:A4:AE:F9:2E:6B:B2:50:9D:7C:61:CE:E7:B4:4F:37:31:B2:D2:10:74:96:35:30:27:7B:36:6F:AE:4B", Intermediate,
		"VGCA G2 sub-CA of State agencies; confidence high"},
	{"trust/vgca-ca-dang-g2.pem", "E4:B4:02:E3:CB:4C:AC:C0:A2:0D:21:FA:49:BC:E7:6B:EB:4E:B4:7B:A7:FF:B7:A8:F7:1C:55:4D:BE:56:1A:81", Intermediate,
		"VGCA G2 sub-CA of Party agencies; confidence high"},
	{"trust/vnpt-ca-sha2.pem", "7D:6B:A5:24:53:17:F9:ED:5D:8B:C7:65:A4:63:4D:26:AC:63:40:D3:6B:9F:58:4D:F3:B5:2D:9C:4A:81:A3:06", Intermediate,
		"VNPT-CA SHA2 under the NEAC root; confidence high"},
	{"trust/vnpt-smartca-rs.pem", "95:CF:8F:36:C9:86:E0:C0:F7:E0:37:61:B1:7D:78:04:07:2C:B6:44:B2:35:A8:F1:C6:21:07:F8:80:4A:48:89", Intermediate,
		"VNPT SmartCA RS (remote signing) under the NEAC root; confidence high"},
	{"trust/viettel-ca-rs.pem", "86:0B:CB:E2:2F:DC:67:57:FE:03:B4:59:7F:7C:61:CA:7F:36:E1:3C:EB:74:A7:8C:BE:FC:9C:5B:26:7B:86:62", Intermediate,
		"Viettel-CA RS (remote signing) under the NEAC root; confidence high"},
	{"trust/fastca-sha256.pem", "BC:E5:3B:FC:01:7D:C9:17:CC:AC:7F:31:4B:CD:DF:25:7C:53:EC:8F:FC:01:65:F3:3A:80:55:8D:ED:ED:01:F1", Intermediate,
		"FastCA under the NEAC root (expired 2025); signature verifies, provenance weak"},
	{"trust/easyca.pem", "22:6F:F8:8E:9B:3B:C2:3B:C7:56:42:5E:6A:52:36:89:5F:04:AD:72:FB:48:D1:A3:24:2F:43:89:25:9C:E4:87", Intermediate,
		"EASYCA (Softdreams) under the NEAC root (expired 2025); confidence high"},
	{"trust/misa-ca.pem", "C8:B3:18:6A:61:1D:D6:A9:44:59:24:CD:C6:A9:50:D1:59:27:77:93:53:10:98:3E:6E:56:86:1A:C8:C9:23:37", Intermediate,
		"MISA-CA under the NEAC root (expired 2024); confidence high"},
	{"trust/viettel-ca-2019-sha1.pem", "CA:A2:B4:D7:62:B8:ED:89:4B:3C:BA:D7:6E:53:18:34:EE:E7:8B:BB:FE:13:D1:57:BF:27:B6:4A:A5:69:75:F1", Intermediate,
		"Viettel-CA 2019 (SHA-1) under the legacy MIC root; confidence high"},
	{"trust/newtel-ca-v2.pem", "DB:1E:6E:15:64:7B:A2:89:C3:02:D7:EB:AB:2A:83:87:D0:08:F8:74:75:1D:99:0E:29:F5:A8:5F:AB:72:15:8C", Intermediate,
		"NEWTEL-CA v2 (SHA-1) under the legacy MIC root; confidence high"},

	{"trust/vgca-tsa-2013.pem", "FB:28:89:04:77:96:A5:88:37:8A:57:D4:7C:EB:56:3E:FE:FA:39:AF:95:B9:4D:8F:49:38:30:B5:FF:16:34:BC", TSA,
		"VGCA timestamping server 2013-2018, under the G1 root; for old timestamps; confidence high"},
	{"trust/vgca-tsa01-2018.pem", "DA:00:DB:89:A8:49:FE:8B:00:88:27:07:22:4C:6B:29:1B:DE:D5:44:69:E1:A7:53:27:44:F9:6E:CA:E7:9D:39", TSA,
		"VGCA timestamping server 01 (2018-2028), under the G1 root, stamps G2 documents too; confidence high"},

	{"trust/candidates/mic-national-root-ca-2019-trustca.pem", "11:D3:5A:4C:A6:F9:70:96:95:E0:95:8B:F9:B0:96:46:AD:C1:59:70:AF:76:46:B8:07:E0:51:AB:75:7D:52:A1", Candidate,
		"a 2019 'MIC National Root CA' seen only above TrustCA G1; not pinned against NEAC's publication"},
	{"trust/candidates/mic-national-root-ca-2019-fpt.pem", "B7:03:D4:58:C2:5F:A9:14:55:6D:A1:0E:B2:CD:AE:16:DB:83:AB:B0:DF:B8:FC:80:91:91:64:CE:7A:18:B8:25", Candidate,
		"a 2019 'MIC National Root CA' seen only above FPT CA; not pinned against NEAC's publication"},
	{"trust/candidates/trustca-g1.pem", "3C:AE:AC:05:77:A9:0E:95:1B:D3:D4:22:6C:38:F9:B5:C3:37:73:12:48:24:6F:13:5F:5B:9E:2F:09:A7:22:71", Intermediate,
		"TrustCA G1 (SAVIS), issued by a candidate root: its chains are untrusted unless that root is trusted"},
	{"trust/candidates/fpt-ca.pem", "5B:35:7A:D2:A8:BF:38:1D:E2:21:93:D7:A4:6F:15:FC:5E:9E:8D:D9:8E:84:74:36:76:71:8A:F2:DA:A2:41:A4", Intermediate,
		"FPT CA, issued by a candidate root: its chains are untrusted unless that root is trusted"},
}

var (
	defaultsOnce sync.Once
	defaultsList []Entry
	defaultsErr  error
)

// shipped returns the checked shipped list (shared: callers copy).
func shipped() ([]Entry, error) {
	defaultsOnce.Do(func() { defaultsList, defaultsErr = loadPinned(assets.Trust, pins) })
	return defaultsList, defaultsErr
}

// Defaults returns the shipped list in its default state, roots first:
// roots, intermediates and TSA certificates trusted, candidates not. It
// panics if the embedded files do not match their pins (a build defect
// the package's tests catch; Load returns it as an error instead).
func Defaults() []Entry {
	list, err := shipped()
	if err != nil {
		panic("trustlist: " + err.Error())
	}
	return slices.Clone(list)
}

// loadPinned reads every pinned file of fsys and checks it: one PEM
// certificate, the pinned fingerprint, a certificate that fits the role.
// Every .pem file of fsys must be pinned.
func loadPinned(fsys fs.FS, table []pin) ([]Entry, error) {
	pinned := map[string]bool{}
	seen := map[string]string{}
	var out []Entry
	for _, p := range table {
		if pinned[p.file] {
			return nil, fmt.Errorf("shipped trust list: %s pinned twice", p.file)
		}
		pinned[p.file] = true
		cert, err := readPinned(fsys, p.file)
		if err != nil {
			return nil, fmt.Errorf("shipped trust list: %w", err)
		}
		fp := Fingerprint(cert)
		if fp != p.sha256 {
			return nil, fmt.Errorf("shipped trust list: %s has SHA-256 %s, pinned %s", p.file, fp, p.sha256)
		}
		if other, dup := seen[fp]; dup {
			return nil, fmt.Errorf("shipped trust list: %s is the same certificate as %s", p.file, other)
		}
		seen[fp] = p.file
		if err := fitsRole(cert, p.role); err != nil {
			return nil, fmt.Errorf("shipped trust list: %s: %w", p.file, err)
		}
		e := newEntry(cert, p.role, Default)
		e.Trusted = p.role != Candidate
		e.File, e.Note = p.file, p.note
		out = append(out, e)
	}
	var unpinned []string
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !pinned[path] {
			unpinned = append(unpinned, path)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("shipped trust list: %w", err)
	}
	if len(unpinned) > 0 {
		return nil, fmt.Errorf("shipped trust list: files not pinned: %v", unpinned)
	}
	return out, nil
}

// readPinned reads the one PEM certificate of a shipped file.
func readPinned(fsys fs.FS, name string) (*x509.Certificate, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	block, rest := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: not a PEM certificate", name)
	}
	if next, _ := pem.Decode(rest); next != nil {
		return nil, fmt.Errorf("%s: more than one PEM block", name)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return cert, nil
}

// fitsRole checks that a shipped certificate can play its role: roots and
// candidates self-issued CAs, intermediates CAs that are not self-issued,
// TSA certificates end entities for timestamping.
func fitsRole(cert *x509.Certificate, role Role) error {
	got, err := Classify(cert)
	switch role {
	case Root, Candidate:
		if got != Root {
			return fmt.Errorf("pinned as %s but not a self-issued CA (%v)", role, err)
		}
	case Intermediate:
		if got != Intermediate {
			return fmt.Errorf("pinned as intermediate but classified %v (%v)", got, err)
		}
	case TSA:
		if cert.IsCA || !slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
			return fmt.Errorf("pinned as TSA but not a timestamping end entity")
		}
	default:
		return fmt.Errorf("unknown role %v", role)
	}
	return nil
}
