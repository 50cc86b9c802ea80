package login

import "github.com/vanthuso/vanthu/app/i18n"

func init() {
	i18n.Register(i18n.Catalog{
		"login.title":        {VI: "Đăng nhập máy chủ", EN: "Sign in to the server"},
		"login.address":      {VI: "Địa chỉ máy chủ", EN: "Server address"},
		"login.address.hint": {VI: "Ví dụ: https://vanthu.nghean.gov.vn", EN: "For example: https://vanthu.nghean.gov.vn"},
		"login.token":        {VI: "Thiết bị ký số", EN: "Signing token"},
		"login.cert":         {VI: "Chứng thư số", EN: "Certificate"},
		"login.pin":          {VI: "Mã PIN", EN: "PIN"},
		"login.submit":       {VI: "Đăng nhập", EN: "Sign in"},
		"login.cancel":       {VI: "Để sau", EN: "Later"},
		"login.busy":         {VI: "Đang đăng nhập…", EN: "Signing in…"},
		"login.done":         {VI: "Đã đăng nhập: %s — %s.", EN: "Signed in: %s — %s."},
		"login.need.cert":    {VI: "Chưa có chứng thư số để đăng nhập: cắm thiết bị ký số và chọn chứng thư.", EN: "No certificate to sign in with: plug in the token and choose a certificate."},
		"login.need.pin":     {VI: "Hãy nhập mã PIN của thiết bị ký số.", EN: "Type the token's PIN."},
		"login.err.address":  {VI: "Địa chỉ máy chủ %q không đúng; nhập dạng https://tên-máy-chủ (http:// chỉ dùng cho máy chủ trên chính máy này).", EN: "The server address %q is not valid; type https://server-name (http:// only for a server on this computer)."},
		"login.err.unknown-certificate": {
			VI: "Chứng thư số này chưa được đăng ký trên máy chủ — đề nghị quản trị viên thêm người dùng (gửi kèm tên trên chứng thư: %s).",
			EN: "This certificate is not registered on the server — ask the administrator to add the user (give them the name on the certificate: %s)."},
		"login.err.bad-signature": {
			VI: "Máy chủ không chấp nhận chữ ký đăng nhập của chứng thư này. Bấm Đăng nhập lại; nếu vẫn lỗi, báo quản trị viên kiểm tra chứng thư đã đăng ký.",
			EN: "The server did not accept the sign-in signature of this certificate. Press Sign in again; if it fails again, ask the administrator to check the registered certificate."},
		"login.err.challenge": {
			VI: "Yêu cầu đăng nhập đã hết hạn hoặc đã được dùng. Bấm Đăng nhập lại.",
			EN: "The sign-in request expired or was already used. Press Sign in again."},
		"login.err.forbidden": {
			VI: "Tài khoản gắn với chứng thư này không được phép đăng nhập. Liên hệ quản trị viên.",
			EN: "The account bound to this certificate may not sign in. Contact the administrator."},
		"login.err.version": {
			VI: "Máy chủ không còn hỗ trợ phiên bản chương trình này. Cập nhật Văn Thư Số rồi đăng nhập lại.",
			EN: "The server no longer supports this version of the program. Update Văn Thư Số, then sign in again."},
		"login.err.busy": {
			VI: "Máy chủ đang bận. Chờ một lát rồi bấm Đăng nhập lại.",
			EN: "The server is busy. Wait a moment, then press Sign in again."},
		"login.err.offline": {
			VI: "Không kết nối được máy chủ %s. Kiểm tra địa chỉ máy chủ, kết nối mạng và proxy rồi bấm Đăng nhập lại; văn bản vẫn soạn và xếp hàng gửi được khi chưa đăng nhập.",
			EN: "Cannot reach the server %s. Check the address, the network and the proxy, then press Sign in again; documents can still be prepared and queued while signed out."},
		"login.err.tls": {
			VI: "Không xác minh được chứng thư bảo mật (TLS) của máy chủ %s. Kiểm tra đúng địa chỉ máy chủ; nếu đúng, báo bộ phận CNTT cài chứng thư gốc của máy chủ.",
			EN: "The server's security (TLS) certificate for %s does not verify. Check the address; if it is right, ask IT staff to install the server's root certificate."},
		"login.err.foreign": {
			VI: "Máy chủ trả lời yêu cầu đăng nhập cho một máy chủ khác nên đã từ chối ký. Kiểm tra địa chỉ máy chủ; có thể mạng đang bị can thiệp, báo bộ phận CNTT.",
			EN: "The server answered with a sign-in request for another server, so nothing was signed. Check the address; the network may be tampered with, tell IT staff."},
		"login.err.other": {
			VI: "Không đăng nhập được: %s. Bấm Đăng nhập lại; nếu vẫn lỗi, báo bộ phận CNTT.",
			EN: "Cannot sign in: %s. Press Sign in again; if it fails again, tell IT staff."},
	})
}
