package token

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func withKnown(t *testing.T, list []knownModule) {
	t.Helper()
	orig := knownList
	knownList = func() []knownModule { return list }
	t.Cleanup(func() { knownList = orig })
}

func touch(t *testing.T, path string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDiscoverOrder(t *testing.T) {
	dir := t.TempDir()
	conf := touch(t, filepath.Join(dir, "eTPKCS11.dll"))
	env := touch(t, filepath.Join(dir, "libviettel-ca_v6.so"))
	known := touch(t, filepath.Join(dir, "libsofthsm2.so"))
	withKnown(t, []knownModule{{Path: filepath.Join(dir, "missing.so")}, {Path: known, Vendor: softHSMVendor}})

	t.Setenv(EnvModule, env)
	path, probes, err := Discover(conf)
	if err != nil || path != conf || len(probes) != 1 || probes[0].Source != SourceConfig || probes[0].Vendor != "SafeNet eToken (VGCA)" {
		t.Errorf("configured: %q %+v %v", path, probes, err)
	}

	path, probes, err = Discover(filepath.Join(dir, "nope.dll"))
	if err != nil || path != env || len(probes) != 2 || probes[0].Found || probes[0].Err != "not found" || probes[1].Source != SourceEnv || probes[1].Vendor != "Viettel-CA" {
		t.Errorf("env after a missing configured path: %q %+v %v", path, probes, err)
	}

	t.Setenv(EnvModule, "")
	path, probes, err = Discover("")
	if err != nil || path != known || len(probes) != 2 || probes[1].Source != SourceKnown || !strings.Contains(probes[1].Vendor, "test/demo") {
		t.Errorf("known list: %q %+v %v", path, probes, err)
	}

	all := DiscoverAll(conf)
	if len(all) != 3 || !all[0].Found || all[1].Found || !all[2].Found {
		t.Errorf("DiscoverAll: %+v", all)
	}
}

func TestDiscoverNothing(t *testing.T) {
	dir := t.TempDir()
	withKnown(t, []knownModule{{Path: filepath.Join(dir, "eps2003csp11.dll")}, {Path: dir}})
	t.Setenv(EnvModule, "")
	bad := filepath.Join(dir, "cấu hình", "bit4xpki.dll")
	path, probes, err := Discover(bad)
	if !errors.Is(err, ErrNoModule) || path != "" || len(probes) != 3 {
		t.Fatalf("%q %+v %v", path, probes, err)
	}
	msg := err.Error()
	for _, want := range []string{bad + " (config, Bit4id (VGCA)): not found", EnvModule + " not set", "eps2003csp11.dll (known, Feitian ePass2003): not found", dir + " (known): is a directory"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}

func TestKnownListsThisOS(t *testing.T) {
	list := knownModules()
	if len(list) == 0 {
		t.Fatal("empty known list")
	}
	last := list[len(list)-1]
	if runtime.GOOS == "linux" {
		if !strings.Contains(last.Path, "softhsm") || last.Vendor != softHSMVendor {
			t.Errorf("SoftHSM is not last: %+v", last)
		}
		if !strings.HasSuffix(list[0].Path, "/pkcs11/opensc-pkcs11.so") {
			t.Errorf("OpenSC is not first: %+v", list[0])
		}
	}
}

func TestVendorOf(t *testing.T) {
	for path, want := range map[string]string{
		`C:\Windows\System32\vnptca_p11_v8.dll`:      "VNPT-CA",
		`C:\Windows\System32\BkavCAv2S.dll`:          "BKAV-CA",
		"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so": "OpenSC",
		"/usr/lib/libcastle.so.1.0.0":                "Feitian ePass2003",
		"/opt/other/libunknown.so":                   "",
	} {
		if got := vendorOf(path); got != want {
			t.Errorf("vendorOf(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestOpenDiagnosesArchitecture writes the header of a 32-bit x86 ELF
// library: the error must say so rather than "cannot load".
func TestOpenDiagnosesArchitecture(t *testing.T) {
	if runtime.GOARCH == "386" {
		t.Skip("this is a 386 process")
	}
	hdr := make([]byte, 52)
	copy(hdr, "\x7fELF")
	hdr[4], hdr[5], hdr[6] = 1, 1, 1            // ELFCLASS32, little endian, version 1
	binary.LittleEndian.PutUint16(hdr[16:], 3)  // ET_DYN
	binary.LittleEndian.PutUint16(hdr[18:], 3)  // EM_386
	binary.LittleEndian.PutUint32(hdr[20:], 1)  // version
	binary.LittleEndian.PutUint16(hdr[40:], 52) // ehsize
	path := filepath.Join(t.TempDir(), "vnpt-ca_csp11.so")
	if err := os.WriteFile(path, hdr, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "built for 386") {
		t.Errorf("Open(32-bit module) = %v", err)
	}
}

func TestWindowsDLLsHaveVendors(t *testing.T) {
	if len(windowsDLLs) != 17 {
		t.Errorf("%d Windows DLLs, want the 17 of DOMAIN.md", len(windowsDLLs))
	}
	for _, dll := range windowsDLLs {
		if vendorOf(`C:\Windows\System32\`+dll) == "" {
			t.Errorf("%s has no vendor", dll)
		}
	}
}
