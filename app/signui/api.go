package signui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/render"
	"github.com/vanthuso/vanthu/signing/verify"
)

// Config is what signing takes from the settings.
type Config struct {
	// ModulePath is the PKCS#11 module; "" means discover it
	// (signing/token: VANTHU_PKCS11_MODULE, then the known list).
	ModulePath string
	// TSAURL is the timestamp authority for B-T; "" disables B-T.
	TSAURL string
	// Level is "B-B" or "B-T", the default of the sign dialog.
	Level string
	// SignatureImage and SealImage are PNG files of the leader's
	// signature and the agency's seal; "" means none chosen.
	SignatureImage, SealImage string
	// Location goes into the signature's /Location ("" for none).
	Location string
	// TimeLayout is the Go time layout of the signing time on stamps, in
	// Vietnam time; "" means stamp.DefaultTimeLayout.
	TimeLayout string
	// Verify checks a document's signatures as the reader does (the
	// workstation's trust list and revocation settings); the sign dialog
	// runs it on the document to propose ký phát hành for an approved
	// one signed with an agency's certificate. nil: nothing is checked
	// and ký duyệt is proposed. Called on a goroutine.
	Verify func(ctx context.Context, path string) (*verify.Report, error)
}

// TokenStatus shows whether a token is present, whose it is and its PIN
// state, and follows plugging and unplugging.
type TokenStatus struct {
	widget.BaseWidget

	cfg    func() Config
	box    *fyne.Container
	lines  []statusLine // shown now; UI goroutine
	cancel context.CancelFunc
	done   chan struct{}
}

// NewTokenStatus starts watching tokens with the configuration cfg returns
// (asked again when the module changes). Stop it when the window closes.
//
// cfg is called from a background goroutine, every few seconds, so it
// must be safe for that; a change of Config.ModulePath switches modules.
func NewTokenStatus(cfg func() Config) *TokenStatus {
	t := &TokenStatus{cfg: cfg, box: container.NewVBox(), done: make(chan struct{})}
	t.ExtendBaseWidget(t)
	t.render([]statusLine{{kind: lineLoading}})
	var ctx context.Context
	ctx, t.cancel = context.WithCancel(context.Background())
	go t.run(ctx)
	return t
}

// CreateRenderer implements fyne.Widget.
func (t *TokenStatus) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(t.box)
}

// Stop ends the watching and closes the module; it returns when the token
// is released. Stop may be called more than once.
func (t *TokenStatus) Stop() {
	t.cancel()
	<-t.done
}

// ShowSignDialog opens the sign dialog over win for the PDF at path,
// showing page (0-based) first. done is called on the UI goroutine with
// the signed file's path after a successful signature (never on cancel).
//
// The dialog reads the token and the document in the background; eng
// renders the page preview and the live preview of the signature (nil:
// blank pages with the places marked). The signed copy goes next to the
// original as "<name> (đã ký).pdf" (numbered when taken) unless the user
// ticks the box that replaces the original.
func ShowSignDialog(win fyne.Window, eng *render.Engine, path string, page int, cfg Config, done func(signed string)) {
	newSignDialog(win, rendererFor(eng), path, page, cfg, done).show()
}

// ShowBatchDialog lets the user choose many PDFs and sign them all with
// one PIN entry, with progress, per-file results and cancel.
//
// The user picks a folder; its PDFs are listed with check boxes (copies
// already signed by this program unticked). Each signed copy goes next to
// its original, named as in ShowSignDialog. A file that fails is reported
// and the others go on; a token problem (pulled out, logged out) or an
// unreachable timestamp authority stops the batch, since every later file
// would fail alike. "Dừng" stops after the file being signed.
func ShowBatchDialog(win fyne.Window, cfg Config) {
	newBatchDialog(win, cfg).show()
}
