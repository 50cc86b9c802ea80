package pdfcopy

import (
	"context"
	"errors"
	"fmt"

	"github.com/vanthuso/vanthu/signing/pades"
)

// Message is what to tell the user about an error of ExtractPages,
// ExtractPagesFile, ParsePages, ParseForm or Make: a Vietnamese sentence
// that says what to do next, and the same in English. An error this
// package does not know gives a general sentence followed by its text.
func Message(err error) (vi, en string) {
	var pe *PageError
	switch {
	case err == nil:
		return "", ""
	case errors.As(err, &pe) && errors.Is(pe.Err, ErrDuplicatePage):
		return fmt.Sprintf("Trang %d được chọn hai lần. Mỗi trang chỉ chọn một lần.", pe.Page),
			fmt.Sprintf("Page %d is selected twice. Select each page once.", pe.Page)
	case errors.As(err, &pe) && pe.Count > 0:
		return fmt.Sprintf("Không có trang %d: văn bản có %d trang. Chọn các trang từ 1 đến %d.", pe.Page, pe.Count, pe.Count),
			fmt.Sprintf("There is no page %d: the document has %d pages. Select pages 1 to %d.", pe.Page, pe.Count, pe.Count)
	case errors.As(err, &pe):
		return fmt.Sprintf("Số trang %d không hợp lệ: trang được đánh số từ 1.", pe.Page),
			fmt.Sprintf("Page number %d is not valid: pages are numbered from 1.", pe.Page)
	case errors.Is(err, ErrNoPages):
		return "Chưa chọn trang nào để trích sao. Chọn ít nhất một trang, ví dụ 1,3-4.",
			"No page is selected for the extract copy. Select at least one page, e.g. 1,3-4."
	case errors.Is(err, ErrTooManyPages):
		return fmt.Sprintf("Chọn quá nhiều trang (tối đa %d). Hãy làm bản sao y toàn văn bản.", MaxPages),
			fmt.Sprintf("Too many pages are selected (at most %d). Make a full copy (sao y) instead.", MaxPages)
	case errors.Is(err, ErrBadPageList):
		return "Danh sách trang viết chưa đúng. Viết các số trang cách nhau bằng dấu phẩy, khoảng trang bằng dấu gạch ngang, ví dụ 1,3-4.",
			"The page list is not written correctly. Separate page numbers with commas and ranges with a hyphen, e.g. 1,3-4."
	case errors.Is(err, ErrBadForm):
		return "Hình thức sao không hợp lệ. Chọn sao y, sao lục hoặc trích sao.",
			"The copy form is not valid. Choose sao y, sao lục or trích sao."
	case errors.Is(err, ErrPagesNotAllowed):
		return "Sao y và sao lục sao toàn bộ văn bản. Để sao một số trang, chọn trích sao.",
			"Sao y and sao lục copy the whole document. To copy some pages, choose trích sao."
	case errors.Is(err, ErrOutputIsSource):
		return "Bản sao không được ghi đè lên văn bản gốc. Chọn tên tệp khác cho bản sao.",
			"The copy must not overwrite the original. Choose another file name for the copy."
	case errors.Is(err, ErrNoAgency):
		return "Chưa có tên cơ quan sao văn bản. Nhập tên cơ quan.",
			"The copying agency's name is missing. Enter the agency's name."
	case errors.Is(err, ErrEncrypted), errors.Is(err, pades.ErrEncrypted):
		return "Văn bản được đặt mật khẩu hoặc mã hóa nên không sao được. Gỡ bảo vệ bằng công cụ đã đặt nó rồi làm lại.",
			"The document is password-protected or encrypted, so it cannot be copied. Remove the protection with the tool that set it, then try again."
	case errors.Is(err, ErrTooLarge):
		return fmt.Sprintf("Văn bản lớn hơn %d MB nên không trích sao được.", MaxInputSize>>20),
			fmt.Sprintf("The document is larger than %d MB, so no extract copy can be made.", MaxInputSize>>20)
	case errors.Is(err, ErrMalformed), errors.Is(err, pades.ErrMalformed):
		return "Tệp không phải là PDF hợp lệ hoặc đã bị hỏng. Kiểm tra lại tệp gốc.",
			"The file is not a valid PDF or is damaged. Check the original file."
	case errors.Is(err, pades.ErrCertifiedNoChanges):
		return "Văn bản gốc đã được chứng nhận \"không cho phép thay đổi\" nên không thêm được chữ ký sao y. Hãy làm bản trích sao tất cả các trang.",
			"The original is certified \"no changes allowed\", so no copy signature can be added to it. Make an extract copy (trích sao) of all its pages instead."
	case errors.Is(err, context.DeadlineExceeded):
		return "Xử lý văn bản quá lâu nên đã dừng. Tệp có thể bị hỏng; kiểm tra lại tệp gốc.",
			"Processing the document took too long and was stopped. The file may be damaged; check the original."
	case errors.Is(err, context.Canceled):
		return "Đã hủy tạo bản sao.", "Making the copy was cancelled."
	}
	return "Không tạo được bản sao: " + err.Error(), "The copy could not be made: " + err.Error()
}
