package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/vanthuso/vanthu/signing/pdfcopy"
)

// copyPhrases are the texts of `vanthuctl copy`, added to the catalogue
// at start.
var copyPhrases = map[string]phrase{
	"usage.copy": {
		vi: `Cách dùng: vanthuctl copy --form sao-y|sao-luc|trich-sao [--pages 1,3-4] [--agency "…"] --token NHÃN TỆP_GỐC TỆP_BẢN_SAO

Làm bản sao điện tử (Nghị định 30/2020) và ký bằng thiết bị ký số của cơ quan: chữ ký
sao ở góc trên bên phải trang 1 (hình thức sao, tên cơ quan sao, thời gian ký).
  sao-y, sao-luc  sao toàn bộ văn bản; các chữ ký của bản gốc vẫn kiểm tra được trong bản sao
  trich-sao       sao các trang chọn bằng --pages (theo thứ tự viết); bản sao là văn bản mới,
                  chỉ có chữ ký sao
Mã PIN lấy từ biến môi trường VANTHU_PIN hoặc --pin-stdin.
`,
		en: `Usage: vanthuctl copy --form sao-y|sao-luc|trich-sao [--pages 1,3-4] [--agency "…"] --token LABEL ORIGINAL COPY

Makes an electronic copy (Decree 30/2020) and signs it with the agency's token: the copy
signature at the top right of page 1 (copy form, copying agency, signing time).
  sao-y, sao-luc  copy the whole document; the original's signatures still verify in the copy
  trich-sao       copy the pages chosen with --pages (in the order written); the copy is a new
                  document carrying only the copy signature
The PIN comes from the VANTHU_PIN environment variable or --pin-stdin.
`,
	},
	"flag.copy.form":   {"hình thức sao: `sao-y`, sao-luc hoặc trich-sao", "copy form: `sao-y`, sao-luc or trich-sao"},
	"flag.copy.pages":  {"trích sao: các trang (`DANH_SÁCH`), ví dụ 1,3-4", "trích sao: the pages (`LIST`), e.g. 1,3-4"},
	"flag.copy.agency": {"tên cơ quan sao (`VĂN_BẢN`); mặc định tổ chức (O) trong chứng thư số", "copying agency (`TEXT`); default the certificate's organisation (O)"},
	"usage.copy-args": {"Cần đúng hai tệp: tệp gốc và tệp bản sao (vanthuctl copy --form … TỆP_GỐC TỆP_BẢN_SAO).",
		"Give exactly two files: the original and the copy (vanthuctl copy --form … ORIGINAL COPY)."},
	"usage.copy-form":        {"Cần hình thức sao: --form sao-y, sao-luc hoặc trich-sao.", "The copy form is needed: --form sao-y, sao-luc or trich-sao."},
	"usage.copy-needs-pages": {"Trích sao cần các trang: thêm --pages, ví dụ --pages 1,3-4.", "An extract copy needs its pages: add --pages, e.g. --pages 1,3-4."},
	"err.copy":               {"%s", "%s"},
	"result.copy":            {"Đã làm bản %s: %s (%d trang, chữ ký %s)", "Made the %s copy: %s (%d pages, signature %s)"},
	"result.copy-original":   {"Các chữ ký của bản gốc được giữ nguyên và vẫn kiểm tra được.", "The original's signatures are kept and still verify."},
	"result.copy-new":        {"Bản trích sao là văn bản mới: chỉ có chữ ký sao.", "The extract copy is a new document: it carries the copy signature only."},
}

func init() {
	for k, v := range copyPhrases {
		catalogue[k] = v
	}
}

// cmdCopy is `vanthuctl copy`: a sao y, sao lục or trích sao of one
// document, signed with the agency's token (signing/pdfcopy).
func (c *cli) cmdCopy(ctx context.Context, args []string) error {
	var tf tokenFlags
	var form, pages, agency string
	var force bool
	fs := c.flagSet("copy", "usage.copy")
	fs.StringVar(&form, "form", "", c.t("flag.copy.form"))
	fs.StringVar(&pages, "pages", "", c.t("flag.copy.pages"))
	fs.StringVar(&agency, "agency", "", c.t("flag.copy.agency"))
	fs.StringVar(&tf.module, "module", "", c.t("flag.module"))
	fs.StringVar(&tf.label, "token", "", c.t("flag.token"))
	fs.StringVar(&tf.cert, "cert", "", c.t("flag.cert"))
	fs.BoolVar(&tf.pinStdin, "pin-stdin", false, c.t("flag.pin-stdin"))
	fs.BoolVar(&force, "force", false, c.t("flag.force"))
	pos, err := c.parsePositional(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return c.usageErr("usage.copy-args")
	}
	in, out := pos[0], pos[1]
	if strings.TrimSpace(form) == "" {
		return c.usageErr("usage.copy-form")
	}
	req := pdfcopy.Request{Source: in, Output: out, Agency: strings.TrimSpace(agency)}
	if req.Form, err = pdfcopy.ParseForm(form); err != nil {
		return c.usageErr("err.copy", c.copyMessage(err))
	}
	switch {
	case pages != "" && req.Form != pdfcopy.TrichSao:
		return c.usageErr("err.copy", c.copyMessage(pdfcopy.ErrPagesNotAllowed))
	case pages == "" && req.Form == pdfcopy.TrichSao:
		return c.usageErr("usage.copy-needs-pages")
	case pages != "":
		if req.Pages, err = pdfcopy.ParsePages(pages); err != nil {
			return c.usageErr("err.copy", c.copyMessage(err))
		}
	}
	if err := c.checkOutput(in, out, force); err != nil {
		return err
	}
	if samePath(in, out) {
		return c.usageErr("err.copy", c.copyMessage(pdfcopy.ErrOutputIsSource))
	}
	pin, err := c.readPIN(tf.pinStdin)
	if err != nil {
		return err
	}
	key, err := c.openSigningKey(tf, pin)
	if err != nil {
		return err
	}
	defer key.Close()
	req.Signer, req.Certificate, req.Chain, req.Time = key.signer, key.cred.Certificate, key.chain, c.now()
	res, err := pdfcopy.Make(ctx, req)
	if err != nil {
		if isTokenProblem(err) {
			return err
		}
		return fileError(c.inputErr(err, "err.copy", c.copyMessage(err)), in)
	}
	fmt.Fprintln(c.stdout, c.t("result.copy", string(res.Form), out, res.Pages, res.Field))
	if res.Incremental {
		fmt.Fprintln(c.stdout, c.t("result.copy-original"))
	} else {
		fmt.Fprintln(c.stdout, c.t("result.copy-new"))
	}
	return nil
}

// copyMessage is pdfcopy's sentence for err in the run's language.
func (c *cli) copyMessage(err error) string {
	viMsg, enMsg := pdfcopy.Message(err)
	if c.lang == en {
		return enMsg
	}
	return viMsg
}
