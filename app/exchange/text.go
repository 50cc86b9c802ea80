package exchange

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/store"
)

func init() {
	i18n.Register(i18n.Catalog{
		"exchange.status.other":          {VI: "Trạng thái %s", EN: "Status %s"},
		"exchange.verdict.valid":         {VI: "Chữ ký hợp lệ", EN: "Signatures valid"},
		"exchange.verdict.invalid":       {VI: "Chữ ký không hợp lệ", EN: "Signatures invalid"},
		"exchange.verdict.indeterminate": {VI: "Chữ ký chưa xác định", EN: "Signatures not confirmed"},
		"exchange.verdict.none":          {VI: "Chưa kiểm tra chữ ký", EN: "Signatures not checked"},
		"exchange.size.bytes":            {VI: "%d byte", EN: "%d bytes"},
		"exchange.size.kb":               {VI: "%d KB", EN: "%d KB"},
		"exchange.size.mb":               {VI: "%.1f MB", EN: "%.1f MB"},
		"exchange.rows.loading":          {VI: "Đang tải…", EN: "Loading…"},
		"exchange.rows.error":            {VI: "Không đọc được danh sách: %s. Đóng rồi mở lại chương trình; nếu vẫn lỗi, báo bộ phận CNTT.", EN: "Cannot read the list: %s. Close and open the program again; if it fails again, tell IT staff."},
	})
}

// Do runs a function on the UI goroutine: fyne.Do in the application.
type Do = func(func())

// OrDo returns do, or fyne.Do when do is nil.
func OrDo(do Do) Do {
	if do == nil {
		return fyne.Do
	}
	return do
}

// timeLayout is how times read: dd/MM/yyyy HH:mm.
const timeLayout = "02/01/2006 15:04"

// FormatTime is t in Vietnam time as dd/MM/yyyy HH:mm; "" for the zero
// time.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(edoc.Vietnam).Format(timeLayout)
}

// FormatDate is d as dd/MM/yyyy; "" for the zero Date.
func FormatDate(d edoc.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("02/01/2006")
}

// ParseDate reads a date as users type it: dd/mm/yyyy (one-digit day and
// month allowed, "-" or "." as separators too) or yyyy-mm-dd. ok is false
// for anything else, including impossible dates (31/02/2026).
func ParseDate(s string) (d edoc.Date, ok bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2/1/2006", "2-1-2006", "2.1.2006", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return edoc.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, true
		}
	}
	return edoc.Date{}, false
}

// Label is an edoc label in the current language.
func Label(l edoc.Label) string {
	if i18n.Current() == i18n.English {
		return l.EN
	}
	return l.VI
}

// PriorityText names độ khẩn (edoc's labels); "" for a normal document.
func PriorityText(p edoc.Priority) string {
	if p == edoc.PriorityNormal {
		return ""
	}
	return Label(p.Label())
}

// StatusText names an edXML status code ("01" Đã đến …, edoc's labels);
// 14, which one producer writes for 15, reads as 15; an unknown code
// reads "Trạng thái <code>".
func StatusText(s edoc.Status) string {
	if st, err := edoc.ParseStatus(string(s)); err == nil {
		return Label(st.Label())
	}
	return i18n.T("exchange.status.other", string(s))
}

// Verdicts of MainVerdict besides verify's valid, invalid and
// indeterminate.
const VerdictNone = ""

// MainFile is the main document of d (the first attachment with Role
// main, else the first file); ok is false when d has no file.
func MainFile(d edoc.Document) (a edoc.Attachment, ok bool) {
	for _, f := range d.Attachments {
		if f.Role == edoc.RoleMain {
			return f, true
		}
	}
	if len(d.Attachments) > 0 {
		return d.Attachments[0], true
	}
	return edoc.Attachment{}, false
}

// MainVerdict is the verdict the server recorded on the main PDF of d
// ("valid", "invalid", "indeterminate"), VerdictNone when there is none.
func MainVerdict(d store.Document) string {
	f, ok := MainFile(d.Doc)
	if !ok {
		return VerdictNone
	}
	v, ok := d.Verification[f.SHA256]
	if !ok {
		return VerdictNone
	}
	switch v.Verdict {
	case "valid", "invalid", "indeterminate":
		return v.Verdict
	}
	return "indeterminate" // a verdict this client does not know confirms nothing
}

// VerdictText is how a verdict of MainVerdict reads.
func VerdictText(v string) string {
	switch v {
	case "valid", "invalid", "indeterminate":
		return i18n.T("exchange.verdict." + v)
	}
	return i18n.T("exchange.verdict.none")
}

// VerdictIcon is the icon of a verdict: a green tick, a red cross, an
// amber warning, a grey question mark; each shape differs, so the verdict
// reads without colour.
func VerdictIcon(v string) fyne.Resource {
	switch v {
	case "valid":
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case "invalid":
		return theme.NewErrorThemedResource(theme.CancelIcon())
	case "indeterminate":
		return theme.NewWarningThemedResource(theme.WarningIcon())
	}
	return theme.NewDisabledResource(theme.QuestionIcon())
}

// Overdue reports whether a deadline has passed at now (Vietnam time: the
// deadline day itself is not overdue).
func Overdue(due *edoc.Date, now time.Time) bool {
	if due == nil || due.IsZero() {
		return false
	}
	return edoc.DateOf(now).Time().After(due.Time())
}

// OrganNames joins the names of organs ("A; B"), the mã định danh for one
// without a name.
func OrganNames(os []edoc.Organ) string {
	var names []string
	for _, o := range os {
		names = append(names, OrganName(o))
	}
	return strings.Join(names, "; ")
}

// OrganName is o's name, else its mã định danh.
func OrganName(o edoc.Organ) string {
	if o.OrganName != "" {
		return o.OrganName
	}
	return o.OrganID
}

// PriorityColor is the colour of a priority's badge: red for hỏa tốc and
// thượng khẩn, amber for khẩn.
func PriorityColor(p edoc.Priority) fyne.ThemeColorName {
	if p == edoc.PriorityUrgent {
		return theme.ColorNameWarning
	}
	return theme.ColorNameError
}

// FormatSize is a file size as people read it: bytes below 1 KB, KB
// below 1 MB, MB with one decimal above.
func FormatSize(n int64) string {
	switch {
	case n < 1024:
		return i18n.T("exchange.size.bytes", n)
	case n < 1024*1024:
		return i18n.T("exchange.size.kb", (n+512)/1024)
	}
	s := i18n.T("exchange.size.mb", float64(n)/(1024*1024))
	if i18n.Current() == i18n.Vietnamese {
		s = strings.Replace(s, ".", ",", 1) // 1,5 MB
	}
	return s
}
