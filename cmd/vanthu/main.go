// Command vanthu is the Văn Thư Số desktop client: read incoming PDF
// documents, check their signatures and sign them with a USB token, and
// exchange documents with other agencies through the document server.
//
//	vanthu [--demo [--demo-user ID] [--demo-dir DIR]] [FILE.pdf ...]
//
// --demo prepares a software token, a test PKI and sample documents in the
// user data folder + vanthu-demo and opens them; it starts a local
// vanthu-server (the binary next to vanthu, else on PATH) and signs in to
// it as the demo user chosen (--demo-user, one of the demo's users: a
// second window with --demo-user van-thu-stc receives at Sở Tài chính).
// Outside the demo the server is the one of the settings (Máy chủ văn
// bản). VANTHU_SCREENSHOT=out.png (with VANTHU_WINDOW_SIZE=1366x768)
// captures the window once the first document is shown, then quits.
package main

import (
	"flag"
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/vanthuso/vanthu/app"
	"github.com/vanthuso/vanthu/app/i18n"
)

func init() {
	i18n.Register(i18n.Catalog{
		"vanthu.flag.demo":      {VI: "chế độ trình diễn: khóa mềm, văn bản mẫu và máy chủ văn bản trên máy này", EN: "demo mode: software tokens, sample documents and a document server on this computer"},
		"vanthu.flag.demo-dir":  {VI: "thư mục của chế độ trình diễn (mặc định: thư mục dữ liệu người dùng + vanthu-demo)", EN: "demo folder (default: the user data folder + vanthu-demo)"},
		"vanthu.flag.demo-user": {VI: "người dùng trình diễn đăng nhập ngay: lanh-dao-ubnd, van-thu-ubnd, van-thu-stc, van-thu-snv (mặc định: hỏi)", EN: "demo user to sign in as at once: lanh-dao-ubnd, van-thu-ubnd, van-thu-stc, van-thu-snv (default: ask)"},
		"vanthu.usage":          {VI: "Cách dùng: vanthu [--demo [--demo-user MÃ]] [TỆP.pdf ...]", EN: "Usage: vanthu [--demo [--demo-user ID]] [FILE.pdf ...]"},
		"vanthu.err.demo-user":  {VI: "--demo-user chỉ dùng cùng --demo", EN: "--demo-user goes with --demo"},
	})
}

// windowHook, when set (the end-to-end test's driver), gets the main
// window before it is shown.
var windowHook func(fyne.App, fyne.Window)

func main() {
	// The command line speaks VANTHU_LANG (default Vietnamese); the window
	// then follows the language chosen in the settings.
	i18n.SetLang(i18n.ParseLang(os.Getenv("VANTHU_LANG")))
	demo := flag.Bool("demo", false, i18n.T("vanthu.flag.demo"))
	demoDir := flag.String("demo-dir", "", i18n.T("vanthu.flag.demo-dir"))
	demoUser := flag.String("demo-user", "", i18n.T("vanthu.flag.demo-user"))
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), i18n.T("vanthu.usage"))
		flag.PrintDefaults()
	}
	flag.Parse()
	if *demoUser != "" && !*demo {
		fmt.Fprintln(os.Stderr, "vanthu:", i18n.T("vanthu.err.demo-user"))
		os.Exit(2)
	}

	opts := app.Options{Files: flag.Args(), Demo: *demo, DemoDir: *demoDir,
		Connect: &app.ConnectOptions{DemoUser: *demoUser, UserAgent: "vanthu"}}
	if err := opts.ReadEnv(); err != nil {
		fmt.Fprintln(os.Stderr, "vanthu:", err)
		os.Exit(2)
	}
	a := fyneapp.NewWithID(app.ID)
	w := app.NewMainWindow(a, opts)
	if windowHook != nil {
		windowHook(a, w)
	}
	w.ShowAndRun()
	app.Release(w)
}
