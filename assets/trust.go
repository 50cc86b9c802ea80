package assets

import "embed"

// Trust holds the Vietnamese CA certificates the application ships, one
// PEM certificate per file: trust/*.pem (the VGCA and NEAC roots, their
// subordinate CAs and the VGCA timestamping certificates) and
// trust/candidates/*.pem (roots known from real documents but not trusted
// by default, with the subordinates they issue). Where each came from and
// how sure we are of it is in trust/SOURCES.md, which is not embedded.
//
// Read it through signing/trustlist, which pins every file to its SHA-256
// and role: a file is never used unchecked.
//
//go:embed trust/*.pem trust/candidates/*.pem
var Trust embed.FS
