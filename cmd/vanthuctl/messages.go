package main

// phrase is one user-facing message in both languages. Both texts take
// the same arguments in the same order (explicit indexes like %[2]s where
// the sentence order differs).
type phrase struct{ vi, en string }

// catalogue holds every user-facing message of vanthuctl, Vietnamese
// first. Keys are grouped by prefix: usage.* and flag.* for the command
// line, err.* for errors (each says what to do next), note.*, result.*,
// list.*, batch.* and demo.* for output, and the translations of codes
// from the library packages (problem.*, source.*, profile.*, pin.*).
var catalogue = map[string]phrase{
	"prefix.error": {"Lỗi: ", "Error: "},

	// Command line.
	"usage.main": {
		vi: `vanthuctl — công cụ dòng lệnh của Văn Thư Số: thiết bị ký số và ký văn bản PDF.

Cách dùng:
  vanthuctl token list [--module ĐƯỜNG_DẪN] [--token NHÃN] [--json]
  vanthuctl sign --in VÀO.pdf --out RA.pdf [tùy chọn]
  vanthuctl sign --batch THƯ_MỤC --out-dir THƯ_MỤC [tùy chọn]
  vanthuctl copy --form sao-y|sao-luc|trich-sao [--pages 1,3-4] [--agency "…"] GỐC.pdf BẢN_SAO.pdf
  vanthuctl verify [--trust TỆP|THƯ_MỤC]... [--offline] [--accept-unknown-revocation] [--json] TỆP.pdf
  vanthuctl trust list|add|remove|reset
  vanthuctl sync login|send|run|status|list|get
  vanthuctl work register|assign|…|cases|book|staff|audit
  vanthuctl edxml inspect|normalize|export|import|sign|verify   (thông điệp edXML, QCVN 102:2016)
  vanthuctl demo [--dir THƯ_MỤC]
  vanthuctl version

Mọi lệnh nhận --lang vi|en (mặc định vi, hoặc biến môi trường VANTHU_LANG).
Mã PIN lấy từ biến môi trường VANTHU_PIN hoặc --pin-stdin, không bao giờ từ dòng lệnh.
Mã thoát: 0 xong; 1 lỗi tài liệu hoặc lỗi khi ký; 2 sai cách dùng;
3 lỗi thiết bị ký số hoặc mã PIN; 4 (verify) chưa xác định được tính hợp lệ.
Chi tiết từng lệnh: vanthuctl sign --help, vanthuctl verify --help, vanthuctl trust --help, vanthuctl sync --help, vanthuctl token list --help.
`,
		en: `vanthuctl — the command-line tool of Văn Thư Số: signing tokens and PDF signing.

Usage:
  vanthuctl token list [--module PATH] [--token LABEL] [--json]
  vanthuctl sign --in IN.pdf --out OUT.pdf [options]
  vanthuctl sign --batch DIR --out-dir DIR [options]
  vanthuctl copy --form sao-y|sao-luc|trich-sao [--pages 1,3-4] [--agency "…"] ORIGINAL.pdf COPY.pdf
  vanthuctl verify [--trust FILE|DIR]... [--offline] [--accept-unknown-revocation] [--json] FILE.pdf
  vanthuctl trust list|add|remove|reset
  vanthuctl sync login|send|run|status|list|get
  vanthuctl work register|assign|…|cases|book|staff|audit
  vanthuctl edxml inspect|normalize|export|import|sign|verify   (edXML messages, QCVN 102:2016)
  vanthuctl demo [--dir DIR]
  vanthuctl version

Every command takes --lang vi|en (default vi, or the VANTHU_LANG environment variable).
The PIN comes from the VANTHU_PIN environment variable or --pin-stdin, never from the command line.
Exit codes: 0 done; 1 document or signing error; 2 usage error;
3 token or PIN problem; 4 (verify) validity could not be established.
Details: vanthuctl sign --help, vanthuctl verify --help, vanthuctl trust --help, vanthuctl sync --help, vanthuctl token list --help.
`},
	"usage.sign": {
		vi: `Cách dùng:
  vanthuctl sign --in VÀO.pdf --out RA.pdf [tùy chọn]
  vanthuctl sign --batch THƯ_MỤC --out-dir THƯ_MỤC [tùy chọn]

Ký văn bản PDF bằng thiết bị ký số (PKCS#11). Mã PIN lấy từ biến môi trường
VANTHU_PIN hoặc --pin-stdin; mã PIN sai không bao giờ được thử lại.
Loại chữ ký (--profile):
  approval    ký duyệt của lãnh đạo (mặc định); vô hình trừ khi có --rect hoặc --field
  issue       ký phát hành của cơ quan: dấu đỏ (--seal-image) chồng lên chữ ký lãnh đạo
  attachment  ký phụ lục: "Số: …" và thời gian ký, góc trên bên phải trang 1 (cần --number)
  copy        ký bản sao: hình thức sao, cơ quan sao, thời gian ký, góc trên bên phải trang 1
Tệp đầu ra đã có, hoặc trùng tệp đầu vào, bị từ chối (mã thoát 2) trừ khi có --force.
Ký cả thư mục: mọi tệp *.pdf (theo thứ tự tên, không vào thư mục con), một lần đăng nhập;
tệp lỗi (kể cả tệp đầu ra đã có) không làm dừng các tệp khác và cho mã thoát 1; lỗi thiết bị
(bị rút ra) thì dừng cả lô, mã thoát 3.

`,
		en: `Usage:
  vanthuctl sign --in IN.pdf --out OUT.pdf [options]
  vanthuctl sign --batch DIR --out-dir DIR [options]

Signs PDF documents with a signing token (PKCS#11). The PIN comes from the
VANTHU_PIN environment variable or --pin-stdin; a wrong PIN is never retried.
Signature kinds (--profile):
  approval    the leader's approval (default); invisible unless --rect or --field
  issue       the agency's issuing signature: red seal (--seal-image) over the leader's signature
  attachment  attachment: "Số: …" and signing time, top right of page 1 (needs --number)
  copy        electronic copy: copy form, copying agency, signing time, top right of page 1
An output file that exists, or equals the input, is refused (exit 2) unless --force.
Batch: every *.pdf (sorted by name, not recursive), one login; a failed file (an output
that exists included) does not stop the others and gives exit 1; a token problem (token
removed) stops the batch, exit 3.

`},
	"usage.token-list": {
		vi: `Cách dùng:
  vanthuctl token list [--module ĐƯỜNG_DẪN] [--token NHÃN] [--json]

Liệt kê mô-đun PKCS#11 đã dò, thiết bị ký số (khe, nhãn, số sê-ri, trạng thái PIN) và
chứng thư số trên từng thiết bị. Liệt kê không cần mã PIN; khóa bí mật chỉ được kiểm tra
sau khi đăng nhập (đặt VANTHU_PIN; có nhiều thiết bị thì chọn một bằng --token).

`,
		en: `Usage:
  vanthuctl token list [--module PATH] [--token LABEL] [--json]

Lists the PKCS#11 modules probed, the tokens (slot, label, serial, PIN state) and the
certificates on each token. Listing needs no PIN; private keys are only checked after
login (set VANTHU_PIN; with several tokens pick one with --token).

`},
	"usage.demo": {
		vi: `Cách dùng:
  vanthuctl demo [--dir THƯ_MỤC]

Chạy thử toàn bộ quy trình ký không cần thiết bị thật: PKI thử nghiệm trên thiết bị ký số
mềm SoftHSM2, máy chủ dấu thời gian cục bộ, văn bản mẫu được lãnh đạo ký duyệt, văn thư
ký phát hành, ký phụ lục và bản sao, rồi kiểm tra mọi chữ ký như vanthuctl verify.

`,
		en: `Usage:
  vanthuctl demo [--dir DIR]

Runs the whole signing workflow without a real token: a test PKI on SoftHSM2 software
tokens, a local timestamp authority, a sample document approved by the leader and issued
by the clerk, an attachment and a copy signed, all checked as vanthuctl verify does.

`},
	"usage.version":         {"Cách dùng:\n  vanthuctl version\n\n", "Usage:\n  vanthuctl version\n\n"},
	"usage.flags":           {"Tùy chọn:", "Options:"},
	"usage.default":         {"(mặc định: %s)", "(default: %s)"},
	"usage.no-command":      {"Chưa chỉ lệnh. Xem các lệnh ở trên.", "No command given. See the commands above."},
	"usage.unknown-command": {"Không có lệnh %q. Xem các lệnh ở trên.", "There is no command %q. See the commands above."},
	"usage.token-sub":       {"Lệnh token cần lệnh con: vanthuctl token list.", "The token command needs a subcommand: vanthuctl token list."},
	"usage.bad-flag":        {"Tùy chọn không hợp lệ (%s). Xem danh sách tùy chọn ở trên.", "Invalid option (%s). See the list of options above."},
	"usage.extra-args":      {"Thừa tham số: %s. Tên tệp đi sau --in, --out, --batch hoặc --out-dir.", "Unexpected arguments: %s. File names go after --in, --out, --batch or --out-dir."},
	"usage.bad-lang":        {"Ngôn ngữ %q không có; dùng --lang vi hoặc --lang en.", "Language %q is not available; use --lang vi or --lang en."},
	"usage.pin-argv": {
		"Không nhận mã PIN trên dòng lệnh: người dùng khác trên máy và lịch sử lệnh sẽ thấy nó. Đặt mã PIN vào biến môi trường VANTHU_PIN, hoặc dùng --pin-stdin và đưa mã PIN vào dòng đầu của đầu vào chuẩn.",
		"A PIN is not accepted on the command line: other users of the machine and the shell history would see it. Put the PIN in the VANTHU_PIN environment variable, or use --pin-stdin and give the PIN as the first line of standard input."},
	"usage.no-pin": {
		"Cần mã PIN của thiết bị ký số: đặt biến môi trường %s, hoặc dùng --pin-stdin (đọc một dòng từ đầu vào chuẩn).",
		"The token's PIN is needed: set the %s environment variable, or use --pin-stdin (one line from standard input)."},
	"usage.pin-stdin-read":  {"Không đọc được mã PIN từ đầu vào chuẩn: %s.", "Cannot read the PIN from standard input: %s."},
	"usage.pin-stdin-empty": {"--pin-stdin: dòng đầu của đầu vào chuẩn trống; đưa mã PIN vào dòng đầu.", "--pin-stdin: the first line of standard input is empty; give the PIN on the first line."},
	"usage.several-tokens": {
		"Có %d thiết bị ký số; chọn một bằng --token:%s",
		"There are %d tokens; pick one with --token:%s"},
	"usage.several-certs": {
		"Thiết bị %[2]q có %[1]d chứng thư số dùng để ký được; chọn một bằng --cert <SHA-256>:%[3]s",
		"Token %[2]q has %[1]d certificates that can sign; pick one with --cert <SHA-256>:%[3]s"},
	"usage.bad-cert": {
		"--cert %q không phải dấu vân tay SHA-256 (64 chữ số thập lục phân, có thể có dấu hai chấm). Xem dấu vân tay bằng \"vanthuctl token list\".",
		"--cert %q is not a SHA-256 fingerprint (64 hex digits, colons allowed). See the fingerprints with \"vanthuctl token list\"."},
	"usage.bad-profile":           {"Loại chữ ký %q không có; dùng approval, issue, attachment hoặc copy.", "There is no signature kind %q; use approval, issue, attachment or copy."},
	"usage.bad-subfilter":         {"--subfilter %q không hợp lệ; dùng pades (ETSI.CAdES.detached) hoặc adbe (adbe.pkcs7.detached).", "--subfilter %q is not valid; use pades (ETSI.CAdES.detached) or adbe (adbe.pkcs7.detached)."},
	"usage.bad-level":             {"--level %q không hợp lệ; dùng B-B hoặc B-T.", "--level %q is not valid; use B-B or B-T."},
	"usage.bad-mode":              {"--mode %q không hợp lệ; dùng image, text hoặc image+text.", "--mode %q is not valid; use image, text or image+text."},
	"usage.bad-rect":              {"--%s %q không hợp lệ: cần bốn số x1,y1,x2,y2 (đơn vị point, gốc ở góc dưới bên trái trang), khác kích thước 0.", "--%s %q is not valid: four numbers x1,y1,x2,y2 are needed (points, origin at the bottom left of the page), not of size zero."},
	"usage.bad-page":              {"--page %d không hợp lệ; trang đánh số từ 1.", "--page %d is not valid; pages are numbered from 1."},
	"usage.tsa-with-bb":           {"--tsa chỉ dùng với --level B-T; bỏ --level B-B hoặc bỏ --tsa.", "--tsa only goes with --level B-T; drop --level B-B or drop --tsa."},
	"usage.bt-needs-tsa":          {"--level B-T cần máy chủ cấp dấu thời gian: thêm --tsa URL (ví dụ http://tsa.ca.gov.vn).", "--level B-T needs a timestamp authority: add --tsa URL (for example http://tsa.ca.gov.vn)."},
	"usage.need-in-out":           {"Cần --in (tệp cần ký) và --out (tệp đã ký), hoặc --batch và --out-dir để ký cả thư mục.", "--in (the file to sign) and --out (the signed file) are needed, or --batch and --out-dir to sign a folder."},
	"usage.batch-in-out":          {"--batch không đi cùng --in/--out; dùng --out-dir cho thư mục đầu ra.", "--batch does not go with --in/--out; use --out-dir for the output folder."},
	"usage.batch-needs-out-dir":   {"--batch cần --out-dir: thư mục ghi các tệp đã ký.", "--batch needs --out-dir: the folder for the signed files."},
	"usage.out-dir-without-batch": {"--out-dir chỉ dùng với --batch; ký một tệp thì dùng --out.", "--out-dir only goes with --batch; to sign one file use --out."},
	"usage.rect-and-field":        {"Chọn một trong hai: --rect (vị trí mới) hoặc --field (ô chữ ký có sẵn).", "Choose one: --rect (a new place) or --field (an existing signature field)."},
	"usage.page-and-field":        {"--page không đi cùng --field: ô chữ ký đã có trang của nó.", "--page does not go with --field: the field already has its page."},
	"usage.page-needs-rect":       {"--page cần --rect x1,y1,x2,y2 để biết đặt chữ ký ở đâu trên trang.", "--page needs --rect x1,y1,x2,y2 to know where on the page the signature goes."},
	"usage.only-for":              {"%s chỉ dùng với --profile %s.", "%s only goes with --profile %s."},
	"usage.issue-needs-seal": {
		"Chữ ký phát hành hiển thị cần ảnh con dấu: thêm --seal-image CON_DẤU.png (PNG nền trong suốt).",
		"A visible issuing signature needs the seal image: add --seal-image SEAL.png (PNG, transparent background)."},
	"usage.number-rect-needs-number": {"--number-rect cần --number (số và ký hiệu, ví dụ \"05/QĐ-UBND\").", "--number-rect needs --number (number and code, e.g. \"05/QĐ-UBND\")."},
	"usage.image-needs-place": {
		"Ảnh chữ ký cần vị trí: thêm --page N --rect x1,y1,x2,y2, hoặc --field TÊN_Ô để ký vào ô chữ ký có sẵn.",
		"A signature image needs a place: add --page N --rect x1,y1,x2,y2, or --field NAME to sign into an existing signature field."},
	"usage.mode-needs-place": {
		"--mode chỉ có nghĩa với chữ ký hiển thị: thêm --page N --rect x1,y1,x2,y2, hoặc --field TÊN_Ô.",
		"--mode only means something for a visible signature: add --page N --rect x1,y1,x2,y2, or --field NAME."},
	"usage.mode-needs-image": {"--mode %s cần --signature-image.", "--mode %s needs --signature-image."},
	"usage.attachment-needs-number": {
		"Ký phụ lục cần số và ký hiệu của văn bản chính: thêm --number \"05/QĐ-UBND\".",
		"Signing an attachment needs the main document's number: add --number \"05/QĐ-UBND\"."},
	"usage.copy-needs-form": {"Ký bản sao cần hình thức sao: --copy-form \"SAO Y\", \"SAO LỤC\" hoặc \"TRÍCH SAO\".", "Signing a copy needs the copy form: --copy-form \"SAO Y\", \"SAO LỤC\" or \"TRÍCH SAO\"."},
	"usage.out-is-in": {
		"Tệp đầu ra %s trùng tệp đầu vào: bản gốc sẽ bị thay. Chọn --out khác, hoặc thêm --force nếu thật sự muốn ký đè lên bản gốc.",
		"The output %s is the input file: the original would be replaced. Choose another --out, or add --force if you really mean to sign over the original."},
	"usage.out-exists": {
		"Tệp đầu ra %s đã có. Chọn --out khác, hoặc thêm --force để thay nó.",
		"The output file %s already exists. Choose another --out, or add --force to replace it."},
	"usage.out-dir-missing": {"Thư mục %s của tệp đầu ra không có; tạo nó trước hoặc chọn --out khác.", "The output's folder %s does not exist; create it first or choose another --out."},
	"usage.batch-same-dir": {
		"--out-dir %s trùng thư mục --batch: các bản gốc sẽ bị thay. Chọn thư mục đầu ra khác.",
		"--out-dir %s is the --batch folder: the originals would be replaced. Choose another output folder."},

	// Flags.
	"flag.lang":            {"ngôn ngữ thông báo: `vi` hoặc en", "language of messages: `vi` or en"},
	"flag.in":              {"`TỆP` PDF cần ký", "the PDF `FILE` to sign"},
	"flag.out":             {"`TỆP` PDF đã ký (không được có sẵn, trừ khi có --force)", "the signed PDF `FILE` (must not exist unless --force)"},
	"flag.batch":           {"ký mọi tệp *.pdf trong `THƯ_MỤC` này", "sign every *.pdf in this `DIR`"},
	"flag.out-dir":         {"`THƯ_MỤC` ghi các tệp đã ký của --batch (cùng tên tệp)", "`DIR` for the signed files of --batch (same names)"},
	"flag.force":           {"cho phép thay tệp đầu ra đã có, kể cả chính tệp đầu vào", "allow replacing an existing output, even the input itself"},
	"flag.module":          {"`ĐƯỜNG_DẪN` mô-đun PKCS#11 (driver) của thiết bị; mặc định tự dò", "`PATH` of the token's PKCS#11 module (driver); default: probe"},
	"flag.token":           {"`NHÃN` của thiết bị ký số; mặc định thiết bị duy nhất đang cắm", "token `LABEL`; default: the only token present"},
	"flag.list-token":      {"`NHÃN` của thiết bị cần đăng nhập khi có VANTHU_PIN", "`LABEL` of the token to log in to when VANTHU_PIN is set"},
	"flag.cert":            {"dấu vân tay `SHA-256` của chứng thư số dùng để ký; mặc định chứng thư duy nhất ký được", "`SHA-256` fingerprint of the certificate to sign with; default: the only one that can sign"},
	"flag.pin-stdin":       {"đọc mã PIN từ dòng đầu của đầu vào chuẩn (thay cho VANTHU_PIN)", "read the PIN from the first line of standard input (instead of VANTHU_PIN)"},
	"flag.list-pin-stdin":  {"đọc mã PIN từ đầu vào chuẩn để kiểm tra khóa bí mật", "read the PIN from standard input to check private keys"},
	"flag.profile":         {"loại chữ ký: `approval`, issue, attachment hoặc copy", "signature kind: `approval`, issue, attachment or copy"},
	"flag.level":           {"mức PAdES: `B-B` hoặc B-T (có dấu thời gian; mặc định B-T khi có --tsa)", "PAdES level: `B-B` or B-T (with a timestamp; default B-T when --tsa is given)"},
	"flag.subfilter":       {"mã hóa chữ ký: `pades` (ETSI.CAdES.detached) hoặc adbe (adbe.pkcs7.detached, cho phần mềm cũ)", "signature encoding: `pades` (ETSI.CAdES.detached) or adbe (adbe.pkcs7.detached, for older software)"},
	"flag.tsa":             {"`URL` máy chủ cấp dấu thời gian RFC 3161, ví dụ http://tsa.ca.gov.vn", "`URL` of an RFC 3161 timestamp authority, e.g. http://tsa.ca.gov.vn"},
	"flag.page":            {"`TRANG` đặt chữ ký (từ 1), cùng --rect", "`PAGE` of the signature (from 1), with --rect"},
	"flag.rect":            {"vị trí chữ ký `x1,y1,x2,y2` (point, gốc ở góc dưới bên trái trang)", "signature box `x1,y1,x2,y2` (points, origin at the bottom left of the page)"},
	"flag.field":           {"ký vào ô chữ ký trống có sẵn `TÊN` trong tài liệu", "sign into the existing empty signature field `NAME`"},
	"flag.mode":            {"nội dung chữ ký duyệt: `image`, text hoặc image+text", "what an approval shows: `image`, text or image+text"},
	"flag.signature-image": {"ảnh chữ ký tay `PNG` (màu xanh, nền trong suốt), cho approval", "handwritten signature `PNG` (blue, transparent background), for approval"},
	"flag.seal-image":      {"ảnh con dấu `PNG` (màu đỏ, nền trong suốt, đúng kích thước), cho issue", "seal `PNG` (red, transparent background, real size), for issue"},
	"flag.number":          {"số và ký hiệu văn bản, ví dụ `\"05/QĐ-UBND\"`", "document number and code, e.g. `\"05/QĐ-UBND\"`"},
	"flag.number-rect":     {"issue: ô `x1,y1,x2,y2` trên trang 1 để đóng số văn bản vào thân văn bản", "issue: box `x1,y1,x2,y2` on page 1 to stamp the number into the body"},
	"flag.date-rect":       {"issue: ô `x1,y1,x2,y2` trên trang 1 để ghi ngày ban hành", "issue: box `x1,y1,x2,y2` on page 1 to stamp the issue date"},
	"flag.reason":          {"lý do ký ghi trong chữ ký (`VĂN_BẢN`); mặc định theo loại chữ ký", "reason recorded in the signature (`TEXT`); default from the kind"},
	"flag.location":        {"nơi ký ghi trong chữ ký (`VĂN_BẢN`)", "signing place recorded in the signature (`TEXT`)"},
	"flag.contact":         {"thông tin liên hệ ghi trong chữ ký (`VĂN_BẢN`)", "contact information recorded in the signature (`TEXT`)"},
	"flag.copy-form":       {"copy: hình thức sao (`VĂN_BẢN`): SAO Y, SAO LỤC hoặc TRÍCH SAO", "copy: copy form (`TEXT`): SAO Y, SAO LỤC or TRÍCH SAO"},
	"flag.copy-agency":     {"copy: tên cơ quan sao (`VĂN_BẢN`); mặc định tổ chức (O) trong chứng thư số", "copy: copying agency (`TEXT`); default the certificate's organisation (O)"},
	"flag.json":            {"in kết quả dạng JSON", "print the result as JSON"},
	"flag.demo-dir":        {"`THƯ_MỤC` của bản chạy thử; mặc định thư mục dữ liệu người dùng + vanthu-demo", "demo `DIR`; default: the user data folder + vanthu-demo"},

	// Errors: PIN and token.
	"err.pin-wrong": {
		"Mã PIN không đúng.%s Kiểm tra lại mã PIN rồi chạy lại lệnh; không thử đoán: thiết bị sẽ bị khóa.",
		"Wrong PIN.%s Check the PIN and run the command again; do not guess: the token will lock."},
	"err.pin-tries-left": {" Còn %d lần thử.", " Tries left: %d."},
	"err.pin-locked": {
		"Thiết bị ký số đã bị khóa do nhập sai PIN quá số lần cho phép. Liên hệ đơn vị cấp chứng thư số để mở khóa.",
		"The token is locked after too many wrong PINs. Contact the certificate authority that issued it to unlock it."},
	"err.pin-pad-cancelled": {
		"Việc nhập mã PIN trên thiết bị đã bị hủy hoặc quá thời gian. Chạy lại lệnh và nhập mã PIN trên bàn phím của thiết bị.",
		"PIN entry on the device was cancelled or timed out. Run the command again and type the PIN on the device's keypad."},
	"err.token-removed": {
		"Thiết bị ký số đã bị rút ra hoặc mất kết nối. Cắm lại thiết bị rồi chạy lại lệnh; tệp đang ký dở không được ghi ra.",
		"The token was removed or lost its connection. Plug it in again and run the command again; the file being signed was not written."},
	"err.not-logged-in": {
		"Thiết bị ký số đã tự đăng xuất (hết thời gian hoặc phần mềm khác đăng xuất). Chạy lại lệnh.",
		"The token logged out (a timeout, or another program logged out). Run the command again."},
	"err.no-token-slot": {
		"Không có thiết bị ký số trong khe đã chọn. Cắm thiết bị rồi chạy lại lệnh.",
		"There is no token in the chosen slot. Plug the token in and run the command again."},
	"err.no-token": {
		"Không thấy thiết bị ký số nào. Cắm thiết bị (USB token) vào máy rồi chạy lại lệnh; nếu đã cắm, xem mô-đun và thiết bị bằng \"vanthuctl token list\".",
		"No token found. Plug the token (USB token) in and run the command again; if it is plugged in, check the module and tokens with \"vanthuctl token list\"."},
	"err.token-label-none": {
		"Không thấy thiết bị ký số %q, cũng không có thiết bị nào khác. Cắm thiết bị rồi chạy lại lệnh.",
		"Token %q is not there, nor any other token. Plug it in and run the command again."},
	"err.token-label": {
		"Không thấy thiết bị ký số %q. Cắm đúng thiết bị, hoặc chọn một trong các thiết bị đang có:%s",
		"Token %q is not there. Plug in the right token, or pick one of the tokens present:%s"},
	"err.no-module": {
		"Không tìm thấy mô-đun PKCS#11 (driver của thiết bị ký số). Đã dò:%s\nHãy cài phần mềm (driver) của thiết bị ký số hoặc chỉ đường dẫn bằng --module (hoặc biến môi trường VANTHU_PKCS11_MODULE).",
		"No PKCS#11 module (the token's driver) was found. Probed:%s\nInstall the token's software (driver) or give its path with --module (or the VANTHU_PKCS11_MODULE environment variable)."},
	"err.module-not-found": {
		"Không có mô-đun PKCS#11 tại %s (đường dẫn của --module). Đã dò:%s\nHãy cài phần mềm (driver) của thiết bị ký số hoặc chỉ đường dẫn đúng bằng --module.",
		"There is no PKCS#11 module at %s (the --module path). Probed:%s\nInstall the token's software (driver) or give the right path with --module."},
	"err.no-module-plain": {
		"Không tìm thấy mô-đun PKCS#11 (%s). Hãy cài phần mềm (driver) của thiết bị ký số hoặc chỉ đường dẫn bằng --module.",
		"No PKCS#11 module found (%s). Install the token's software (driver) or give its path with --module."},
	"err.module-load": {
		"Không nạp được mô-đun PKCS#11 %s: %s. Kiểm tra đây đúng là driver của thiết bị, cùng kiến trúc với chương trình (64-bit), và đã cài đủ phần mềm đi kèm.",
		"Cannot load the PKCS#11 module %s: %s. Check that it is the token's driver, built for the same architecture as this program (64-bit), and that its software is fully installed."},
	"err.tokens": {
		"Mô-đun %s không liệt kê được thiết bị: %s. Rút thiết bị ra, cắm lại rồi chạy lại lệnh.",
		"The module %s cannot list tokens: %s. Unplug the token, plug it in again and run the command again."},
	"err.login": {
		"Không đăng nhập được vào thiết bị %q: %s. Kiểm tra mã PIN bằng phần mềm của nhà cung cấp thiết bị.",
		"Cannot log in to token %q: %s. Check the PIN with the token vendor's software."},
	"err.no-credential": {
		"Không thấy chứng thư số cần dùng trên thiết bị (%s). Kiểm tra đã cắm đúng thiết bị.",
		"The certificate is not on the token (%s). Check that the right token is plugged in."},
	"err.cert-not-on-token": {
		"Không có chứng thư số SHA-256 %s trên thiết bị %q. Cắm đúng thiết bị, hoặc chọn một chứng thư có trên thiết bị:%s",
		"There is no certificate with SHA-256 %s on token %q. Plug in the right token, or pick a certificate on it:%s"},
	"err.cert-unusable": {
		"Chứng thư số %s không dùng để ký được: %s. Chọn chứng thư khác bằng --cert, hoặc liên hệ đơn vị cấp chứng thư số.",
		"Certificate %s cannot sign: %s. Pick another one with --cert, or contact the certificate authority."},
	"err.no-usable-cert": {
		"Thiết bị %q không có chứng thư số nào dùng để ký được:%s\nLiên hệ đơn vị cấp chứng thư số (gia hạn hoặc cấp lại).",
		"Token %q has no certificate that can sign:%s\nContact the certificate authority (renewal or a new certificate)."},

	// Errors: documents.
	"err.encrypted": {
		"Tài liệu được đặt mật khẩu hoặc mã hóa nên không ký được. Gỡ bảo vệ bằng phần mềm đã đặt nó (hoặc xin nơi gửi bản không mã hóa) rồi ký lại.",
		"The document is password-protected or encrypted, so it cannot be signed. Remove the protection with the software that set it (or ask the sender for an unencrypted copy), then sign again."},
	"err.certified": {
		"Tài liệu đã được chứng thực ở chế độ \"không cho phép thay đổi\" (DocMDP P=1): thêm chữ ký sẽ làm mất hiệu lực chứng thực. Không ký tài liệu này; liên hệ nơi gửi.",
		"The document is certified with \"no changes allowed\" (DocMDP P=1): a new signature would invalidate the certification. Do not sign it; contact the sender."},
	"err.field-locked": {
		"Một chữ ký trước đó đã khóa ô chữ ký này hoặc không cho thêm chữ ký mới (FieldMDP): ký vào sẽ làm chữ ký ấy mất hiệu lực (%s). Không ký tài liệu này; liên hệ nơi gửi.",
		"An earlier signature locks this signature field or forbids new signatures (FieldMDP): signing would invalidate that signature (%s). Do not sign this document; contact the sender."},
	"err.malformed": {
		"Tệp không phải PDF hợp lệ hoặc đã bị hỏng nên không ký được (%s). Mở thử bằng trình đọc PDF; nếu cần, lưu lại bằng phần mềm đã tạo ra nó rồi ký lại.",
		"The file is not a valid PDF or is damaged, so it cannot be signed (%s). Open it in a PDF reader; if needed, save it again with the software that made it, then sign again."},
	"err.field-signed":  {"Ô chữ ký đã được ký (%s). Chọn ô chữ ký trống khác, hoặc bỏ --field để thêm chữ ký mới.", "The signature field is already signed (%s). Pick another empty field, or drop --field to add a new signature."},
	"err.field-missing": {"Không có ô chữ ký này trong tài liệu (%s). Kiểm tra tên ô, hoặc bỏ --field.", "The document has no such signature field (%s). Check the name, or drop --field."},
	"err.no-such-field": {
		"Tài liệu không có ô chữ ký %q. Các ô chữ ký trống: %s. Kiểm tra tên ô, hoặc dùng --page/--rect để đặt chữ ký mới.",
		"The document has no signature field %q. Empty signature fields: %s. Check the name, or use --page/--rect for a new signature."},
	"err.field-already-signed": {"Ô chữ ký %q đã được ký. Chọn ô trống khác, hoặc bỏ --field để thêm chữ ký mới.", "Signature field %q is already signed. Pick another empty field, or drop --field to add a new signature."},
	"err.field-invisible":      {"Ô chữ ký %q không hiển thị (kích thước 0) nên không đặt được dòng chữ ở đó. Bỏ --field để đặt ở góc trên bên phải trang 1.", "Signature field %q is invisible (size zero), so the text cannot go there. Drop --field to put it at the top right of page 1."},
	"err.no-leader-signature": {
		"Tài liệu chưa có chữ ký hiển thị của lãnh đạo để đóng dấu chồng lên. Lãnh đạo cần ký duyệt trước; hoặc chỉ vị trí con dấu bằng --page/--rect, hoặc bỏ --seal-image để ký phát hành không hiển thị.",
		"The document has no visible leader's signature for the seal to overlap. The leader must approve it first; or give the seal's place with --page/--rect, or drop --seal-image for an invisible issuing signature."},
	"err.appearance": {"Không tạo được hình hiển thị của chữ ký: %s. Kiểm tra ảnh PNG và vị trí (--page, --rect).", "Cannot draw the signature's appearance: %s. Check the PNG image and the place (--page, --rect)."},
	"err.not-png":    {"Ảnh không phải tệp PNG (%s). Dùng ảnh PNG nền trong suốt.", "The image is not a PNG file (%s). Use a PNG with a transparent background."},
	"err.image-read": {"%s: không đọc được ảnh %s: %s.", "%s: cannot read the image %s: %s."},
	"err.tsa": {
		"Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA): %s. Kiểm tra mạng và địa chỉ --tsa, hoặc ký không dấu thời gian (bỏ --tsa). Tệp đầu ra chưa được tạo.",
		"Cannot get a timestamp from the timestamp authority (TSA): %s. Check the network and the --tsa address, or sign without a timestamp (drop --tsa). No output file was made."},
	"err.cancelled":    {"Đã dừng theo yêu cầu; tệp đang ký dở không được ghi ra.", "Stopped on request; the file being signed was not written."},
	"err.file-missing": {"Không có tệp %s. Kiểm tra lại đường dẫn.", "There is no file %s. Check the path."},
	"err.file":         {"Không đọc/ghi được %s: %s.", "Cannot read or write %s: %s."},
	"err.other":        {"Không ký được: %s", "Signing failed: %s"},

	// Errors: batch.
	"err.batch-dir":        {"Không đọc được thư mục %s: %s.", "Cannot read the folder %s: %s."},
	"err.batch-empty":      {"Thư mục %s không có tệp *.pdf nào.", "The folder %s holds no *.pdf file."},
	"err.batch-out-dir":    {"Không tạo được thư mục đầu ra %s: %s.", "Cannot create the output folder %s: %s."},
	"err.batch-out-exists": {"tệp đầu ra %s đã có; thêm --force để thay, hoặc chọn --out-dir khác.", "the output %s already exists; add --force to replace it, or choose another --out-dir."},
	"err.batch-failed":     {"%d trong %d tệp không ký được; xem các dòng LỖI ở trên.", "%d of %d files could not be signed; see the ERROR lines above."},
	"err.batch-stopped": {
		"Đã dừng cả lô: %s Còn %d tệp chưa ký; chạy lại lệnh (các tệp đã ký sẽ bị từ chối vì đã có, trừ khi có --force).",
		"The batch stopped: %s %d files were not signed; run the command again (files already signed are refused as existing unless --force)."},

	// Errors: demo.
	"err.demo-dir":     {"Không tạo được thư mục chạy thử: %s.", "Cannot create the demo folder: %s."},
	"err.demo-pki":     {"Không tạo được PKI thử nghiệm: %s. Cần SoftHSM2 (apt install softhsm2).", "Cannot make the test PKI: %s. SoftHSM2 is needed (apt install softhsm2)."},
	"err.demo-tsa":     {"Không chạy được máy chủ dấu thời gian thử nghiệm: %s.", "Cannot start the test timestamp authority: %s."},
	"err.demo-samples": {"Không tạo được tài liệu mẫu: %s.", "Cannot write the sample documents: %s."},
	"err.demo-verify":  {"%d chữ ký hoặc tệp không được xác nhận hợp lệ; xem ở trên.", "%d signatures or files were not confirmed valid; see above."},

	// Notes.
	"note.pin-pad": {"Thiết bị %q có bàn phím riêng: hãy nhập mã PIN trên thiết bị.", "Token %q has its own keypad: type the PIN on the device."},
	"note.list-keys": {
		"Chứng thư số là đối tượng công khai nên liệt kê không cần mã PIN. Khóa bí mật chỉ được kiểm tra sau khi đăng nhập: đặt %s (và --token nếu có nhiều thiết bị) để xem chứng thư nào có khóa để ký.",
		"Certificates are public objects, so listing needs no PIN. Private keys are only checked after login: set %s (and --token when there are several tokens) to see which certificates have a key to sign with."},
	"note.list-several": {
		"%s đã được đặt nhưng có nhiều thiết bị nên không đăng nhập vào thiết bị nào (một mã PIN không được thử trên nhiều thiết bị). Chọn thiết bị bằng --token.",
		"%s is set but there are several tokens, so none was logged in to (one PIN is never tried on several tokens). Pick the token with --token."},

	// Certificates and their problems.
	"cert.usable":                  {"dùng để ký được", "can sign"},
	"cert.unusable":                {"không dùng để ký được: %s", "cannot sign: %s"},
	"cert.key-unchecked":           {"chứng thư hợp lệ; khóa bí mật chưa kiểm tra (chỉ kiểm tra được sau khi đăng nhập)", "certificate valid; private key not checked (only possible after login)"},
	"cert.none":                    {"(không có chứng thư số nào)", "(no certificates)"},
	"cert.valid-until":             {"hiệu lực đến", "valid until"},
	"problem.ca-certificate":       {"chứng thư của CA (thuộc chuỗi chứng thư), không phải chứng thư người ký", "a CA certificate (part of the chain), not a signer's certificate"},
	"problem.not-logged-in":        {"khóa bí mật chỉ thấy được sau khi đăng nhập", "private keys are only visible after login"},
	"problem.no-private-key":       {"không có khóa bí mật đi kèm trên thiết bị", "no matching private key on the token"},
	"problem.key-mismatch":         {"khóa bí mật cùng mã (CKA_ID) không khớp với chứng thư", "the private key with the same ID (CKA_ID) does not match the certificate"},
	"problem.unsupported-key":      {"loại khóa không hỗ trợ (chỉ RSA và ECDSA)", "unsupported key type (only RSA and ECDSA)"},
	"problem.pin-per-signature":    {"khóa đòi nhập PIN cho mỗi lần ký, chưa được hỗ trợ", "the key needs a PIN for every signature, not supported"},
	"problem.expired":              {"chứng thư đã hết hạn", "the certificate has expired"},
	"problem.not-yet-valid":        {"chứng thư chưa đến ngày hiệu lực", "the certificate is not valid yet"},
	"problem.no-signing-key-usage": {"chứng thư không cho phép ký văn bản (mục đích sử dụng khóa)", "the certificate does not allow signing documents (key usage)"},
	"problem.other":                {"lý do khác (%s)", "another reason (%s)"},

	// Module probes.
	"probe.found":       {"có tệp", "found"},
	"probe.not-found":   {"không có tệp", "not found"},
	"source.config":     {"--module", "--module"},
	"source.env":        {"biến VANTHU_PKCS11_MODULE", "VANTHU_PKCS11_MODULE"},
	"source.known":      {"danh sách có sẵn", "built-in list"},
	"token.brief":       {"khe %d, số sê-ri %s, %s %s", "slot %d, serial %s, %s %s"},
	"token.brief-blank": {"khe %d, %s %s", "slot %d, %s %s"},

	// Token list.
	"list.probes":        {"Mô-đun PKCS#11 đã dò ([*] đang dùng, [+] có trên máy):", "PKCS#11 modules probed ([*] in use, [+] present):"},
	"list.module":        {"Đang dùng: %s — %s, %s, thư viện %s, PKCS#11 %s", "In use: %s — %s, %s, library %s, PKCS#11 %s"},
	"list.tokens":        {"Thiết bị ký số: %d", "Tokens: %d"},
	"list.blank":         {"(thiết bị trống, chưa khởi tạo)", "(blank token, not initialised)"},
	"list.pin":           {"Mã PIN: %s", "PIN: %s"},
	"list.logged-in":     {"Đã đăng nhập (VANTHU_PIN) để kiểm tra khóa bí mật.", "Logged in (VANTHU_PIN) to check private keys."},
	"list.token-error":   {"Lỗi: %s", "Error: %s"},
	"list.certs":         {"Chứng thư số: %d", "Certificates: %d"},
	"list.cert.o":        {"Cơ quan:", "Organisation:"},
	"list.cert.issuer":   {"Cấp bởi:", "Issuer:"},
	"list.cert.serial":   {"Số sê-ri:", "Serial:"},
	"list.cert.validity": {"Hiệu lực:", "Validity:"},
	"list.cert.sha256":   {"SHA-256:", "SHA-256:"},
	"list.cert.signing":  {"Dùng để ký:", "Signing:"},
	"pin.ok":             {"bình thường", "normal"},
	"pin.count-low":      {"đã có lần nhập sai, còn ít lần thử", "wrong PIN entered before, few tries left"},
	"pin.final-try":      {"chỉ còn 1 lần thử: nhập sai lần nữa thiết bị sẽ bị khóa", "one try left: one more wrong PIN locks the token"},
	"pin.locked":         {"ĐÃ KHÓA (liên hệ đơn vị cấp chứng thư số để mở khóa)", "LOCKED (contact the certificate authority to unlock it)"},
	"pin.to-be-changed":  {"phải đổi mã PIN bằng phần mềm của nhà cung cấp", "the PIN must be changed with the vendor's software"},
	"pin.pad":            {"nhập mã PIN trên bàn phím của thiết bị", "PIN typed on the device's keypad"},

	// Sign results.
	"result.signed":      {"Đã ký: %s", "Signed: %s"},
	"result.signer":      {"  Người ký:      %s", "  Signer:        %s"},
	"result.cert":        {"  Chứng thư số:  SHA-256 %s", "  Certificate:   SHA-256 %s"},
	"result.token":       {"  Thiết bị:      %q qua mô-đun %s", "  Token:         %q through module %s"},
	"result.kind":        {"  Loại chữ ký:   %s; PAdES %s (%s)", "  Kind:          %s; PAdES %s (%s)"},
	"result.visible":     {"  Hiển thị:      trang %d, --rect %s", "  Visible:       page %d, --rect %s"},
	"result.invisible":   {"  Hiển thị:      không (chữ ký vô hình)", "  Visible:       no (invisible signature)"},
	"result.field":       {"  Ô chữ ký:      %s", "  Field:         %s"},
	"result.reason":      {"  Lý do ký:      %s", "  Reason:        %s"},
	"result.chain":       {"  Chuỗi nhúng:   %d chứng thư CA trung gian", "  Chain:         %d intermediate CA certificates embedded"},
	"result.chain-none":  {"  Chuỗi nhúng:   không có (thiết bị không mang chứng thư CA trung gian; phần mềm kiểm tra cần có sẵn)", "  Chain:         none (the token carries no intermediate CA certificate; verifiers need their own)"},
	"result.time":        {"  Thời gian ký:  %s", "  Signed at:     %s"},
	"result.size":        {"  Kích thước:    %d byte", "  Size:          %d bytes"},
	"profile.approval":   {"ký duyệt (approval)", "approval"},
	"profile.issue":      {"ký phát hành (issue)", "issuing (issue)"},
	"profile.attachment": {"ký phụ lục (attachment)", "attachment"},
	"profile.copy":       {"ký bản sao (copy)", "copy"},

	// Batch.
	"batch.file-failed": {"LỖI: %s", "ERROR: %s"},
	"batch.summary": {
		"Đã ký %d/%d tệp (%d lỗi, %d chưa ký) trong %.1f giây: %.1f tệp/giây. Tệp đã ký ở %s.",
		"Signed %d/%d files (%d failed, %d not attempted) in %.1f s: %.1f documents/s. Signed files are in %s."},

	// Demo.
	"demo.step.pki": {"1. PKI thử nghiệm trên thiết bị ký số mềm (SoftHSM2): %s", "1. Test PKI on SoftHSM2 software tokens: %s"},
	"demo.pki": {
		"   mô-đun %s\n   thiết bị %q (lãnh đạo), %q (cơ quan), %q (CA), %q (kiểm thử); mã PIN thử nghiệm %s",
		"   module %s\n   tokens %q (leader), %q (agency), %q (CA), %q (tests); test PIN %s"},
	"demo.step.tsa":        {"2. Máy chủ cấp dấu thời gian thử nghiệm đang chạy tại %s", "2. Test timestamp authority running at %s"},
	"demo.step.samples":    {"3. Tài liệu mẫu, ảnh chữ ký và con dấu mẫu: %s", "3. Sample documents, sample signature and seal: %s"},
	"demo.step.leader":     {"4. Lãnh đạo ký duyệt văn bản (ảnh chữ ký, góc dưới bên phải trang 1) → %s", "4. The leader approves the document (signature image, bottom right of page 1) → %s"},
	"demo.step.issue":      {"5. Văn thư ký phát hành bằng chứng thư của cơ quan: dấu đỏ chồng lên chữ ký lãnh đạo, số 05/QĐ-UBND, có dấu thời gian → %s", "5. The clerk issues it with the agency's certificate: red seal over the leader's signature, number 05/QĐ-UBND, timestamped → %s"},
	"demo.step.attachment": {"6. Văn thư ký phụ lục (góc trên bên phải trang 1, không hình ảnh) → %s", "6. The clerk signs the attachment (top right of page 1, no image) → %s"},
	"demo.step.copy":       {"7. Văn thư ký bản sao y (góc trên bên phải trang 1) → %s", "7. The clerk signs a certified copy (top right of page 1) → %s"},
	"demo.signed":          {"   đã ký: %s, PAdES %s, %s", "   signed: %s, PAdES %s, %s"},
	"demo.where":           {"hiển thị ở trang %d, --rect %s", "visible on page %d, --rect %s"},
	"demo.invisible":       {"không hiển thị", "invisible"},
	"demo.step.verify":     {"8. Kiểm tra chữ ký (như vanthuctl verify), tin cậy CA gốc thử nghiệm trong %s", "8. Signatures checked (as vanthuctl verify does), trusting the test root in %s"},
	"demo.verify.file":     {"   %s: %d chữ ký, %s", "   %s: %d signatures, %s"},
	"demo.verify.sig":      {"     #%d %s (PAdES %s): %s; %s; %s", "     #%d %s (PAdES %s): %s; %s; %s"},
	"demo.sig-valid":       {"chữ ký hợp lệ", "signature valid"},
	"demo.cert-trusted":    {"chứng thư tin cậy", "certificate trusted"},
	"demo.total":           {"phủ toàn bộ tài liệu", "covers the whole document"},
	"demo.partial":         {"phủ phiên bản được ký (sau đó có chữ ký khác, bình thường)", "covers the revision signed (later signatures follow, as expected)"},
	"demo.all-valid":       {"   Mọi chữ ký hợp lệ, mọi chứng thư tin cậy.", "   Every signature valid, every certificate trusted."},
	"demo.files": {
		"\nCác tệp:\n  tài liệu gốc:          %s\n  tài liệu đã ký:        %s\n  ảnh chữ ký, con dấu:   %s\n  PKI thử nghiệm:        %s (mã PIN %s; chỉ để thử, không dùng cho văn bản thật)",
		"\nFiles:\n  original documents:    %s\n  signed documents:      %s\n  signature, seal:       %s\n  test PKI:              %s (PIN %s; for trying out only, never for real documents)"},
	"demo.try":        {"\nTự ký thử bằng tay với cùng các thiết bị ký số mềm:", "\nSign by hand with the same software tokens:"},
	"demo.try.list":   {"xem mô-đun, thiết bị và chứng thư số", "see the module, the tokens and the certificates"},
	"demo.try.leader": {"lãnh đạo ký duyệt vào ô chữ ký có sẵn \"ChuKyLanhDao\" của biểu mẫu", "the leader approves into the form's existing field \"ChuKyLanhDao\""},
	"demo.try.issue":  {"văn thư đóng dấu, ký phát hành văn bản vừa được duyệt", "the clerk seals and issues the approved document"},
	"demo.try.batch":  {"ký cả thư mục tài liệu mẫu như phụ lục (ký hàng loạt)", "sign the whole sample folder as attachments (batch signing)"},
	"demo.try.verify": {"kiểm tra chữ ký của văn bản vừa phát hành", "check the signatures of the issued document"},
	"demo.try.note": {
		"\nChạy lại một lệnh ký khi tệp đầu ra đã có sẽ bị từ chối; thêm --force để thay có chủ ý. Thêm --lang en để xem thông báo tiếng Anh.",
		"\nRunning a sign command again when the output exists is refused; add --force to replace it on purpose. Add --lang vi for Vietnamese messages."},

	// verify.
	"usage.verify": {
		vi: `Cách dùng:
  vanthuctl verify [--trust TỆP|THƯ_MỤC]... [--offline] [--accept-unknown-revocation] [--json] TỆP.pdf
  vanthuctl verify --extract-signed-revision N --out RA.pdf TỆP.pdf

Kiểm tra mọi chữ ký của văn bản PDF: toàn vẹn, phạm vi ký, sửa đổi sau khi ký,
chứng thư tin cậy, tình trạng thu hồi (OCSP/CRL trong văn bản hoặc trực tuyến) và dấu thời gian.
Chứng thư được tin cậy theo danh sách của máy (mặc định: các CA gốc của Ban Cơ yếu Chính phủ
và của Bộ TT&TT; quản trị thay đổi bằng vanthuctl trust), cộng với các --trust.
Mã thoát: 0 hợp lệ; 1 không hợp lệ (hoặc không đọc được tệp); 4 chưa xác định; 2 sai cách dùng.
`,
		en: `Usage:
  vanthuctl verify [--trust FILE|DIR]... [--offline] [--accept-unknown-revocation] [--json] FILE.pdf
  vanthuctl verify --extract-signed-revision N --out OUT.pdf FILE.pdf

Checks every signature of a PDF: integrity, what it covers, changes after signing,
trusted certificate, revocation (OCSP/CRL in the document or online) and timestamps.
Certificates are trusted by the workstation's list (by default the root CAs of the Government
Cipher Committee and of the Ministry of Information; administrators change it with vanthuctl
trust), plus any --trust.
Exit codes: 0 valid; 1 invalid (or the file cannot be read); 4 indeterminate; 2 usage error.
`},
	"flag.trust":                     {"`TỆP` hoặc THƯ_MỤC chứng thư (PEM, DER, PKCS#7) tin cậy thêm cho lần kiểm tra này, ngoài danh sách của máy; lặp lại được", "certificate `FILE` or folder (PEM, DER, PKCS#7) to trust for this check, besides the workstation's list; may be repeated"},
	"flag.accept-unknown-revocation": {"chính sách của cơ quan: coi chữ ký là hợp lệ khi chưa kiểm tra được tình trạng thu hồi (báo cáo vẫn ghi rõ)", "agency policy: a signature whose revocation could not be checked is valid (the report says so)"},
	"flag.offline":                   {"không kết nối mạng: chỉ dùng dữ liệu thu hồi có trong văn bản và bộ nhớ đệm", "no network: use only the revocation data in the document and the cache"},
	"flag.extract":                   {"ghi ra phiên bản văn bản mà chữ ký thứ `N` (đếm từ 1) đã ký", "write the revision that signature `N` (counting from 1) signed"},
	"flag.extract-out":               {"`TỆP` ghi phiên bản đã ký (dùng với --extract-signed-revision)", "`FILE` for the signed revision (with --extract-signed-revision)"},
	"usage.verify-no-file":           {"Thiếu tệp PDF cần kiểm tra: vanthuctl verify TỆP.pdf", "No PDF to verify: vanthuctl verify FILE.pdf"},
	"usage.extract-needs-out":        {"--extract-signed-revision N (N từ 1) cần đi cùng --out TỆP.", "--extract-signed-revision N (N from 1) needs --out FILE."},
	"usage.extract-exists":           {"Tệp %s đã có; chọn --out khác.", "The file %s already exists; choose another --out."},
	"usage.extract-same":             {"--out trùng tệp cần kiểm tra; chọn --out khác.", "--out is the file being verified; choose another --out."},
	"err.trust":                      {"Không đọc được chứng thư tin cậy: %s. Kiểm tra đường dẫn --trust (tệp PEM/DER hoặc thư mục).", "Cannot read the trusted certificates: %s. Check the --trust path (PEM/DER file or folder)."},
	"err.trust-empty":                {"Không có chứng thư nào trong %s (đọc được: tệp PEM, DER, PKCS#7 .p7b/.p7c).", "No certificate in %s (readable: PEM, DER and PKCS#7 .p7b/.p7c files)."},
	"err.verify-read":                {"Không kiểm tra được %s: %s.", "Cannot verify %s: %s."},
	"err.extract":                    {"Không lấy được phiên bản của chữ ký %d: %s.", "Cannot extract the revision of signature %d: %s."},
	"verify.extracted":               {"Đã ghi phiên bản văn bản mà chữ ký %d đã ký vào %s.", "Wrote the revision signature %d signed to %s."},
	"verify.exit-invalid":            {"Văn bản có chữ ký không hợp lệ.", "The document has an invalid signature."},
	"verify.exit-indeterminate":      {"Chưa xác định được tính hợp lệ của mọi chữ ký (xem lý do ở trên).", "The validity of every signature could not be established (see the reasons above)."},
	"verify.file":                    {"Tệp: %s — %d chữ ký, %d phiên bản", "File: %s — %d signatures, %d revisions"},
	"verify.verdict":                 {"Kết luận: %s", "Verdict: %s"},
	"verify.signature":               {"Chữ ký", "Signature"},
	"verify.doc-timestamp":           {"Dấu thời gian văn bản", "Document timestamp"},
	"verify.sig-head":                {"%s %d (%s): %s", "%s %d (%s): %s"},
	"verify.signer":                  {"  Người ký: %s", "  Signer: %s"},
	"verify.issuer":                  {"  Tổ chức cấp chứng thư: %s", "  Issuer: %s"},
	"verify.time":                    {"  Thời gian ký: %s (%s)", "  Signing time: %s (%s)"},
	"verify.time-proven":             {"được chứng minh bằng dấu thời gian", "proven by a timestamp"},
	"verify.time-claimed":            {"do người ký tự khai, không có dấu thời gian", "claimed by the signer, no timestamp"},
	"verify.integrity":               {"  Toàn vẹn: %s; phạm vi ký: %s; sửa đổi sau khi ký: %s", "  Integrity: %s; coverage: %s; modified after signing: %s"},
	"verify.trust":                   {"  Chứng thư: %s; thu hồi: %s", "  Certificate: %s; revocation: %s"},
	"verify.source":                  {"nguồn: %s", "source: %s"},
	"verify.anchor":                  {"  Chuỗi chứng thư đến gốc tin cậy: %s (SHA-256 %s)", "  Chain ends at the trusted root: %s (SHA-256 %s)"},
	"verify.unknown-root":            {"  Chuỗi chứng thư đến gốc KHÔNG có trong danh sách tin cậy: %s (SHA-256 %s); đối chiếu với công bố của tổ chức cấp trước khi thêm bằng vanthuctl trust add", "  Chain ends at a root NOT in the trust list: %s (SHA-256 %s); compare with the authority's publication before adding it with vanthuctl trust add"},
	"verify.detail":                  {"chi tiết kỹ thuật: %s", "technical detail: %s"},
	"verify.level":                   {"  Mức chữ ký: %s (%s)", "  Level: %s (%s)"},
	"verify.change":                  {"Sửa đổi không được phép sau khi ký: %s", "Change not allowed after signing: %s"},
	"verify.page":                    {"trang %d", "page %d"},
	"verify.object":                  {"đối tượng %s", "object %s"},
	"verify.yes":                     {"có", "yes"},
	"verify.no":                      {"không", "no"},
	"verdict.valid":                  {"HỢP LỆ", "VALID"},
	"verdict.invalid":                {"KHÔNG HỢP LỆ", "INVALID"},
	"verdict.indeterminate":          {"CHƯA XÁC ĐỊNH", "INDETERMINATE"},
	"integrity.ok":                   {"nguyên vẹn", "intact"},
	"integrity.broken":               {"bị phá vỡ", "broken"},
	"integrity.unverified":           {"chưa kiểm được chữ ký số", "signature value not checked"},
	"coverage.whole-revision":        {"trọn một phiên bản", "a whole revision"},
	"coverage.partial":               {"một phần phiên bản", "part of a revision"},
	"coverage.broken":                {"hỏng", "broken"},
	"trust.trusted":                  {"tin cậy", "trusted"},
	"trust.untrusted":                {"không tin cậy", "not trusted"},
	"trust.unknown":                  {"chưa xác định (không có chứng thư gốc tin cậy nào: xem vanthuctl trust list, hoặc thêm --trust)", "unknown (no trust anchor at all: see vanthuctl trust list, or add --trust)"},
	"revocation.good":                {"chưa bị thu hồi", "not revoked"},
	"revocation.revoked":             {"ĐÃ BỊ THU HỒI", "REVOKED"},
	"revocation.unknown":             {"chưa xác định", "unknown"},

	// trust.
	"usage.trust": {
		vi: `Cách dùng:
  vanthuctl trust list [--json] [--all]
  vanthuctl trust add TỆP --sha256 FP [--sha256 FP]...
  vanthuctl trust add TỆP --yes
  vanthuctl trust add --sha256 FP
  vanthuctl trust remove FP
  vanthuctl trust reset

Danh sách chứng thư tin cậy của máy, dùng chung cho Văn Thư Số và vanthuctl verify:
các chứng thư gốc, CA trung gian và máy chủ dấu thời gian đi kèm phần mềm (Ban Cơ yếu Chính phủ,
Bộ TT&TT), cộng với những gì quản trị thêm hoặc gỡ. Lưu trong thư mục cấu hình của người dùng
(hoặc thư mục của biến môi trường VANTHU_TRUST_DIR).
  list    liệt kê chứng thư đang dùng; --all thêm cả gốc chưa xác minh và chứng thư đã gỡ
  add     thêm chứng thư của TỆP (PEM, DER, PKCS#7 .p7b/.p7c): mỗi chứng thư cần thêm phải có
          --sha256 đúng bằng dấu vân tay SHA-256 đọc từ công bố chính thức của CA; chứng thư khác
          trong tệp bị bỏ qua. --yes thêm mọi chứng thư của tệp không cần so sánh (hãy tự đối
          chiếu dấu vân tay được in ra). Không có TỆP: tin cậy một gốc chưa xác minh đi kèm phần
          mềm, hoặc khôi phục một chứng thư mặc định đã gỡ.
  remove  gỡ một chứng thư (chứng thư mặc định được ghi nhớ là đã gỡ)
  reset   về danh sách mặc định (kể cả khi tệp danh sách bị hỏng)
FP: 64 chữ số hex, có hoặc không có dấu hai chấm.
Mã thoát: 0 xong; 1 lỗi tệp hoặc danh sách; 2 sai cách dùng.
`,
		en: `Usage:
  vanthuctl trust list [--json] [--all]
  vanthuctl trust add FILE --sha256 FP [--sha256 FP]...
  vanthuctl trust add FILE --yes
  vanthuctl trust add --sha256 FP
  vanthuctl trust remove FP
  vanthuctl trust reset

The workstation's list of trusted certificates, shared by Văn Thư Số and vanthuctl verify:
the root CAs, intermediate CAs and timestamping servers that ship with the software (Government
Cipher Committee, Ministry of Information), plus what administrators add or remove. Kept in the
user's configuration folder (or the folder of the VANTHU_TRUST_DIR environment variable).
  list    the certificates in use; --all adds unverified roots and removed certificates
  add     adds the certificates of FILE (PEM, DER, PKCS#7 .p7b/.p7c): each one to add needs a
          --sha256 equal to the SHA-256 fingerprint read off the CA's official publication; other
          certificates in the file are skipped. --yes adds every certificate of the file without
          comparing (compare the printed fingerprints yourself). Without FILE: trusts an
          unverified root shipped with the software, or brings back a removed default.
  remove  removes a certificate (a default one is remembered as removed)
  reset   back to the default list (also when the list file is damaged)
FP: 64 hex digits, with or without colons.
Exit codes: 0 done; 1 file or list error; 2 usage error.
`},
	"usage.trust-sub":              {"Thiếu lệnh con: vanthuctl trust list|add|remove|reset", "Missing subcommand: vanthuctl trust list|add|remove|reset"},
	"usage.trust-bad-fp":           {"%q không phải dấu vân tay SHA-256 (64 chữ số hex, có hoặc không có dấu hai chấm).", "%q is not a SHA-256 fingerprint (64 hex digits, with or without colons)."},
	"usage.trust-add-what":         {"Thiếu tệp chứng thư hoặc --sha256: vanthuctl trust add TỆP --sha256 FP, hoặc vanthuctl trust add --sha256 FP.", "No certificate file or --sha256: vanthuctl trust add FILE --sha256 FP, or vanthuctl trust add --sha256 FP."},
	"usage.trust-add-pin":          {"Chưa thêm gì. So sánh SHA-256 ở trên với công bố chính thức của CA, rồi chạy lại với --sha256 FP cho từng chứng thư cần thêm (hoặc --yes để thêm tất cả mà không so sánh).", "Nothing added. Compare the SHA-256 above with the CA's official publication, then run again with --sha256 FP for each certificate to add (or --yes to add them all without comparing)."},
	"usage.trust-remove-what":      {"Thiếu dấu vân tay: vanthuctl trust remove FP (xem vanthuctl trust list).", "No fingerprint: vanthuctl trust remove FP (see vanthuctl trust list)."},
	"flag.trust-all":               {"liệt kê cả gốc chưa xác minh và chứng thư mặc định đã gỡ", "also list unverified roots and removed defaults"},
	"flag.trust-sha256":            {"dấu vân tay SHA-256 `FP` của chứng thư cần thêm, theo công bố chính thức của CA; lặp lại được", "SHA-256 fingerprint `FP` of a certificate to add, from the CA's official publication; may be repeated"},
	"flag.trust-yes":               {"thêm mọi chứng thư của tệp mà không cần --sha256", "add every certificate of the file without --sha256"},
	"err.trust-dir":                {"Không xác định được thư mục lưu danh sách tin cậy: %s. Đặt biến môi trường VANTHU_TRUST_DIR.", "Cannot find the folder of the trust list: %s. Set the VANTHU_TRUST_DIR environment variable."},
	"err.trust-store":              {"Danh sách chứng thư tin cậy %[1]s bị hỏng hoặc không đọc được (%[2]s). Xóa tệp %[1]s hoặc chạy vanthuctl trust reset để về danh sách mặc định; sau đó thêm lại các chứng thư đã thêm.", "The trust list %[1]s is damaged or unreadable (%[2]s). Delete the file %[1]s or run vanthuctl trust reset to go back to the default list; then add your certificates again."},
	"err.trust-save":               {"Không lưu được danh sách chứng thư tin cậy: %s. Kiểm tra quyền ghi thư mục (hoặc đặt VANTHU_TRUST_DIR).", "Cannot save the trust list: %s. Check that the folder is writable (or set VANTHU_TRUST_DIR)."},
	"err.trust-not-shipped":        {"Không có chứng thư %s trong danh sách mặc định. Để thêm một chứng thư mới, chỉ định tệp của nó: vanthuctl trust add TỆP --sha256 FP.", "No certificate %s in the default list. To add a new certificate, name its file: vanthuctl trust add FILE --sha256 FP."},
	"err.trust-fp-mismatch":        {"SHA-256 %s không khớp chứng thư nào trong %s. Chưa thêm gì: kiểm tra lại tệp và dấu vân tay trong công bố của CA.", "SHA-256 %s matches no certificate in %s. Nothing added: check the file and the fingerprint in the CA's publication."},
	"err.trust-end-entity":         {"%s không phải chứng thư của CA (chứng thư gốc hoặc trung gian), không thể tin cậy làm gốc. Chưa thêm gì.", "%s is not a CA certificate (root or intermediate) and cannot be a trust anchor. Nothing added."},
	"err.trust-unknown":            {"Không có chứng thư %s trong danh sách (xem vanthuctl trust list --all).", "No certificate %s in the list (see vanthuctl trust list --all)."},
	"list.trust-head":              {"Danh sách tin cậy: %d chứng thư (phần do quản trị thay đổi lưu ở %s)", "Trust list: %d certificates (administrators' changes kept in %s)"},
	"list.trust-columns":           {"TIN CẬY\tLOẠI\tTÊN\tTỔ CHỨC\tHIỆU LỰC\tNGUỒN\tSHA-256", "TRUSTED\tROLE\tNAME\tORGANIZATION\tVALIDITY\tORIGIN\tSHA-256"},
	"list.trust-hidden":            {"Còn %d chứng thư không được tin cậy (gốc chưa xác minh, đã gỡ): thêm --all để xem.", "%d more certificates are not trusted (unverified roots, removed): add --all to see them."},
	"list.trust-removed":           {"đã gỡ", "removed"},
	"list.trust-role-root":         {"gốc", "root"},
	"list.trust-role-intermediate": {"trung gian", "intermediate"},
	"list.trust-role-tsa":          {"dấu thời gian", "timestamping"},
	"list.trust-role-candidate":    {"gốc chưa xác minh", "unverified root"},
	"list.trust-origin-default":    {"mặc định", "default"},
	"list.trust-origin-user":       {"do quản trị thêm", "added by an administrator"},
	"list.trust-in-file":           {"%s: %d chứng thư", "%s: %d certificates"},
	"list.trust-file-cert":         {"  - %s\n    SHA-256 %s", "  - %s\n    SHA-256 %s"},
	"note.trust-skipped":           {"Bỏ qua (không có trong --sha256): %s, SHA-256 %s", "Skipped (not given with --sha256): %s, SHA-256 %s"},
	"result.trust-added":           {"Đã thêm: %s (%s), SHA-256 %s", "Added: %s (%s), SHA-256 %s"},
	"result.trust-trusted":         {"Đã tin cậy chứng thư mặc định: %s (%s), SHA-256 %s", "Default certificate trusted: %s (%s), SHA-256 %s"},
	"result.trust-already":         {"Đã có trong danh sách: %s (%s)", "Already in the list: %s (%s)"},
	"result.trust-saved":           {"Đã lưu danh sách: %s", "List saved: %s"},
	"result.trust-removed":         {"Đã gỡ: %s (%s)", "Removed: %s (%s)"},
	"result.trust-removed-default": {"Đã gỡ chứng thư mặc định: %s (%s); thêm lại bằng vanthuctl trust add --sha256 %s", "Removed the default certificate %s (%s); bring it back with vanthuctl trust add --sha256 %s"},
	"result.trust-not-in-effect":   {"%s đã không được tin cậy; không có gì thay đổi.", "%s was not trusted; nothing changed."},
	"result.trust-reset":           {"Đã đưa danh sách chứng thư tin cậy về mặc định (%s).", "The trust list is back to the defaults (%s)."},

	// sync.
	"usage.sync": {
		vi: `Cách dùng:
  vanthuctl sync login --server URL [--ca TỆP] [--cache THƯ_MỤC] [--module …] [--token NHÃN] [--cert SHA-256]
  vanthuctl sync send [--cache THƯ_MỤC] --to MÃ[,MÃ] --subject … --number 05 --notation QĐ-UBND
                      --type "Quyết định" --signer-name … [--signer-position …] [--priority khẩn]
                      [--id MÃ_GỬI] TỆP.pdf [TỆP_KÈM_THEO…]
  vanthuctl sync run [--cache THƯ_MỤC] [--once] [--json]
  vanthuctl sync status [--cache THƯ_MỤC] [--json]
  vanthuctl sync list [--cache THƯ_MỤC] --box inbox|outbox [--json]
  vanthuctl sync get KHÓA --out THƯ_MỤC [--cache THƯ_MỤC]

Trao đổi văn bản với máy chủ Văn Thư Số không cần giao diện (cho quản trị và kịch bản).
  login   đăng nhập bằng thiết bị ký số (ký mã thử thách của máy chủ); lưu địa chỉ máy chủ,
          chứng thư CA (--ca) và phiên đăng nhập vào thư mục bộ nhớ đệm
  send    xếp văn bản vào hàng chờ gửi, không cần mạng; in ra mã gửi (dùng lại --id để không gửi trùng)
  run     đồng bộ: gửi hàng chờ, tải tệp, nhận văn bản đến; --once: dừng khi đã gửi hết và nhận đủ
  status  hàng chờ gửi (trạng thái từng văn bản, lý do lỗi), số văn bản đến, con trỏ
  list    danh sách văn bản đến (inbox) hoặc đi (outbox)
  get     ghi các tệp của văn bản KHÓA (mã gửi hoặc mã trên máy chủ) vào THƯ_MỤC
Thư mục bộ nhớ đệm: --cache, hoặc biến môi trường VANTHU_SYNC_DIR, hoặc thư mục đệm của người dùng.
Mã PIN (login) lấy từ VANTHU_PIN hoặc --pin-stdin. Proxy: HTTPS_PROXY/NO_PROXY, hoặc cài đặt của Windows.
Mã thoát: 0 xong; 1 lỗi máy chủ, mạng hoặc bộ nhớ đệm; 2 sai cách dùng; 3 cần đăng nhập lại hoặc lỗi thiết bị ký số.
`,
		en: `Usage:
  vanthuctl sync login --server URL [--ca FILE] [--cache DIR] [--module …] [--token LABEL] [--cert SHA-256]
  vanthuctl sync send [--cache DIR] --to CODE[,CODE] --subject … --number 05 --notation QĐ-UBND
                      --type "Quyết định" --signer-name … [--signer-position …] [--priority khẩn]
                      [--id SEND_ID] FILE.pdf [ATTACHMENT…]
  vanthuctl sync run [--cache DIR] [--once] [--json]
  vanthuctl sync status [--cache DIR] [--json]
  vanthuctl sync list [--cache DIR] --box inbox|outbox [--json]
  vanthuctl sync get KEY --out DIR [--cache DIR]

Exchanges documents with a Văn Thư Số server without the desktop client (for IT staff and scripts).
  login   signs in with the token (it signs the server's challenge); keeps the server's address,
          the CA certificate (--ca) and the session in the cache folder
  send    queues a document to send, no network needed; prints its send id (give it again with --id to never send twice)
  run     synchronises: sends the queue, transfers files, receives documents; --once: stops when all went and all came
  status  the send queue (each document's state, failure reasons), inbox counts, the cursor
  list    the incoming (inbox) or outgoing (outbox) documents
  get     writes the files of document KEY (send id or server id) into DIR
Cache folder: --cache, or the VANTHU_SYNC_DIR environment variable, or the user's cache folder.
The PIN (login) comes from VANTHU_PIN or --pin-stdin. Proxy: HTTPS_PROXY/NO_PROXY, or the Windows settings.
Exit codes: 0 done; 1 server, network or cache error; 2 usage error; 3 sign in again, or a token problem.
`},
	"usage.sync-sub":            {"Thiếu lệnh con: vanthuctl sync login|send|run|status|list|get", "Missing subcommand: vanthuctl sync login|send|run|status|list|get"},
	"usage.sync-no-cache":       {"Không xác định được thư mục bộ nhớ đệm (%s); dùng --cache THƯ_MỤC.", "Cannot find the cache folder (%s); use --cache DIR."},
	"usage.sync-not-logged-in":  {"Chưa đăng nhập máy chủ với thư mục %s. Chạy trước: vanthuctl sync login --server URL --cache %[1]s", "Not signed in to a server with the folder %s. First run: vanthuctl sync login --server URL --cache %[1]s"},
	"usage.sync-bad-server":     {"Địa chỉ máy chủ %q không dùng được: %s.", "The server address %q cannot be used: %s."},
	"usage.sync-login-server":   {"Cần địa chỉ máy chủ: --server https://…", "The server's address is needed: --server https://…"},
	"usage.sync-send-files":     {"Thiếu tệp văn bản: vanthuctl sync send … TỆP.pdf [TỆP_KÈM_THEO…]", "No document file: vanthuctl sync send … FILE.pdf [ATTACHMENT…]"},
	"usage.sync-bad-id":         {"--id %q không hợp lệ: 8 đến 64 ký tự chữ, số, - hoặc _.", "--id %q is not valid: 8 to 64 letters, digits, - or _."},
	"usage.sync-bad-priority":   {"--priority %q không hợp lệ; dùng thường, khẩn, thượng khẩn, hỏa tốc (hoặc 0–4).", "--priority %q is not valid; use thường, khẩn, thượng khẩn, hỏa tốc (or 0–4)."},
	"usage.sync-id-exists":      {"Mã gửi %s đã có trong hàng chờ: văn bản này đã được xếp gửi, không xếp lại.", "The send id %s is already queued: this document was queued before and is not queued again."},
	"usage.sync-invalid":        {"Thông tin văn bản chưa đúng, chưa xếp gửi:%s", "The document's details are not right; nothing was queued:%s"},
	"usage.sync-bad-box":        {"--box %q không có; dùng inbox (văn bản đến) hoặc outbox (văn bản đi).", "There is no --box %q; use inbox (incoming) or outbox (outgoing)."},
	"usage.sync-get":            {"Cách dùng: vanthuctl sync get KHÓA --out THƯ_MỤC (KHÓA: xem vanthuctl sync list).", "Usage: vanthuctl sync get KEY --out DIR (KEY: see vanthuctl sync list)."},
	"flag.sync-cache":           {"`THƯ_MỤC` bộ nhớ đệm đồng bộ (văn bản, tệp, phiên đăng nhập)", "sync cache `DIR` (documents, files, session)"},
	"flag.sync-server":          {"địa chỉ máy chủ `URL`, ví dụ https://vanthu.tinh.gov.vn", "server `URL`, e.g. https://vanthu.tinh.gov.vn"},
	"flag.sync-ca":              {"`TỆP` PEM chứng thư CA của máy chủ, khi máy chủ dùng chứng thư riêng", "PEM `FILE` of the server's CA certificate, when the server has its own"},
	"flag.sync-to":              {"mã định danh nơi nhận, cách nhau bằng dấu phẩy (`MÃ,MÃ`)", "recipients' mã định danh, comma-separated (`CODE,CODE`)"},
	"flag.sync-subject":         {"trích yếu (`VĂN_BẢN`)", "subject, trích yếu (`TEXT`)"},
	"flag.sync-number":          {"số văn bản (`SỐ`, ví dụ 05)", "document number (`NUMBER`, e.g. 05)"},
	"flag.sync-notation":        {"ký hiệu (`KÝ_HIỆU`, ví dụ QĐ-UBND)", "notation, ký hiệu (`NOTATION`, e.g. QĐ-UBND)"},
	"flag.sync-type":            {"tên loại văn bản (`LOẠI`, ví dụ \"Quyết định\")", "document type name (`TYPE`, e.g. \"Quyết định\")"},
	"flag.sync-signer-name":     {"họ tên người ký (`TÊN`)", "signer's full name (`NAME`)"},
	"flag.sync-signer-position": {"chức vụ người ký (`CHỨC_VỤ`)", "signer's position (`POSITION`)"},
	"flag.sync-priority":        {"độ khẩn (`ĐỘ_KHẨN`): thường, khẩn, thượng khẩn, hỏa tốc", "urgency (`PRIORITY`): thường, khẩn, thượng khẩn, hỏa tốc"},
	"flag.sync-id":              {"mã gửi (`MÃ`) do bạn chọn; mặc định một mã ngẫu nhiên", "send id (`ID`) of your choice; default a random one"},
	"flag.sync-once":            {"dừng khi hàng chờ đã gửi hết và đã nhận đủ văn bản", "stop when the queue is sent and everything is received"},
	"flag.sync-box":             {"hộp văn bản: `inbox` (đến) hoặc outbox (đi)", "box: `inbox` (incoming) or outbox (outgoing)"},
	"flag.sync-out":             {"`THƯ_MỤC` ghi các tệp của văn bản", "`DIR` for the document's files"},
	"err.sync-cache":            {"Bộ nhớ đệm %s gặp lỗi: %s. Kiểm tra ổ đĩa và quyền ghi thư mục.", "The cache %s failed: %s. Check the disk and that the folder is writable."},
	"err.sync-busy":             {"Bộ nhớ đệm %s đang được dùng (Văn Thư Số hoặc vanthuctl sync run đang chạy). Đóng chương trình kia hoặc chờ nó xong rồi chạy lại.", "The cache %s is in use (Văn Thư Số or vanthuctl sync run is running). Close the other program or wait for it, then run again."},
	"err.sync-config":           {"Không đọc/ghi được %s (%s). Đăng nhập lại: vanthuctl sync login --server URL.", "Cannot read or write %s (%s). Sign in again: vanthuctl sync login --server URL."},
	"err.sync-ca":               {"Không đọc được chứng thư CA %s: %s. Cần tệp PEM.", "Cannot read the CA certificate %s: %s. A PEM file is needed."},
	"err.sync-server":           {"%s (chi tiết kỹ thuật: %s)", "%s (technical detail: %s)"},
	"err.sync-need-login":       {"Phiên đăng nhập máy chủ đã hết hạn hoặc không còn. Đăng nhập lại: vanthuctl sync login (cần thiết bị ký số và mã PIN).", "The server session expired or is gone. Sign in again: vanthuctl sync login (token and PIN needed)."},
	"err.sync-run":              {"Đồng bộ dừng: %s. Hàng chờ vẫn được giữ; chạy lại vanthuctl sync run.", "Synchronisation stopped: %s. The queue is kept; run vanthuctl sync run again."},
	"err.sync-no-doc":           {"Không có văn bản %s trong bộ nhớ đệm (xem vanthuctl sync list).", "There is no document %s in the cache (see vanthuctl sync list)."},
	"err.sync-bad-name":         {"Tên tệp %q do nơi gửi đặt không an toàn để ghi ra; không ghi tệp nào.", "The file name %q the sender gave is not safe to write; no file was written."},
	"err.sync-not-downloaded":   {"Tệp %s chưa tải về; chạy vanthuctl sync run --once rồi thử lại.", "The file %s is not downloaded yet; run vanthuctl sync run --once and try again."},
	"note.sync-recovered":       {"Bộ nhớ đệm bị hỏng đã được để riêng và tạo lại; các văn bản chưa gửi được giữ: %s", "A damaged cache was set aside and rebuilt; unsent documents were kept: %s"},
	"note.sync-skew":            {"Đồng hồ máy này lệch %s so với máy chủ; hãy chỉnh giờ hệ thống.", "This computer's clock is %s off the server's; set the system time."},
	"result.sync-logged-in":     {"Đã đăng nhập %s: %s, %s (%s); phiên hết hạn lúc %s", "Signed in to %s: %s, %s (%s); the session expires at %s"},
	"result.sync-queued":        {"Đã xếp gửi văn bản %s: %d tệp, %d nơi nhận. Gửi đi bằng vanthuctl sync run.", "Queued document %s: %d files, %d recipients. Send it with vanthuctl sync run."},
	"result.sync-state":         {"Trạng thái: %s; chờ gửi %d; gửi thất bại %d", "State: %s; waiting to send %d; failed %d"},
	"result.sync-uploaded":      {"Đã tải lên tệp %s (%d byte)", "Uploaded file %s (%d bytes)"},
	"result.sync-downloaded":    {"Đã tải về tệp %s (%d byte)", "Downloaded file %s (%d bytes)"},
	"result.sync-sent":          {"Đã gửi %s: máy chủ nhận, mã văn bản %s", "Sent %s: accepted by the server as %s"},
	"result.sync-failed":        {"Gửi thất bại %s (%s): %s %s", "Failed %s (%s): %s %s"},
	"result.sync-received":      {"Đã nhận %d văn bản: %s", "Received %d documents: %s"},
	"result.sync-wrote":         {"Đã ghi %s (%d byte)", "Wrote %s (%d bytes)"},
	"list.sync-online":          {"trực tuyến", "online"},
	"list.sync-offline":         {"ngoại tuyến", "offline"},
	"list.sync-will-retry":      {"(sẽ thử lại)", "(will be retried)"},
	"list.sync-no-retry":        {"(không thử lại)", "(not retried)"},
	"list.sync-server":          {"Máy chủ: %s — %s (%s)", "Server: %s — %s (%s)"},
	"list.sync-counts":          {"Văn bản đến: %d (chưa đọc %d); văn bản đi: %d (chờ gửi %d, thất bại %d); tệp chưa tải về: %d", "Incoming: %d (unread %d); outgoing: %d (waiting %d, failed %d); files not downloaded: %d"},
	"list.sync-cursor":          {"Con trỏ: %s", "Cursor: %s"},
	"list.sync-outbox-columns":  {"MÃ GỬI\tTRẠNG THÁI\tSỐ/KÝ HIỆU\tNƠI NHẬN\tLẦN THỬ\tMÃ TRÊN MÁY CHỦ", "SEND ID\tSTATE\tNUMBER\tTO\tTRIES\tSERVER ID"},
	"list.sync-state-queued":    {"chờ gửi", "queued"},
	"list.sync-state-uploading": {"đang tải lên", "uploading"},
	"list.sync-state-sending":   {"đang gửi", "sending"},
	"list.sync-state-sent":      {"đã gửi", "sent"},
	"list.sync-state-failed":    {"THẤT BẠI", "FAILED"},
	"list.sync-reason":          {"%s: %s (chi tiết: %s)", "%s: %s (detail: %s)"},
	"list.sync-docs":            {"%d văn bản", "%d documents"},
	"list.sync-doc-columns":     {"KHÓA\tSỐ/KÝ HIỆU\tCƠ QUAN GỬI\tTHỜI GIAN\tTRÍCH YẾU", "KEY\tNUMBER\tFROM\tTIME\tSUBJECT"},
}
