package token

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"
)

// cryptoki is the part of *pkcs11.Ctx this package uses. Tests wrap it to
// count calls or to fake a token's answers.
type cryptoki interface {
	Initialize(opts ...pkcs11.InitializeOption) error
	Finalize() error
	GetInfo() (pkcs11.Info, error)
	GetSlotList(tokenPresent bool) ([]uint, error)
	GetTokenInfo(slotID uint) (pkcs11.TokenInfo, error)
	OpenSession(slotID uint, flags uint) (pkcs11.SessionHandle, error)
	CloseSession(sh pkcs11.SessionHandle) error
	GetSessionInfo(sh pkcs11.SessionHandle) (pkcs11.SessionInfo, error)
	Login(sh pkcs11.SessionHandle, userType uint, pin string) error
	Logout(sh pkcs11.SessionHandle) error
	FindObjectsInit(sh pkcs11.SessionHandle, temp []*pkcs11.Attribute) error
	FindObjects(sh pkcs11.SessionHandle, max int) ([]pkcs11.ObjectHandle, bool, error)
	FindObjectsFinal(sh pkcs11.SessionHandle) error
	GetAttributeValue(sh pkcs11.SessionHandle, o pkcs11.ObjectHandle, a []*pkcs11.Attribute) ([]*pkcs11.Attribute, error)
	SignInit(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, o pkcs11.ObjectHandle) error
	Sign(sh pkcs11.SessionHandle, message []byte) ([]byte, error)
}

// library is one loaded PKCS#11 module, shared by every Module opened on the
// same file: a module is loaded once per process and C_Initialize /
// C_Finalize are process-wide, so two independent handles would finalise
// each other.
type library struct {
	path string
	ck   cryptoki

	// refs counts open Modules; guarded by registry.mu.
	refs int

	// mu serialises module-level calls (slot and token info, opening and
	// closing sessions, initialise and finalise) and guards the fields below.
	// Lock order: Session.mu, then Module.mu, then library.mu.
	mu          sync.Mutex
	initialized bool
	owner       bool // we called C_Initialize; false when another component in the process did
	sessions    int  // open sessions across all Modules of this library
}

var registry = struct {
	mu   sync.Mutex
	libs map[string]*library
}{libs: map[string]*library{}}

// Module is an open PKCS#11 module. It is safe for concurrent use. Whoever
// calls Open calls Close.
type Module struct {
	lib  *library
	info ModuleInfo

	mu       sync.Mutex
	closed   bool
	sessions map[*Session]struct{}
}

// ModuleInfo describes a loaded module (C_GetInfo).
type ModuleInfo struct {
	Path            string // as passed to Open
	Manufacturer    string
	Description     string
	LibraryVersion  string // "major.minor"
	CryptokiVersion string // PKCS#11 version the module implements
	Vendor          string // guessed from the file name, see Probe.Vendor
}

var errModuleClosed = errors.New("module closed")

// Open loads the PKCS#11 module at path and initialises it (C_Initialize).
// A file that is missing, built for another architecture or not a PKCS#11
// module gives an error naming the path and the cause.
//
// Opening the same file twice in a process shares one initialised library;
// it is finalised when the last Module is closed. If another component of
// the process already initialised the module, Open uses it and never
// finalises it. The caller must Close the Module.
func Open(path string) (*Module, error) {
	if path == "" {
		return nil, errors.New("open PKCS#11 module: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open PKCS#11 module %s: %w", path, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("open PKCS#11 module %s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("open PKCS#11 module %s: is a directory", path)
	}
	key := abs
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		key = real
	}

	registry.mu.Lock()
	defer registry.mu.Unlock()
	lib := registry.libs[key]
	if lib == nil {
		ctx := pkcs11.New(abs)
		if ctx == nil {
			return nil, fmt.Errorf("open PKCS#11 module %s: %s", path, diagnoseLoad(abs))
		}
		// The library stays loaded for the life of the process: unloading
		// vendor modules that leave threads behind crashes processes, and a
		// re-open reuses the handle.
		lib = &library{path: abs, ck: ctx}
		registry.libs[key] = lib
	}
	return openLibrary(lib, path)
}

// openLibrary initialises lib if needed and returns a Module on it. It is
// called with registry.mu held.
func openLibrary(lib *library, path string) (*Module, error) {
	lib.mu.Lock()
	defer lib.mu.Unlock()
	if !lib.initialized {
		err := lib.ck.Initialize()
		switch {
		case err == nil:
			lib.owner = true
		case rvIs(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED):
			lib.owner = false
		default:
			return nil, fmt.Errorf("initialize PKCS#11 module %s: %w", path, err)
		}
		lib.initialized = true
	}
	info, err := lib.ck.GetInfo()
	if err != nil {
		if lib.refs == 0 {
			lib.finalize()
		}
		return nil, fmt.Errorf("open PKCS#11 module %s: read module info: %w", path, err)
	}
	lib.refs++
	return &Module{
		lib: lib,
		info: ModuleInfo{
			Path:            path,
			Manufacturer:    strings.TrimRight(info.ManufacturerID, " \x00"),
			Description:     strings.TrimRight(info.LibraryDescription, " \x00"),
			LibraryVersion:  fmt.Sprintf("%d.%d", info.LibraryVersion.Major, info.LibraryVersion.Minor),
			CryptokiVersion: fmt.Sprintf("%d.%d", info.CryptokiVersion.Major, info.CryptokiVersion.Minor),
			Vendor:          vendorOf(path),
		},
		sessions: map[*Session]struct{}{},
	}, nil
}

// finalize calls C_Finalize if we own the initialisation. Called with
// lib.mu held.
func (lib *library) finalize() error {
	if !lib.initialized {
		return nil
	}
	lib.initialized = false
	lib.sessions = 0
	if !lib.owner {
		return nil
	}
	return lib.ck.Finalize()
}

// Info describes the module. It does not touch the token.
func (m *Module) Info() ModuleInfo { return m.info }

// Close closes every session opened through m and, when m is the last open
// Module on its library, finalises the library (C_Finalize). Signers from
// m's sessions stop working. Close is idempotent; it returns the error of
// C_Finalize, if any.
func (m *Module) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	sessions := make([]*Session, 0, len(m.sessions))
	for s := range m.sessions {
		sessions = append(sessions, s)
	}
	m.mu.Unlock()

	var errs []error
	for _, s := range sessions {
		if err := s.Close(); err != nil {
			errs = append(errs, err)
		}
	}

	registry.mu.Lock()
	defer registry.mu.Unlock()
	lib := m.lib
	lib.refs--
	if lib.refs == 0 {
		lib.mu.Lock()
		if err := lib.finalize(); err != nil {
			errs = append(errs, fmt.Errorf("finalize PKCS#11 module %s: %w", m.info.Path, err))
		}
		lib.mu.Unlock()
	}
	return errors.Join(errs...)
}

