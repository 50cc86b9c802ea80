package signui

import "github.com/vanthuso/vanthu/app/i18n"

// The sentences of the package: token status, sign dialog, batch dialog,
// errors. Every error sentence says what to do next.
func init() {
	i18n.Register(i18n.Catalog{
		// Token status in the main window.
		"signui.status.loading":   {VI: "Đang tìm thiết bị ký số…", EN: "Looking for a signing token…"},
		"signui.status.no-module": {VI: "Chưa cài driver thiết bị ký số (PKCS#11)", EN: "No signing token driver (PKCS#11) installed"},
		"signui.status.none":      {VI: "Chưa cắm thiết bị ký số (USB token)", EN: "No signing token (USB token) plugged in"},
		"signui.status.more":      {VI: "… và %d thiết bị ký số khác", EN: "… and %d more signing tokens"},
		"signui.status.removed":   {VI: "Đã rút thiết bị ký số “%s”", EN: "Signing token “%s” was pulled out"},
		"signui.status.token":     {VI: "Thiết bị “%s”", EN: "Token “%s”"},
		"signui.status.holder":    {VI: "%s — thiết bị “%s”", EN: "%s — token “%s”"},
		"signui.status.count-low": {VI: "còn ít lần nhập mã PIN", EN: "few PIN tries left"},
		"signui.status.final-try": {VI: "chỉ còn 1 lần nhập mã PIN", EN: "only 1 PIN try left"},
		"signui.status.locked":    {VI: "mã PIN đã bị khóa", EN: "PIN locked"},
		"signui.status.pin-pad":   {VI: "nhập mã PIN trên thiết bị", EN: "PIN entered on the device"},

		// Token part of the dialogs.
		"signui.token.loading": {VI: "Đang đọc thiết bị ký số…", EN: "Reading the signing token…"},
		"signui.token.none": {
			VI: "Chưa cắm thiết bị ký số. Cắm USB token vào máy; hộp thoại sẽ tự nhận thiết bị.",
			EN: "No signing token plugged in. Plug the USB token in; the dialog will notice it."},
		"signui.token.removed": {
			VI: "Thiết bị “%s” đã bị rút ra. Cắm lại thiết bị để ký; chưa có tệp nào được ghi.",
			EN: "Token “%s” was pulled out. Plug it in again to sign; nothing was written."},
		"signui.token.ready":  {VI: "Thiết bị “%s”", EN: "Token “%s”"},
		"signui.token.module": {VI: "Driver (mô-đun PKCS#11): %s", EN: "Driver (PKCS#11 module): %s"},

		// Certificates.
		"signui.cert.option":      {VI: "%s — hết hạn %s", EN: "%s — expires %s"},
		"signui.cert.detail":      {VI: "Người ký: %s\nCơ quan: %s\nĐơn vị cấp: %s\nHiệu lực: từ %s đến %s", EN: "Signer: %s\nOrganisation: %s\nIssued by: %s\nValid: from %s to %s"},
		"signui.cert.unusable":    {VI: "%s: không dùng để ký được (%s)", EN: "%s: cannot sign (%s)"},
		"signui.cert.none-usable": {VI: "Thiết bị không có chứng thư số nào dùng để ký được. Liên hệ đơn vị cấp chứng thư số để gia hạn hoặc cấp lại.", EN: "The token has no certificate that can sign. Contact the certificate authority for a renewal or a new certificate."},

		"signui.problem.ca-certificate":       {VI: "chứng thư của CA, thuộc chuỗi chứng thư", EN: "a CA certificate, part of the chain"},
		"signui.problem.not-logged-in":        {VI: "khóa bí mật chỉ thấy được sau khi nhập mã PIN", EN: "private keys are only visible after the PIN is entered"},
		"signui.problem.no-private-key":       {VI: "không có khóa bí mật đi kèm trên thiết bị", EN: "no matching private key on the token"},
		"signui.problem.key-mismatch":         {VI: "khóa bí mật không khớp với chứng thư", EN: "the private key does not match the certificate"},
		"signui.problem.unsupported-key":      {VI: "loại khóa không hỗ trợ (chỉ RSA và ECDSA)", EN: "unsupported key type (only RSA and ECDSA)"},
		"signui.problem.pin-per-signature":    {VI: "khóa đòi nhập mã PIN cho mỗi lần ký, chưa được hỗ trợ", EN: "the key needs the PIN for every signature, not supported"},
		"signui.problem.expired":              {VI: "chứng thư đã hết hạn", EN: "the certificate has expired"},
		"signui.problem.not-yet-valid":        {VI: "chứng thư chưa đến ngày hiệu lực", EN: "the certificate is not valid yet"},
		"signui.problem.no-signing-key-usage": {VI: "chứng thư không cho phép ký văn bản", EN: "the certificate does not allow signing documents"},
		"signui.problem.other":                {VI: "lý do khác (%s)", EN: "another reason (%s)"},

		// PIN.
		"signui.pin.placeholder":   {VI: "Mã PIN của thiết bị", EN: "The token's PIN"},
		"signui.pin.pad":           {VI: "Nhập mã PIN trên thiết bị khi thiết bị yêu cầu.", EN: "Type the PIN on the device when it asks."},
		"signui.pin.tries-left":    {VI: "Còn %d lần thử.", EN: "%d tries left."},
		"signui.pin.final-try":     {VI: "Chỉ còn 1 lần thử: nhập sai thêm một lần nữa thiết bị sẽ bị khóa. Kiểm tra kỹ mã PIN trước khi bấm Ký.", EN: "Only 1 try left: one more wrong PIN locks the token. Check the PIN carefully before pressing Sign."},
		"signui.pin.count-low":     {VI: "Đã có lần nhập sai mã PIN; số lần thử còn lại đã giảm. Nhập cẩn thận.", EN: "A wrong PIN was entered before; fewer tries are left. Type carefully."},
		"signui.pin.to-be-changed": {VI: "Thiết bị yêu cầu đổi mã PIN. Đổi mã PIN bằng phần mềm của nhà cung cấp thiết bị.", EN: "The token asks for a new PIN. Change it with the token vendor's software."},
		"signui.err.pin-wrong":     {VI: "Mã PIN không đúng.", EN: "Wrong PIN."},
		"signui.err.pin-careful":   {VI: "Kiểm tra lại mã PIN rồi bấm Ký; đừng thử đoán, thiết bị sẽ bị khóa sau vài lần sai.", EN: "Check the PIN and press Sign again; do not guess, the token locks after a few wrong tries."},
		"signui.err.pin-locked":    {VI: "Mã PIN của thiết bị đã bị khóa do nhập sai quá số lần cho phép. Liên hệ đơn vị cấp chứng thư số để mở khóa; không ký được cho đến khi đó.", EN: "The token's PIN is locked after too many wrong tries. Contact the certificate authority to unlock it; signing is impossible until then."},
		"signui.err.pin-pad-cancelled": {
			VI: "Việc nhập mã PIN trên thiết bị đã bị hủy hoặc quá thời gian. Bấm Ký rồi nhập mã PIN trên bàn phím của thiết bị.",
			EN: "PIN entry on the device was cancelled or timed out. Press Sign and type the PIN on the device's keypad."},

		// Sign dialog.
		"signui.sign.title":       {VI: "Ký số: %s", EN: "Sign: %s"},
		"signui.sign.button":      {VI: "Ký", EN: "Sign"},
		"signui.cancel":           {VI: "Hủy", EN: "Cancel"},
		"signui.close":            {VI: "Đóng", EN: "Close"},
		"signui.sign.login":       {VI: "Đang đăng nhập thiết bị ký số…", EN: "Logging in to the token…"},
		"signui.sign.signing":     {VI: "Đang ký, lưu thành “%s”…", EN: "Signing, saving as “%s”…"},
		"signui.sign.done":        {VI: "Đã ký và lưu thành “%s”.", EN: "Signed and saved as “%s”."},
		"signui.section.token":    {VI: "Thiết bị ký số", EN: "Signing token"},
		"signui.section.cert":     {VI: "Chứng thư số", EN: "Certificate"},
		"signui.section.profile":  {VI: "Loại chữ ký", EN: "Kind of signature"},
		"signui.section.place":    {VI: "Vị trí chữ ký", EN: "Where the signature goes"},
		"signui.section.level":    {VI: "Mức chữ ký", EN: "Signature level"},
		"signui.section.output":   {VI: "Lưu tệp đã ký", EN: "Saving the signed file"},
		"signui.section.pin":      {VI: "Mã PIN", EN: "PIN"},
		"signui.doc.loading":      {VI: "Đang đọc văn bản…", EN: "Reading the document…"},
		"signui.doc.page":         {VI: "Trang %d/%d", EN: "Page %d of %d"},
		"signui.doc.no-preview":   {VI: "Không hiển thị được trang (%s); vẫn đặt được chữ ký theo khung.", EN: "The page cannot be shown (%s); the signature can still be placed by its box."},
		"signui.profile.approval": {VI: "Ký duyệt (lãnh đạo)", EN: "Approval (leader)"},
		"signui.profile.issue":    {VI: "Ký phát hành (văn thư, đóng dấu)", EN: "Issue (clerk, seal)"},
		"signui.profile.attachment": {
			VI: "Văn bản kèm theo (phụ lục)", EN: "Attachment (appendix)"},
		"signui.profile.copy":          {VI: "Bản sao (sao y, sao lục, trích sao)", EN: "Copy (sao y, sao lục, trích sao)"},
		"signui.mode.label":            {VI: "Hiển thị", EN: "Shows"},
		"signui.mode.image-and-text":   {VI: "Ảnh chữ ký và thông tin người ký", EN: "Signature image and signer details"},
		"signui.mode.image-only":       {VI: "Chỉ ảnh chữ ký", EN: "Signature image only"},
		"signui.mode.text-only":        {VI: "Chỉ thông tin người ký", EN: "Signer details only"},
		"signui.number.label":          {VI: "Số và ký hiệu văn bản", EN: "Document number and code"},
		"signui.number.main-label":     {VI: "Số và ký hiệu của văn bản chính", EN: "Number and code of the main document"},
		"signui.number.placeholder":    {VI: "ví dụ 05/QĐ-UBND", EN: "e.g. 05/QĐ-UBND"},
		"signui.date.label":            {VI: "Ngày ban hành", EN: "Issue date"},
		"signui.issue.number-mark":     {VI: "Ghi số vào văn bản (trang 1)", EN: "Stamp the number into the document (page 1)"},
		"signui.issue.date-mark":       {VI: "Ghi ngày vào văn bản (trang 1)", EN: "Stamp the date into the document (page 1)"},
		"signui.copy.form":             {VI: "Hình thức sao", EN: "Form of copy"},
		"signui.copy.agency":           {VI: "Cơ quan sao", EN: "Copying agency"},
		"signui.place.hint":            {VI: "Bấm hoặc kéo trên trang để đặt chữ ký; kéo khung để di chuyển.", EN: "Click or drag on the page to place the signature; drag a box to move it."},
		"signui.place.rect":            {VI: "Chọn trên trang (bấm hoặc kéo)", EN: "Chosen on the page (click or drag)"},
		"signui.place.corner":          {VI: "Góc trên bên phải trang 1", EN: "Top right of page 1"},
		"signui.place.leader":          {VI: "Đóng dấu chồng lên chữ ký của lãnh đạo (trang %d)", EN: "Seal over the leader's signature (page %d)"},
		"signui.place.field":           {VI: "Ô chữ ký có sẵn “%s” (trang %d)", EN: "Existing signature field “%s” (page %d)"},
		"signui.place.field-invisible": {VI: "Ô chữ ký có sẵn “%s” (không hiển thị)", EN: "Existing signature field “%s” (invisible)"},
		"signui.place.invisible":       {VI: "Không hiển thị trên văn bản", EN: "Not shown on the document"},
		"signui.place.is-invisible":    {VI: "Chữ ký không hiển thị trên văn bản; văn bản vẫn được ký số đầy đủ.", EN: "The signature is not shown on the document; the document is still fully signed."},
		"signui.place.on-page":         {VI: "Chữ ký nằm ở trang %d.", EN: "The signature is on page %d."},
		"signui.box.approval":          {VI: "Chữ ký", EN: "Signature"},
		"signui.box.issue":             {VI: "Con dấu", EN: "Seal"},
		"signui.box.attachment":        {VI: "Chữ ký cơ quan", EN: "Agency signature"},
		"signui.box.copy":              {VI: "Chữ ký bản sao", EN: "Copy signature"},
		"signui.box.number":            {VI: "Số", EN: "Number"},
		"signui.box.date":              {VI: "Ngày", EN: "Date"},
		"signui.level.bb":              {VI: "B-B — không có dấu thời gian", EN: "B-B — no timestamp"},
		"signui.level.bt":              {VI: "B-T — có dấu thời gian", EN: "B-T — with a timestamp"},
		"signui.level.tsa":             {VI: "Dấu thời gian lấy từ %s.", EN: "Timestamps come from %s."},
		"signui.level.no-tsa":          {VI: "Mức B-T cần máy chủ cấp dấu thời gian (TSA); chưa có địa chỉ TSA trong Cài đặt nên chỉ ký được mức B-B.", EN: "B-T needs a timestamp authority (TSA); none is set in Settings, so only B-B is possible."},
		"signui.out.next-to":           {VI: "Lưu thành “%s”, cạnh tệp gốc; tệp gốc giữ nguyên.", EN: "Saved as “%s” next to the original, which is kept."},
		"signui.out.replace":           {VI: "Tệp gốc “%s” sẽ bị thay bằng bản đã ký.", EN: "The original “%s” will be replaced by the signed copy."},
		"signui.out.overwrite":         {VI: "Thay tệp gốc bằng bản đã ký (không giữ bản chưa ký)", EN: "Replace the original with the signed copy (the unsigned one is not kept)"},
		"signui.file.suffix":           {VI: "đã ký", EN: "signed"},

		// What the form still needs.
		"signui.need.cert":            {VI: "Chưa có chứng thư số để ký. Cắm thiết bị ký số và chọn chứng thư.", EN: "No certificate to sign with. Plug the token in and choose a certificate."},
		"signui.need.pin":             {VI: "Nhập mã PIN của thiết bị rồi bấm Ký.", EN: "Type the token's PIN, then press Sign."},
		"signui.need.number":          {VI: "Nhập số và ký hiệu của văn bản (ví dụ 05/QĐ-UBND).", EN: "Type the document's number and code (e.g. 05/QĐ-UBND)."},
		"signui.need.copy-form":       {VI: "Chọn hình thức sao (sao y, sao lục hoặc trích sao).", EN: "Choose the form of copy (sao y, sao lục or trích sao)."},
		"signui.need.seal":            {VI: "Chưa chọn ảnh con dấu trong Cài đặt. Chọn ảnh con dấu (PNG nền trong suốt), hoặc chọn “Không hiển thị trên văn bản”.", EN: "No seal image is set in Settings. Choose one (a PNG with a transparent background), or choose “Not shown on the document”."},
		"signui.need.visible-seal":    {VI: "Ghi số và ngày vào văn bản cần con dấu hiển thị. Chọn vị trí con dấu, hoặc bỏ chọn ghi số và ngày.", EN: "Stamping the number and date needs a visible seal. Place the seal, or untick the number and date."},
		"signui.need.place":           {VI: "Chữ ký có ảnh cần một vị trí trên trang. Bấm vào trang để đặt chữ ký, hoặc chọn “Chỉ thông tin người ký”.", EN: "A signature with an image needs a place on the page. Click on the page to place it, or choose “Signer details only”."},
		"signui.need.signature-image": {VI: "Chưa chọn ảnh chữ ký trong Cài đặt. Chọn ảnh chữ ký, hoặc chọn “Chỉ thông tin người ký”.", EN: "No signature image is set in Settings. Choose one, or choose “Signer details only”."},
		"signui.need.leader":          {VI: "Văn bản chưa có chữ ký hiển thị của lãnh đạo để đóng dấu chồng lên. Lãnh đạo cần ký duyệt trước, hoặc bấm vào trang để tự đặt con dấu.", EN: "The document has no visible leader's signature for the seal to overlap. The leader must approve it first, or click on the page to place the seal yourself."},

		// Errors of signing.
		"signui.err.token-removed": {
			VI: "Thiết bị ký số đã bị rút ra hoặc mất kết nối trong khi ký. Tệp đã ký chưa được ghi. Cắm lại thiết bị rồi bấm Ký.",
			EN: "The token was pulled out or lost its connection while signing. No signed file was written. Plug it in again and press Sign."},
		"signui.err.not-logged-in": {
			VI: "Thiết bị ký số đã tự đăng xuất. Nhập lại mã PIN rồi bấm Ký.",
			EN: "The token logged out. Type the PIN again and press Sign."},
		"signui.err.no-token": {
			VI: "Không thấy thiết bị ký số. Cắm USB token vào máy rồi bấm Ký.",
			EN: "No signing token found. Plug the USB token in and press Sign."},
		"signui.err.no-module": {
			VI: "Không tìm thấy phần mềm (driver PKCS#11) của thiết bị ký số. Cài phần mềm đi kèm thiết bị, hoặc chỉ đường dẫn mô-đun trong Cài đặt.",
			EN: "The signing token's software (PKCS#11 driver) was not found. Install the software that came with the token, or give the module's path in Settings."},
		"signui.err.module-missing": {
			VI: "Không có driver thiết bị ký số tại %s (đường dẫn trong Cài đặt). Sửa đường dẫn, hoặc xóa nó để chương trình tự tìm driver.",
			EN: "There is no token driver at %s (the path in Settings). Correct the path, or clear it to let the program find the driver."},
		"signui.err.module-load": {
			VI: "Không nạp được driver thiết bị ký số %s (%s). Cài lại phần mềm của thiết bị (bản 64-bit), hoặc chọn mô-đun khác trong Cài đặt.",
			EN: "Cannot load the token driver %s (%s). Reinstall the token's software (64-bit), or choose another module in Settings."},
		"signui.err.no-credential": {
			VI: "Chứng thư số đã chọn không còn trên thiết bị. Kiểm tra đã cắm đúng thiết bị rồi chọn lại chứng thư.",
			EN: "The chosen certificate is no longer on the token. Check that the right token is plugged in and choose the certificate again."},
		"signui.err.cert-unusable": {
			VI: "Chứng thư số đã chọn không dùng để ký được: %s. Chọn chứng thư khác hoặc liên hệ đơn vị cấp chứng thư số.",
			EN: "The chosen certificate cannot sign: %s. Choose another one or contact the certificate authority."},
		"signui.err.encrypted": {
			VI: "Văn bản được đặt mật khẩu hoặc mã hóa nên không ký được. Gỡ bảo vệ bằng phần mềm đã đặt nó, hoặc xin nơi gửi bản không mã hóa, rồi ký lại.",
			EN: "The document is password-protected or encrypted, so it cannot be signed. Remove the protection with the software that set it, or ask the sender for an unprotected copy, then sign again."},
		"signui.err.certified": {
			VI: "Văn bản đã được chứng thực ở chế độ “không cho phép thay đổi”: thêm chữ ký sẽ làm mất hiệu lực chứng thực. Không ký văn bản này; liên hệ nơi gửi.",
			EN: "The document is certified with “no changes allowed”: a new signature would invalidate the certification. Do not sign it; contact the sender."},
		"signui.err.field-locked": {
			VI: "Một chữ ký trước đó đã khóa ô chữ ký này (hoặc không cho thêm chữ ký mới): ký vào sẽ làm chữ ký ấy mất hiệu lực. Không ký văn bản này; liên hệ nơi gửi.",
			EN: "An earlier signature locks this signature field (or forbids new signatures): signing would invalidate that signature. Do not sign this document; contact the sender."},
		"signui.err.malformed": {
			VI: "Tệp không phải PDF hợp lệ hoặc đã bị hỏng nên không ký được. Mở thử bằng trình đọc PDF; nếu cần, lưu lại bằng phần mềm đã tạo ra nó rồi ký lại.",
			EN: "The file is not a valid PDF or is damaged, so it cannot be signed. Open it in a PDF reader; if needed, save it again with the software that made it, then sign again."},
		"signui.err.field-signed":    {VI: "Ô chữ ký đã chọn đã được ký. Chọn ô chữ ký trống khác hoặc đặt chữ ký trên trang.", EN: "The chosen signature field is already signed. Choose another empty field or place the signature on the page."},
		"signui.err.field-missing":   {VI: "Không còn ô chữ ký đã chọn trong văn bản. Chọn vị trí khác.", EN: "The chosen signature field is no longer in the document. Choose another place."},
		"signui.err.field-invisible": {VI: "Ô chữ ký đã chọn không hiển thị nên không ghi được dòng chữ vào đó. Chọn góc trên bên phải trang 1 hoặc đặt trên trang.", EN: "The chosen signature field is invisible, so the text cannot go there. Choose the top right of page 1 or place it on the page."},
		"signui.err.not-png":         {VI: "Ảnh chữ ký hoặc con dấu không phải tệp PNG. Chọn ảnh PNG nền trong suốt trong Cài đặt.", EN: "The signature or seal image is not a PNG file. Choose a PNG with a transparent background in Settings."},
		"signui.err.image-read":      {VI: "Không đọc được ảnh %s; kiểm tra lại ảnh trong Cài đặt.", EN: "Cannot read the image %s; check the image in Settings."},
		"signui.err.appearance":      {VI: "Không tạo được hình chữ ký ở vị trí này (%s). Đặt chữ ký vào trong trang, hoặc kiểm tra ảnh chữ ký và con dấu.", EN: "Cannot draw the signature there (%s). Place it inside the page, or check the signature and seal images."},
		"signui.err.tsa": {
			VI: "Không lấy được dấu thời gian từ máy chủ %s. Kiểm tra kết nối mạng rồi bấm Ký, hoặc chọn mức B-B (không dấu thời gian). Tệp đã ký chưa được ghi.",
			EN: "Cannot get a timestamp from %s. Check the network and press Sign, or choose level B-B (no timestamp). No signed file was written."},
		"signui.err.cancelled":       {VI: "Đã dừng theo yêu cầu; tệp đang ký dở không được ghi ra.", EN: "Stopped on request; the file being signed was not written."},
		"signui.err.file-missing":    {VI: "Không còn tệp %s. Tệp có thể đã bị chuyển hoặc xóa; mở lại văn bản rồi ký.", EN: "The file %s is gone. It may have been moved or deleted; open the document again and sign."},
		"signui.err.file-permission": {VI: "Không có quyền ghi vào %s. Chép văn bản vào thư mục của mình (ví dụ Tài liệu) rồi ký.", EN: "No permission to write %s. Copy the document into a folder of your own (e.g. Documents) and sign."},
		"signui.err.file":            {VI: "Không đọc hoặc ghi được %s (%s). Kiểm tra ổ đĩa còn chỗ trống và tệp không bị mở ở chương trình khác, rồi ký lại.", EN: "Cannot read or write %s (%s). Check that the disk has room and the file is not open in another program, then sign again."},
		"signui.err.other":           {VI: "Không ký được: %s. Thử lại; nếu vẫn lỗi, báo cho bộ phận kỹ thuật kèm nội dung này.", EN: "Signing failed: %s. Try again; if it keeps failing, tell IT support with this message."},

		// Batch dialog.
		"signui.batch.title":               {VI: "Ký nhiều văn bản", EN: "Sign many documents"},
		"signui.batch.no-folder":           {VI: "Chưa chọn thư mục", EN: "No folder chosen"},
		"signui.batch.choose-folder":       {VI: "Chọn thư mục…", EN: "Choose folder…"},
		"signui.batch.all":                 {VI: "Chọn tất cả", EN: "Select all"},
		"signui.batch.listed":              {VI: "Thư mục có %d tệp PDF. Bỏ chọn những tệp không ký.", EN: "The folder holds %d PDF files. Untick those not to sign."},
		"signui.batch.empty":               {VI: "Thư mục %s không có tệp PDF nào. Chọn thư mục khác.", EN: "The folder %s holds no PDF file. Choose another folder."},
		"signui.batch.err.folder":          {VI: "Không đọc được thư mục %s. Chọn thư mục khác.", EN: "Cannot read the folder %s. Choose another folder."},
		"signui.batch.none-chosen":         {VI: "Chưa chọn tệp nào để ký. Đánh dấu các tệp cần ký.", EN: "No file chosen. Tick the files to sign."},
		"signui.batch.start":               {VI: "Ký", EN: "Sign"},
		"signui.batch.start-n":             {VI: "Ký %d tệp", EN: "Sign %d files"},
		"signui.batch.stop":                {VI: "Dừng", EN: "Stop"},
		"signui.batch.stopping":            {VI: "Sẽ dừng sau tệp đang ký…", EN: "Stopping after the file being signed…"},
		"signui.batch.stopped":             {VI: "Đã dừng theo yêu cầu.", EN: "Stopped on request."},
		"signui.batch.token-stopped":       {VI: "Đã dừng cả lô: %s", EN: "The batch stopped: %s"},
		"signui.batch.summary":             {VI: "Đã ký %d/%d tệp; %d tệp lỗi; %d tệp chưa ký.", EN: "Signed %d of %d files; %d failed; %d not signed."},
		"signui.batch.row.signing":         {VI: "Đang ký…", EN: "Signing…"},
		"signui.batch.row.signed":          {VI: "Đã ký → %s", EN: "Signed → %s"},
		"signui.batch.row.failed":          {VI: "Lỗi: %s", EN: "Error: %s"},
		"signui.batch.row.skipped":         {VI: "Chưa ký (đã dừng)", EN: "Not signed (stopped)"},
		"signui.batch.place.approval":      {VI: "Ký vào ô chữ ký trống đầu tiên của mỗi văn bản; văn bản không có ô trống được ký không hiển thị.", EN: "Signs into each document's first empty signature field; documents without one get an invisible signature."},
		"signui.batch.place.issue":         {VI: "Đóng dấu chồng lên chữ ký của lãnh đạo trong mỗi văn bản; văn bản chưa có chữ ký lãnh đạo được ký không hiển thị.", EN: "Puts the seal over the leader's signature in each document; documents without one get an invisible signature."},
		"signui.batch.place.issue-no-seal": {VI: "Chưa chọn ảnh con dấu trong Cài đặt nên chữ ký phát hành không hiển thị.", EN: "No seal image is set in Settings, so issue signatures are invisible."},
		"signui.batch.place.attachment":    {VI: "Ghi số của văn bản chính và thời gian ký ở góc trên bên phải trang 1 của mỗi tệp.", EN: "Writes the main document's number and the signing time at the top right of page 1 of each file."},
		"signui.batch.place.copy":          {VI: "Ghi hình thức sao, cơ quan sao và thời gian ký ở góc trên bên phải trang 1 của mỗi tệp.", EN: "Writes the form of copy, the copying agency and the signing time at the top right of page 1 of each file."},
	})
}
