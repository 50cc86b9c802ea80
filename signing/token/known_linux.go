package token

import "runtime"

// knownModules lists OpenSC first (it drives many cards and ePass2003
// tokens), then vendor middleware at the paths their Linux installers use,
// then SoftHSM2 last: it is a software token for tests and the demo.
func knownModules() []knownModule {
	triplet := map[string]string{
		"amd64": "x86_64-linux-gnu",
		"arm64": "aarch64-linux-gnu",
		"386":   "i386-linux-gnu",
	}[runtime.GOARCH]
	var out []knownModule
	if triplet != "" {
		out = append(out,
			knownModule{Path: "/usr/lib/" + triplet + "/pkcs11/opensc-pkcs11.so"},
			knownModule{Path: "/usr/lib/" + triplet + "/opensc-pkcs11.so"})
	}
	out = append(out,
		knownModule{Path: "/usr/lib64/pkcs11/opensc-pkcs11.so"}, // Fedora, openSUSE
		knownModule{Path: "/usr/lib64/opensc-pkcs11.so"},
		knownModule{Path: "/usr/local/lib/opensc-pkcs11.so"},
		// Vendor middleware; extend as IT staff report paths. Anything else
		// is reachable through the configured path or VANTHU_PKCS11_MODULE.
		knownModule{Path: "/usr/lib/libeTPkcs11.so"},
		knownModule{Path: "/usr/lib/libeToken.so"},
		knownModule{Path: "/usr/lib/bit4id/libbit4xpki.so"},
		knownModule{Path: "/usr/local/lib/bit4id/libbit4xpki.so"},
		knownModule{Path: "/usr/lib/libcastle.so.1.0.0"},
		knownModule{Path: "/usr/local/lib/libcastle.so.1.0.0"},
		knownModule{Path: "/usr/lib/softhsm/libsofthsm2.so", Vendor: softHSMVendor},
	)
	if triplet != "" {
		out = append(out, knownModule{Path: "/usr/lib/" + triplet + "/softhsm/libsofthsm2.so", Vendor: softHSMVendor})
	}
	return append(out, knownModule{Path: "/usr/local/lib/softhsm/libsofthsm2.so", Vendor: softHSMVendor})
}
