// Package client is the HTTP client of the Văn Thư Số sync API
// (sync/protocol): sign-in with the token, the directory, resumable
// uploads, downloads, sends, statuses, the change feed and the listings a
// reset needs. It holds no state but the session and the last clock skew
// it saw; sync/engine drives it and keeps everything else in the cache.
//
// # Use
//
//	c, err := client.New(client.Config{BaseURL: "https://vanthu.example.gov.vn"})
//	sess, err := c.Login(ctx, signer, cert) // the token signs the server's challenge
//	ans, err := c.Send(ctx, clientMsgID, body)
//
// A Client is safe for concurrent use. Every request carries the
// protocol version header (protocol.HeaderVersion) and, once signed in,
// the session as a bearer token.
//
// # Errors
//
// Every error answer of the server comes back as a *protocol.Error with
// Status set (an answer that is not the API's JSON gets a code from its
// HTTP status: CodeUnavailable for 502–504, CodeInternal for other 5xx,
// CodeRateLimited for 429, CodeBadRequest else). Network failures are
// wrapped with the request they broke ("POST /v1/uploads: …"). Callers
// branch with Permanent (never retry: the outbox marks the entry failed),
// NeedLogin (the session is gone: sign in again) and RetryAfter (how long
// the server asked to wait). An error that is none of these is transient:
// retry later, with backoff.
//
// # Proxies
//
// Config.Proxy, when nil, is SystemProxy: the environment (HTTPS_PROXY,
// HTTP_PROXY, NO_PROXY, as net/http reads them) and, when the
// environment names no proxy, the system's settings: on Windows the
// user's Internet Options (WinINet: ProxyEnable, ProxyServer,
// ProxyOverride under HKCU\Software\Microsoft\Windows\CurrentVersion\
// Internet Settings); on Linux and other systems the environment only
// (GNOME's and KDE's proxy settings are not read: desktop sessions export
// them as the variables above when configured to). Automatic
// configuration scripts (PAC, WPAD) are not run.
//
// # Transfers
//
// Upload sends a blob in chunks (each with its SHA-256) to an upload the
// server keeps, resuming from the offset the server reports; after each
// acknowledged chunk it calls Persist so that the caller can record
// (upload id, offset) and resume there after a crash. Download streams a
// blob, resumes a broken transfer with a Range request and checks the
// whole SHA-256 before it reports success.
//
// # Time
//
// The client never orders anything by its own clock. It reads the server's
// Date header on every answer and reports the difference (ClockSkew) so
// that the UI can warn about a wrong workstation clock.
package client
