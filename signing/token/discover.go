package token

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// EnvModule names the environment variable that Discover consults after the
// configured path.
const EnvModule = "VANTHU_PKCS11_MODULE"

// Probe sources.
const (
	SourceConfig = "config" // the path configured in the application settings
	SourceEnv    = "env"    // $VANTHU_PKCS11_MODULE
	SourceKnown  = "known"  // the built-in per-OS list
)

// Probe records one place Discover looked for a PKCS#11 module.
type Probe struct {
	Path   string
	Source string // SourceConfig, SourceEnv or SourceKnown
	Found  bool   // a regular file exists at Path; it has not been loaded yet
	Err    string // why Path was rejected, e.g. "not found"; empty when Found
	Vendor string // who ships the module, guessed from the file name; may be empty
}

func (p Probe) String() string {
	s := p.Path + " (" + p.Source
	if p.Vendor != "" {
		s += ", " + p.Vendor
	}
	s += ")"
	if !p.Found {
		s += ": " + p.Err
	}
	return s
}

// knownModule is one entry of the per-OS list in known_*.go.
type knownModule struct {
	Path   string
	Vendor string
}

// knownList is replaced by tests.
var knownList = knownModules

// Discover picks the PKCS#11 module to use. It tries, in order, the
// configured path (skipped when empty), $VANTHU_PKCS11_MODULE (skipped when
// unset) and the built-in list of vendor modules for this OS, and returns
// the first path where a file exists. A configured path that does not exist
// does not stop the search, but its probe says so.
//
// probes lists what was tried, up to and including the module returned, so
// the caller can say which module was found and where. When nothing is
// found the error wraps ErrNoModule and its text lists every probe.
// Discover only checks that the file exists; Open loads it.
func Discover(configured string) (path string, probes []Probe, err error) {
	for _, p := range candidates(configured) {
		p = probe(p)
		probes = append(probes, p)
		if p.Found {
			return p.Path, probes, nil
		}
	}
	return "", probes, noModuleError(configured, probes)
}

// DiscoverAll probes every candidate in Discover's order and returns all
// probes; those with Found set are the modules present on this machine (for
// a settings screen), the others explain what was tried.
func DiscoverAll(configured string) []Probe {
	cands := candidates(configured)
	for i := range cands {
		cands[i] = probe(cands[i])
	}
	return cands
}

func candidates(configured string) []Probe {
	var out []Probe
	seen := map[string]bool{}
	add := func(path, source, vendor string) {
		key := filepath.Clean(path)
		if seen[key] {
			return
		}
		seen[key] = true
		if vendor == "" {
			vendor = vendorOf(path)
		}
		out = append(out, Probe{Path: path, Source: source, Vendor: vendor})
	}
	if configured = strings.TrimSpace(configured); configured != "" {
		add(configured, SourceConfig, "")
	}
	if env := strings.TrimSpace(os.Getenv(EnvModule)); env != "" {
		add(env, SourceEnv, "")
	}
	for _, k := range knownList() {
		add(k.Path, SourceKnown, k.Vendor)
	}
	return out
}

func probe(p Probe) Probe {
	fi, err := os.Stat(p.Path)
	switch {
	case os.IsNotExist(err):
		p.Err = "not found"
	case err != nil:
		p.Err = err.Error()
	case fi.IsDir():
		p.Err = "is a directory"
	default:
		p.Found = true
	}
	return p
}

func noModuleError(configured string, probes []Probe) error {
	var b strings.Builder
	if configured == "" {
		b.WriteString("no module configured; ")
	}
	if os.Getenv(EnvModule) == "" {
		b.WriteString(EnvModule + " not set; ")
	}
	b.WriteString("probed: ")
	for i, p := range probes {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.String())
	}
	return fmt.Errorf("%w (%s)", ErrNoModule, b.String())
}

// vendors maps a module's base name (lower case, no "lib" prefix, no
// extension) to who ships it. Names from DOMAIN.md "Certificates and tokens".
var vendors = map[string]string{
	"etpkcs11":          "SafeNet eToken (VGCA)",
	"etoken":            "SafeNet eToken (VGCA)",
	"bit4xpki":          "Bit4id (VGCA)",
	"viettel-ca_v6":     "Viettel-CA",
	"vnpt-ca_csp11":     "VNPT-CA",
	"vnptca_p11_v8":     "VNPT-CA",
	"bkavca":            "BKAV-CA",
	"bkavcav2s":         "BKAV-CA",
	"fptca_v3":          "FPT-CA",
	"ca2_csp11":         "CA2",
	"shuttlecsp11_3003": "Shuttle token",
	"vina-ca_v5":        "Vina-CA",
	"safe-ca":           "Safe-CA",
	"newca_v4":          "NewCA",
	"efy-ca_v1":         "EFY-CA",
	"misaca_csp11_v2":   "MISA-CA",
	"eps2003csp11":      "Feitian ePass2003",
	"castle":            "Feitian ePass2003",
	"wdpkcs":            "WatchData",
	"opensc-pkcs11":     "OpenSC",
	"softhsm2":          softHSMVendor,
}

// windowsDLLs are the PKCS#11 modules of the tokens in use in Viet Nam
// (DOMAIN.md), most installed into System32 by the vendor's setup.
var windowsDLLs = []string{
	"eTPKCS11.dll", "bit4xpki.dll", // VGCA tokens
	"viettel-ca_v6.dll", "vnpt-ca_csp11.dll", "vnptca_p11_v8.dll",
	"BkavCA.dll", "BkavCAv2S.dll", "fptca_v3.dll", "CA2_csp11.dll",
	"ShuttleCsp11_3003.dll", "vina-ca_v5.dll", "safe-ca.dll", "newca_v4.dll",
	"efy-ca_v1.dll", "misaca_csp11_v2.dll", "eps2003csp11.dll", "wdpkcs.dll",
}

// softHSMVendor marks SoftHSM2: a software token for tests and the demo,
// never for real signatures.
const softHSMVendor = "SoftHSM2 software token (test/demo)"

func vendorOf(path string) string {
	base := strings.ToLower(filepath.Base(strings.ReplaceAll(path, `\`, "/")))
	if i := strings.Index(base, "."); i > 0 {
		base = base[:i]
	}
	if v, ok := vendors[base]; ok {
		return v
	}
	return vendors[strings.TrimPrefix(base, "lib")]
}
