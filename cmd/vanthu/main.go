// Command vanthu is the Văn Thư Số desktop client: read incoming PDF
// documents, check their signatures and sign them with a USB token.
//
//	vanthu [--demo] [FILE.pdf ...]
//
// --demo prepares a software token, a test PKI and sample documents in the
// user data folder + vanthu-demo and opens them. VANTHU_SCREENSHOT=out.png
// (with VANTHU_WINDOW_SIZE=1366x768) captures the window once the first
// document is shown, then quits.
package main

import (
	"flag"
	"fmt"
	"os"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/vanthuso/vanthu/app"
	"github.com/vanthuso/vanthu/app/i18n"
)

func init() {
	i18n.Register(i18n.Catalog{
		"vanthu.flag.demo":     {VI: "chế độ trình diễn: khóa mềm và văn bản mẫu", EN: "demo mode: a software token and sample documents"},
		"vanthu.flag.demo-dir": {VI: "thư mục của chế độ trình diễn (mặc định: thư mục dữ liệu người dùng + vanthu-demo)", EN: "demo folder (default: the user data folder + vanthu-demo)"},
		"vanthu.usage":         {VI: "Cách dùng: vanthu [--demo] [TỆP.pdf ...]", EN: "Usage: vanthu [--demo] [FILE.pdf ...]"},
	})
}

func main() {
	// The command line speaks VANTHU_LANG (default Vietnamese); the window
	// then follows the language chosen in the settings.
	i18n.SetLang(i18n.ParseLang(os.Getenv("VANTHU_LANG")))
	demo := flag.Bool("demo", false, i18n.T("vanthu.flag.demo"))
	demoDir := flag.String("demo-dir", "", i18n.T("vanthu.flag.demo-dir"))
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), i18n.T("vanthu.usage"))
		flag.PrintDefaults()
	}
	flag.Parse()

	opts := app.Options{Files: flag.Args(), Demo: *demo, DemoDir: *demoDir}
	if err := opts.ReadEnv(); err != nil {
		fmt.Fprintln(os.Stderr, "vanthu:", err)
		os.Exit(2)
	}
	a := fyneapp.NewWithID(app.ID)
	app.NewMainWindow(a, opts).ShowAndRun()
}
