package token

// knownModules lists OpenSC (its installer and Homebrew), vendor middleware,
// then SoftHSM2 last (software token for tests and the demo).
func knownModules() []knownModule {
	return []knownModule{
		{Path: "/Library/OpenSC/lib/opensc-pkcs11.so"},
		{Path: "/opt/homebrew/lib/opensc-pkcs11.so"},
		{Path: "/usr/local/lib/opensc-pkcs11.so"},
		{Path: "/usr/local/lib/libeTPkcs11.dylib"},
		{Path: "/usr/local/lib/bit4id/libbit4xpki.dylib"},
		{Path: "/opt/homebrew/lib/softhsm/libsofthsm2.so", Vendor: softHSMVendor},
		{Path: "/usr/local/lib/softhsm/libsofthsm2.so", Vendor: softHSMVendor},
	}
}
