//go:build !windows && !linux && !darwin

package token

// knownModules lists OpenSC and SoftHSM2 at the usual BSD locations.
func knownModules() []knownModule {
	return []knownModule{
		{Path: "/usr/local/lib/opensc-pkcs11.so"},
		{Path: "/usr/local/lib/pkcs11/opensc-pkcs11.so"},
		{Path: "/usr/local/lib/softhsm/libsofthsm2.so", Vendor: softHSMVendor},
	}
}