// TokenInfo describes the token in a slot (C_GetTokenInfo).
type TokenInfo struct {
	SlotID       uint
	Label        string
	Serial       string
	Manufacturer string
	Model        string
	PIN          PINState
	// ProtectedAuthPath: the PIN is entered on the token's or reader's own
	// keypad; call Session.Login with an empty PIN.
	ProtectedAuthPath bool
	Initialized       bool // false for a blank token (SoftHSM always shows one)
	LoginRequired     bool
}

func tokenInfoFrom(slot uint, ti pkcs11.TokenInfo) TokenInfo {
	trim := func(s string) string { return strings.TrimRight(s, " \x00") }
	return TokenInfo{
		SlotID:            slot,
		Label:             trim(ti.Label),
		Serial:            trim(ti.SerialNumber),
		Manufacturer:      trim(ti.ManufacturerID),
		Model:             trim(ti.Model),
		PIN:               pinStateFromFlags(ti.Flags),
		ProtectedAuthPath: ti.Flags&pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH != 0,
		Initialized:       ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED != 0,
		LoginRequired:     ti.Flags&pkcs11.CKF_LOGIN_REQUIRED != 0,
	}
}

// Tokens lists the slots that hold a token, initialised or not, ordered by
// slot ID. A slot whose token cannot be read (pulled out between the two
// calls, or deleted under SoftHSM2) is left out.
func (m *Module) Tokens() ([]TokenInfo, error) {
	if m.isClosed() {
		return nil, fmt.Errorf("list tokens: %w", errModuleClosed)
	}
	lib := m.lib
	lib.mu.Lock()
	defer lib.mu.Unlock()
	if !lib.initialized {
		return nil, fmt.Errorf("list tokens: %w", errModuleClosed)
	}
	slots, err := lib.ck.GetSlotList(true)
	if err != nil {
		return nil, fmt.Errorf("list tokens in %s: %w", m.info.Path, err)
	}
	out := make([]TokenInfo, 0, len(slots))
	for _, slot := range slots {
		ti, err := lib.ck.GetTokenInfo(slot)
		if err != nil {
			continue
		}
		out = append(out, tokenInfoFrom(slot, ti))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SlotID < out[j].SlotID })
	return out, nil
}

// Rescan re-initialises the module (C_Finalize, C_Initialize) so that
// modules which enumerate tokens only when initialised, SoftHSM2 among
// them, report tokens added since. Slot IDs may change. It fails while any
// session of the module is open in the process, or when another component
// initialised the module.
func (m *Module) Rescan() error {
	if m.isClosed() {
		return fmt.Errorf("rescan: %w", errModuleClosed)
	}
	lib := m.lib
	lib.mu.Lock()
	defer lib.mu.Unlock()
	switch {
	case !lib.initialized:
		return fmt.Errorf("rescan: %w", errModuleClosed)
	case lib.sessions > 0:
		return fmt.Errorf("rescan %s: %d sessions open", m.info.Path, lib.sessions)
	case !lib.owner:
		return fmt.Errorf("rescan %s: module initialised by another component of the process", m.info.Path)
	}
	if err := lib.ck.Finalize(); err != nil && !rvIs(err, pkcs11.CKR_CRYPTOKI_NOT_INITIALIZED) {
		return fmt.Errorf("rescan %s: finalize: %w", m.info.Path, err)
	}
	if err := lib.ck.Initialize(); err != nil {
		lib.initialized = false
		return fmt.Errorf("rescan %s: initialize: %w", m.info.Path, err)
	}
	return nil
}

func (m *Module) isClosed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

// tokenInfo reads one slot's token info under the library lock.
func (lib *library) tokenInfo(slot uint) (pkcs11.TokenInfo, error) {
	lib.mu.Lock()
	defer lib.mu.Unlock()
	if !lib.initialized {
		return pkcs11.TokenInfo{}, errModuleClosed
	}
	return lib.ck.GetTokenInfo(slot)
}
