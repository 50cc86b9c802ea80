// Package login is the "Đăng nhập máy chủ" dialog of the desktop client:
// it signs the user in to the Văn Thư Số server with the certificate on
// their token, as protocol's challenge and session say.
//
//	login.Show(win, login.Options{Address: last, Sign: cfg,
//		Login: func(ctx, addr, signer, cert) (protocol.Session, error) { … client.Login … },
//		OnSignedIn: func(addr string, s protocol.Session) { eng.SetSession(s) }})
//
// # Dialog
//
// The server address (https://…; http only on this computer), then the
// token, its certificates and the PIN with the tries left, as the sign
// dialog shows them (signui.KeyPicker). "Đăng nhập" logs in to the token
// once (a wrong PIN is never retried: the tries left are shown and the
// dialog waits), signs the server's challenge and hands the session to
// OnSignedIn, which keeps it for its lifetime; when the engine says
// NeedLogin the application opens the dialog again (Options.Reason says
// why).
//
// # Errors
//
// Every refusal reads as a Vietnamese sentence that says what to do:
// a certificate no user is bound to ("Chứng thư số này chưa được đăng ký
// trên máy chủ — đề nghị quản trị viên thêm người dùng"), a refused
// signature, an expired challenge, an old program, a server that cannot
// be reached (address, network, proxy), a server whose TLS certificate
// does not verify, and the token's own errors.
//
// # Threading
//
// The token and the network are used on a goroutine; the result comes
// back through Options.Do (fyne.Do in the application).
package login
