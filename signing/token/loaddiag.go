package token

import (
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"fmt"
	"runtime"
)

// diagnoseLoad explains why a module could not be loaded. The most common
// cause on official workstations is a 32-bit vendor DLL in a 64-bit
// process, which the file header tells without loading anything.
func diagnoseLoad(path string) string {
	if arch := libraryArch(path); arch != "" && arch != runtime.GOARCH {
		return fmt.Sprintf("the module is built for %s but this program is %s; install the vendor's %s module", arch, runtime.GOARCH, runtime.GOARCH)
	}
	if msg := loaderMessage(path); msg != "" {
		return "cannot load library: " + msg
	}
	return "cannot load library or it is not a PKCS#11 module (no C_GetFunctionList)"
}

// libraryArch returns the GOARCH name of the shared library's machine type,
// or "" when the file is not a recognised ELF, PE or Mach-O file.
func libraryArch(path string) string {
	if f, err := elf.Open(path); err == nil {
		defer f.Close()
		return map[elf.Machine]string{
			elf.EM_X86_64: "amd64", elf.EM_386: "386", elf.EM_AARCH64: "arm64", elf.EM_ARM: "arm",
		}[f.Machine]
	}
	if f, err := pe.Open(path); err == nil {
		defer f.Close()
		return map[uint16]string{
			pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_I386: "386", pe.IMAGE_FILE_MACHINE_ARM64: "arm64",
		}[f.Machine]
	}
	if f, err := macho.Open(path); err == nil {
		defer f.Close()
		return map[macho.Cpu]string{
			macho.CpuAmd64: "amd64", macho.Cpu386: "386", macho.CpuArm64: "arm64",
		}[f.Cpu]
	}
	return ""
}
