package engine

import (
	"context"
	"errors"

	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Codes of failures this package finds itself (the others are
// protocol.Error codes).
const (
	// CodeMissingFile: a file of the outbox entry is not in the local
	// cache any more, so the entry can never be sent.
	CodeMissingFile = "missing_file"
	// CodeOffline: the server could not be reached.
	CodeOffline = "offline"
	// CodeLocal: the local cache failed (disk full, damaged).
	CodeLocal = "local"
	// CodeOther: anything else (Detail says what).
	CodeOther = "other"
	// CodeSendFailed: an action waiting for a send (ActionEntry.AfterSend)
	// whose send failed for good or is not queued.
	CodeSendFailed = "send_failed"
)

// Reason says why something failed, for people: Vi first, En for
// English-speaking staff, and Detail, the technical message (English)
// for logs and IT staff.
type Reason struct {
	Code   string
	Vi, En string
	Detail string
}

// String is the Vietnamese sentence.
func (r Reason) String() string { return r.Vi }

// reasons are the sentences for each code: what happened and what to do.
var reasons = map[string][2]string{
	protocol.CodeIdempotencyConflict: {"Máy chủ đã nhận một văn bản khác với cùng mã gửi; văn bản này không được gửi. Tạo lại văn bản để gửi lần nữa.", "The server already has another document under the same send id; this one was not sent. Create it again to send it."},
	protocol.CodeUnknownRecipient:    {"Có nơi nhận không có trong danh bạ của máy chủ; văn bản không được gửi. Kiểm tra mã định danh của nơi nhận rồi gửi lại.", "A recipient is not in the server's directory; the document was not sent. Check the recipients' codes and send again."},
	protocol.CodeForbidden:           {"Tài khoản không có quyền làm việc này (chỉ văn thư được gửi văn bản). Liên hệ quản trị.", "The account may not do this (only clerks send documents). Contact the administrator."},
	protocol.CodeNotFound:            {"Máy chủ không có văn bản hoặc tệp này, hoặc tài khoản không được xem nó.", "The server has no such document or file, or the account may not see it."},
	protocol.CodeTooLarge:            {"Tệp hoặc văn bản quá lớn so với giới hạn của máy chủ; văn bản không được gửi.", "A file or the document is larger than the server allows; the document was not sent."},
	protocol.CodeBadRequest:          {"Máy chủ từ chối văn bản vì dữ liệu không hợp lệ; văn bản không được gửi. Kiểm tra các thông tin của văn bản.", "The server refused the document as invalid; it was not sent. Check the document's details."},
	protocol.CodeUnsupportedVersion:  {"Phiên bản phần mềm không tương thích với máy chủ. Cập nhật Văn Thư Số.", "This version of the software does not work with the server. Update Văn Thư Số."},
	protocol.CodeSessionExpired:      {"Phiên đăng nhập đã hết hạn. Đăng nhập lại bằng thiết bị ký số.", "The session expired. Sign in again with the token."},
	protocol.CodeUnauthenticated:     {"Chưa đăng nhập máy chủ. Đăng nhập bằng thiết bị ký số.", "Not signed in to the server. Sign in with the token."},
	protocol.CodeInFlight:            {"Máy chủ đang xử lý lần gửi trước của văn bản này; sẽ thử lại.", "The server is still handling an earlier attempt of this send; it will be tried again."},
	protocol.CodeRateLimited:         {"Máy chủ đang quá tải và yêu cầu chờ; sẽ thử lại.", "The server is overloaded and asked to wait; it will be tried again."},
	protocol.CodeUnavailable:         {"Máy chủ tạm thời không phục vụ được; sẽ thử lại.", "The server is temporarily unavailable; it will be tried again."},
	protocol.CodeInternal:            {"Máy chủ gặp lỗi; sẽ thử lại. Nếu kéo dài, liên hệ quản trị máy chủ.", "The server failed; it will be tried again. If it goes on, contact the server's administrator."},
	protocol.CodeMissingBlobs:        {"Máy chủ còn thiếu tệp của văn bản; sẽ tải lên lại.", "The server lacks files of the document; they will be uploaded again."},
	protocol.CodeHashMismatch:        {"Tệp tải lên bị sai lệch trên đường truyền; sẽ tải lên lại.", "An uploaded file was damaged on the way; it will be uploaded again."},
	protocol.CodeChunkChecksum:       {"Một phần tệp tải lên bị sai lệch trên đường truyền; sẽ gửi lại phần đó.", "Part of an upload was damaged on the way; it will be sent again."},
	protocol.CodeWrongOffset:         {"Việc tải lên lệch vị trí với máy chủ; sẽ tiếp tục từ vị trí máy chủ báo.", "The upload lost its place; it continues where the server says."},
	CodeMissingFile:                  {"Một tệp của văn bản không còn trong bộ nhớ đệm của máy này; văn bản không gửi được. Tạo lại văn bản và đính kèm tệp.", "A file of the document is no longer in this computer's cache; the document cannot be sent. Create it again and attach the file."},
	CodeOffline:                      {"Không kết nối được máy chủ (mạng hoặc máy chủ không hoạt động); sẽ thử lại khi có mạng.", "The server cannot be reached (network or server down); it will be tried again when the network is back."},
	CodeLocal:                        {"Bộ nhớ đệm trên máy này gặp lỗi (ổ đĩa đầy hoặc hỏng); kiểm tra ổ đĩa.", "This computer's cache failed (disk full or damaged); check the disk."},
	CodeOther:                        {"Đồng bộ gặp lỗi; sẽ thử lại.", "Synchronisation failed; it will be tried again."},
}

// Explain is the Reason of a failure code (a protocol.Error code or one
// of this package), with detail kept as Detail. An unknown code is
// explained as CodeOther.
func Explain(code, detail string) Reason {
	p, ok := reasons[code]
	if !ok {
		p = reasons[CodeOther]
	}
	return Reason{Code: code, Vi: p[0], En: p[1], Detail: detail}
}

// explainErr is the Reason of err.
func explainErr(err error) Reason {
	var le *localError
	switch {
	case errors.As(err, &le):
		return Explain(CodeLocal, err.Error())
	case client.Code(err) != "":
		return Explain(client.Code(err), err.Error())
	case errors.Is(err, client.ErrNotSignedIn):
		return Explain(protocol.CodeUnauthenticated, err.Error())
	case client.Offline(err):
		return Explain(CodeOffline, err.Error())
	case errors.Is(err, context.Canceled):
		return Explain(CodeOther, err.Error())
	}
	return Explain(CodeOther, err.Error())
}

// localError marks a failure of the local cache.
type localError struct{ err error }

func (e *localError) Error() string { return "cache: " + e.err.Error() }
func (e *localError) Unwrap() error { return e.err }

// local wraps an error of the cache (nil stays nil).
func local(err error) error {
	if err == nil {
		return nil
	}
	return &localError{err}
}
