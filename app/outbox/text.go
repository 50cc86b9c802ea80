package outbox

import "github.com/vanthuso/vanthu/app/i18n"

func init() {
	i18n.Register(i18n.Catalog{
		"outbox.empty":              {VI: "Chưa gửi văn bản nào. Bấm “Gửi văn bản” để gửi.", EN: "Nothing sent yet. Press “Send a document” to send one."},
		"outbox.pick":               {VI: "Chọn một văn bản trong danh sách để xem nơi nhận và tình trạng.", EN: "Choose a document in the list to see its recipients and where it stands."},
		"outbox.no-subject":         {VI: "(không có trích yếu)", EN: "(no subject)"},
		"outbox.row.code":           {VI: "Số %s", EN: "No. %s"},
		"outbox.row.to":             {VI: "Gửi: %s", EN: "To: %s"},
		"outbox.row.queued-at":      {VI: "Chờ từ %s", EN: "Waiting since %s"},
		"outbox.state.queued":       {VI: "Đang chờ gửi", EN: "Waiting to be sent"},
		"outbox.state.retrying":     {VI: "Đang chờ gửi lại (lần trước: %s)", EN: "Waiting to be sent again (last time: %s)"},
		"outbox.state.uploading":    {VI: "Đang tải lên %d%%", EN: "Uploading %d%%"},
		"outbox.state.sending":      {VI: "Đang gửi…", EN: "Sending…"},
		"outbox.state.sent":         {VI: "Đã gửi", EN: "Sent"},
		"outbox.state.failed":       {VI: "Gửi thất bại", EN: "Sending failed"},
		"outbox.state.arrived":      {VI: "Đã gửi · đã đến %d/%d nơi", EN: "Sent · arrived at %d of %d"},
		"outbox.state.refused":      {VI: "%d nơi từ chối tiếp nhận", EN: "refused by %d"},
		"outbox.f.code":             {VI: "Số, ký hiệu", EN: "Number"},
		"outbox.f.type":             {VI: "Loại văn bản", EN: "Type"},
		"outbox.f.subject":          {VI: "Trích yếu", EN: "Subject"},
		"outbox.f.queued":           {VI: "Bấm gửi lúc", EN: "Queued"},
		"outbox.f.accepted":         {VI: "Máy chủ nhận lúc", EN: "Accepted by the server"},
		"outbox.f.sent-by":          {VI: "Người gửi", EN: "Sent by"},
		"outbox.f.files":            {VI: "Tệp", EN: "Files"},
		"outbox.recipients":         {VI: "Nơi nhận", EN: "Recipients"},
		"outbox.recipient.line":     {VI: "%s — %s", EN: "%s — %s"},
		"outbox.recipient.at":       {VI: "%s — %s (%s)", EN: "%s — %s (%s)"},
		"outbox.failed.reason":      {VI: "Lý do: %s", EN: "Reason: %s"},
		"outbox.failed.not-retried": {VI: "Văn bản này sẽ không được tự động gửi lại.", EN: "This document will not be sent again automatically."},
		"outbox.resend":             {VI: "Sửa và gửi lại…", EN: "Edit and send again…"},
		"outbox.revoke":             {VI: "Thu hồi…", EN: "Revoke…"},
		"outbox.revoke.title":       {VI: "Thu hồi văn bản", EN: "Revoke the document"},
		"outbox.revoke.info":        {VI: "Đề nghị mọi nơi nhận trả lại “%s” (trạng thái 13). Mỗi nơi nhận đồng ý (15) hoặc từ chối (16); kết quả hiện ở đây.", EN: "Ask every recipient to give “%s” back (status 13). Each agrees (15) or refuses (16); the answers show here."},
		"outbox.revoke.reason":      {VI: "Lý do thu hồi", EN: "Reason"},
		"outbox.revoke.hint":        {VI: "ví dụ: sai sót số liệu, sẽ ban hành văn bản thay thế", EN: "e.g. wrong figures, a replacement will follow"},
		"outbox.revoke.no-reason":   {VI: "ghi rõ lý do thu hồi", EN: "write the reason"},
		"outbox.revoke.ok":          {VI: "Gửi đề nghị thu hồi", EN: "Ask for it back"},
		"outbox.revoke.cancel":      {VI: "Hủy", EN: "Cancel"},
		"outbox.advice.unknown_recipient": {
			VI: "Máy chủ không biết nơi nhận %s. Kiểm tra mã định danh trong danh bạ, sửa nơi nhận rồi gửi lại.",
			EN: "The server does not know the recipient %s. Check the code in the directory, correct the recipients, then send again."},
		"outbox.advice.forbidden": {
			VI: "Tài khoản của bạn không có quyền gửi văn bản. Đề nghị quản trị viên cấp vai trò văn thư, rồi gửi lại.",
			EN: "Your account may not send documents. Ask the administrator for the clerk role, then send again."},
		"outbox.advice.too_large": {
			VI: "Tệp lớn hơn giới hạn của máy chủ. Giảm dung lượng tệp (ví dụ quét lại ở độ phân giải thấp hơn) rồi gửi lại.",
			EN: "A file is larger than the server accepts. Make it smaller (scan it again at a lower resolution, for example), then send again."},
		"outbox.advice.idempotency_conflict": {
			VI: "Máy chủ đã nhận một văn bản khác với cùng mã gửi. Gửi lại thành một văn bản mới.",
			EN: "The server already holds another document under the same sending id. Send it again as a new document."},
		"outbox.advice.file": {
			VI: "Tệp trong máy không còn khớp với văn bản đã chọn. Chọn lại tệp rồi gửi lại.",
			EN: "A file on this computer no longer matches the document chosen. Choose the files again, then send again."},
		"outbox.advice.other": {
			VI: "Kiểm tra thông tin văn bản rồi gửi lại; nếu vẫn lỗi, báo bộ phận CNTT (mã lỗi %s).",
			EN: "Check the document's details, then send again; if it fails again, tell IT staff (error code %s)."},
	})
}
