package testpki

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/miekg/pkcs11"

	"github.com/vanthuso/vanthu/signing/token"
)

// SoftHSM2 file backend: token.object is a big-endian uint64 generation
// followed by attributes, each a uint64 type, a uint64 kind and a value
// (kind 1 boolean: one byte; kind 2 ulong: uint64; kind 3 byte string:
// uint64 length and the bytes).
const (
	softHSMTokenLabel = 0x80005349 // CKA_OS_TOKENLABEL
	softHSMTokenFlags = 0x8000534b // CKA_OS_TOKENFLAGS
	kindBool          = 1
	kindULong         = 2
	kindBytes         = 3
)

// SetPINState writes the user-PIN flags of the token labelled tokenLabel
// into SoftHSM2's token file, to test how the application reacts to a
// token reporting a low count, a final try or a locked PIN. SoftHSM2 has no
// retry counter: it only reports these flags in C_GetTokenInfo (and sets
// CountLow itself after a wrong PIN, clearing it after a right one); it
// never refuses a right PIN because of them. token.Session.Login does
// refuse to send a PIN to a token that reports Locked.
//
// SoftHSM2 reads the file when initialised: call SetPINState while no
// token.Module is open on this PKI.
func (p *PKI) SetPINState(tokenLabel string, st token.PINState) error {
	dir, err := findTokenDir(filepath.Join(p.Dir, "tokens"), tokenLabel)
	if err != nil {
		return fmt.Errorf("set PIN state of token %q: %w", tokenLabel, err)
	}
	path := filepath.Join(dir, "token.object")
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("set PIN state of token %q: %w", tokenLabel, err)
	}
	off, err := tokenAttr(data, softHSMTokenFlags, kindULong)
	if err != nil {
		return fmt.Errorf("set PIN state of token %q: %s: %w", tokenLabel, path, err)
	}
	flags := binary.BigEndian.Uint64(data[off:])
	set := func(bit uint, on bool) {
		if on {
			flags |= uint64(bit)
		} else {
			flags &^= uint64(bit)
		}
	}
	set(pkcs11.CKF_USER_PIN_COUNT_LOW, st.CountLow)
	set(pkcs11.CKF_USER_PIN_FINAL_TRY, st.FinalTry)
	set(pkcs11.CKF_USER_PIN_LOCKED, st.Locked)
	set(pkcs11.CKF_USER_PIN_TO_BE_CHANGED, st.ToBeChanged)
	binary.BigEndian.PutUint64(data[off:], flags)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("set PIN state of token %q: %w", tokenLabel, err)
	}
	return nil
}

// findTokenDir returns the directory under tokensDir of the token whose
// label is label.
func findTokenDir(tokensDir, label string) (string, error) {
	entries, err := os.ReadDir(tokensDir)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(tokensDir, e.Name(), "token.object"))
		if err != nil {
			continue
		}
		off, err := tokenAttr(data, softHSMTokenLabel, kindBytes)
		if err != nil {
			continue
		}
		if string(bytes.TrimRight(data[off:off+32], " \x00")) == label {
			return filepath.Join(tokensDir, e.Name()), nil
		}
	}
	return "", fmt.Errorf("no token labelled %q in %s", label, tokensDir)
}

// tokenAttr returns the offset of the value of attribute typ in a SoftHSM2
// object file (for byte strings, of the bytes after the length).
func tokenAttr(data []byte, typ, kind uint64) (int, error) {
	off := 8
	u64 := func() (uint64, bool) {
		if off+8 > len(data) {
			return 0, false
		}
		v := binary.BigEndian.Uint64(data[off:])
		off += 8
		return v, true
	}
	for off < len(data) {
		t, ok1 := u64()
		k, ok2 := u64()
		if !ok1 || !ok2 {
			break
		}
		start := off
		switch k {
		case kindBool:
			off++
		case kindULong:
			off += 8
		case kindBytes:
			n, ok := u64()
			if !ok {
				return 0, errors.New("truncated object file")
			}
			start = off
			off += int(n)
		default:
			return 0, fmt.Errorf("unknown attribute kind %d", k)
		}
		if off > len(data) {
			break
		}
		if t == typ {
			if k != kind {
				return 0, fmt.Errorf("attribute %#x has kind %d, want %d", typ, k, kind)
			}
			return start, nil
		}
	}
	return 0, fmt.Errorf("attribute %#x not found", typ)
}
