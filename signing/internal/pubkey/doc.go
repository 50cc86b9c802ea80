// Package pubkey verifies signatures with public keys that crypto/rsa
// refuses: RSA keys whose public exponent does not fit in 31 bits.
//
// Go's crypto/rsa refuses RSA public exponents above 2³¹-1 ("crypto/rsa:
// public exponent too large"). Such keys are legal (RFC 8017 allows any odd
// exponent) and appear in EU qualified certificates (e = 4294967311, just
// above 2³²). A verifier that passes crypto/rsa's error on would call the
// signature broken, a claim of tampering the file does not deserve.
//
// # RSA
//
// VerifyPKCS1v15 and VerifyPSS take the arguments of their crypto/rsa
// namesakes. The key is checked first, the same way for every exponent:
// modulus odd, 1024 to 16384 bits; exponent odd and at least 3. A key that
// passes and whose exponent crypto/rsa accepts is handed to crypto/rsa.
// Otherwise the public-key operation is done here with math/big
// (1 < s < n, m = sᵉ mod n) and the encoded message checked as RFC 8017
// specifies: EMSA-PKCS1-v1_5 with the DigestInfo of the hash (SHA-1,
// SHA-224, SHA-256, SHA-384, SHA-512, SHA-512/224, SHA-512/256 and SHA-3;
// the parameters NULL, as crypto/rsa requires), or EMSA-PSS verification
// (section 9.1.2) with MGF1 over the same hash. The salt length follows
// rsa.PSSOptions: PSSSaltLengthAuto (0) finds it, PSSSaltLengthEqualsHash
// (-1) is the hash size, a positive value is required exactly.
//
// # Certificates
//
// VerifyCertificateSignature checks a signature made under an
// x509.SignatureAlgorithm: RSA PKCS#1 v1.5 and RSASSA-PSS (any exponent,
// salt length equal to the hash size, the only PSS form crypto/x509
// parses), ECDSA on P-256, P-384 and P-521, and Ed25519. SHA-1 is
// verified like any other hash: whether it is acceptable is the caller's
// policy, so the hash used is returned (SHA-512 for Ed25519). MD2 and MD5
// are refused, as are DSA and unknown algorithms.
//
// # Errors
//
// Every error wraps one of two sentinels, and callers branch on them:
// ErrVerification means the signature is wrong for this key (including a
// key of another type than the algorithm names), ErrUnsupported means it
// could not be checked (unknown or refused algorithm, curve, key type, key
// parameters out of range, a digest of the wrong size). No input makes the
// package panic.
package pubkey
