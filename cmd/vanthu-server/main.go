// Command vanthu-server is the reference central document server of Văn
// Thư Số (máy chủ trung tâm): it wires package server to the command line.
//
//	vanthu-server init  --data DIR [--host NAME]...
//	vanthu-server serve --data DIR --listen ADDR [--tls-cert F --tls-key F] [--trust FILE]...
//	vanthu-server admin agency add|list …
//	vanthu-server admin user add|list|disable|enable …
//	vanthu-server version
//
// Admin commands open the store directly; bbolt locks its file, so they
// refuse while the server runs on the directory ("dừng máy chủ trước"):
// stop the server, run them, start it again.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/vanthuso/vanthu/server"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/server/store/pg"
)

const usage = `vanthu-server: máy chủ trung tâm Văn Thư Số (the central document server of Văn Thư Số)

Usage:
  vanthu-server init  --data DIR [--host NAME]...
      create the store and a self-signed TLS certificate for the hosts
      (tạo kho dữ liệu và chứng thư TLS)
  vanthu-server serve --data DIR --listen ADDR [--tls-cert F --tls-key F] [--trust FILE]... [--store postgres://…]
      serve the API over TLS until SIGTERM or SIGINT (chạy máy chủ); with --store,
      replicas share one PostgreSQL database (nhiều máy chủ dùng chung PostgreSQL);
      VANTHU_STORE=postgres://… is --store's default and points admin commands there
  vanthu-server admin agency add --data DIR --code MÃ --name TÊN [--parent MÃ] [--email E]
  vanthu-server admin agency list --data DIR
  vanthu-server admin user add --data DIR --agency MÃ --name TÊN --cert FILE --roles van_thu,lanh_dao [--position P]
  vanthu-server admin user list --data DIR [--agency MÃ]
  vanthu-server admin user disable|enable --data DIR --id ID
  vanthu-server admin system add --data DIR --agency MÃ --name TÊN
      an agency's own system on the exchange axis API: prints its systemid and secret
      manage agencies and users while the server is stopped (quản lý cơ quan, người dùng)
  vanthu-server backup --data DIR --url https://HOST:PORT --out FILE
      take an online backup of the running server's store (sao lưu khi máy
      chủ đang chạy); the token and TLS certificate are read from DIR
  vanthu-server restore --data DIR --from FILE
      put a backup back into an initialised data directory whose store is
      new or absent, with the server stopped (khôi phục từ bản sao lưu)
  vanthu-server migrate --data DIR --to postgres://… [--resume]
      copy the bolt store of a stopped server into an empty PostgreSQL
      database (chuyển sang PostgreSQL); then serve --store postgres://…
  vanthu-server version

Run a command with --help for its flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "init":
		err = cmdInit(args[1:], stdout)
	case "serve":
		err = cmdServe(args[1:], stdout, stderr)
	case "admin":
		err = cmdAdmin(args[1:], stdout)
	case "backup":
		err = cmdBackup(args[1:], stdout)
	case "restore":
		err = cmdRestore(args[1:], stdout)
	case "migrate":
		err = cmdMigrate(args[1:], stdout)
	case "version":
		fmt.Fprintln(stdout, "vanthu-server", version())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "vanthu-server: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "vanthu-server:", err)
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "vanthu-server:", err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v += " " + s.Value
		}
	}
	return v + " " + bi.GoVersion
}

// list is a repeatable string flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func flags(name, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "vanthu-server %s: %s\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string, required ...string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageErr("%v", err)
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected arguments %v", fs.Args())
	}
	for _, r := range required {
		if fs.Lookup(r).Value.String() == "" {
			return usageErr("%s needs --%s", fs.Name(), r)
		}
	}
	return nil
}

func cmdInit(args []string, stdout io.Writer) error {
	fs := flags("init", "create the data directory (tạo thư mục dữ liệu)")
	dir := fs.String("data", "", "data directory")
	var hosts list
	fs.Var(&hosts, "host", "host name or IP address clients use (repeatable); the first is the server's name")
	if err := parse(fs, args, "data"); err != nil {
		return err
	}
	res, err := server.Init(*dir, hosts)
	if err != nil {
		return err
	}
	if !res.Created {
		fmt.Fprintf(stdout, "already initialised: %s\n", *dir)
	}
	fmt.Fprintf(stdout, "name: %s\ntls certificate: %s\ntls key: %s\ncertificate sha256: %s\n", res.Name, res.CertFile, res.KeyFile, res.CertSHA256)
	return nil
}

func cmdServe(args []string, stdout, stderr io.Writer) error {
	fs := flags("serve", "serve the API over TLS (chạy máy chủ)")
	var rc server.RunConfig
	fs.StringVar(&rc.Dir, "data", "", "data directory")
	fs.StringVar(&rc.Listen, "listen", "127.0.0.1:8443", "address to listen on (port 0: any free port)")
	fs.StringVar(&rc.TLSCert, "tls-cert", "", "TLS certificate (default: the one init made)")
	fs.StringVar(&rc.TLSKey, "tls-key", "", "TLS key")
	fs.StringVar(&rc.Name, "name", "", "server name clients use (default: init's first --host)")
	fs.Var((*list)(&rc.Trust), "trust", "trust anchors for verifying documents (repeatable)")
	fs.Var((*list)(&rc.Intermediates), "intermediate", "CA certificates for chain building (repeatable)")
	fs.BoolVar(&rc.OfflineRevocation, "offline-revocation", false, "check revocation from the documents' evidence only")
	fs.BoolVar(&rc.AcceptUnknownRevocation, "accept-unknown-revocation", false, "IT policy: an unknown revocation status does not make a signature indeterminate")
	fs.DurationVar(&rc.SessionTTL, "session-ttl", 8*time.Hour, "session lifetime")
	fs.DurationVar(&rc.ChallengeTTL, "challenge-ttl", 2*time.Minute, "sign-in challenge lifetime")
	fs.DurationVar(&rc.MaxWait, "max-wait", 0, "longest long poll (default 25s)")
	fs.StringVar(&rc.AddrFile, "addr-file", "", "write the listening address to this file once serving")
	logJSON := fs.Bool("log-json", false, "log as JSON")
	metricsToken := fs.String("metrics-token-file", "", "file holding the bearer token of GET /metrics (default: loopback clients only)")
	storeURL := fs.String("store", os.Getenv(storeEnv), "PostgreSQL store shared by replicas, postgres://USER@HOST/DB (password in PGPASSWORD or ~/.pgpass; default $"+storeEnv+", else the data directory's)")
	if err := parse(fs, args, "data"); err != nil {
		return err
	}
	if *metricsToken != "" {
		b, err := os.ReadFile(*metricsToken)
		if err != nil {
			return fmt.Errorf("serve: metrics token: %w", err)
		}
		if rc.MetricsToken = strings.TrimSpace(string(b)); len(rc.MetricsToken) < 16 {
			return usageErr("the metrics token must be at least 16 characters")
		}
	}
	if (rc.TLSCert == "") != (rc.TLSKey == "") {
		return usageErr("--tls-cert and --tls-key go together")
	}
	var h slog.Handler = slog.NewTextHandler(stderr, nil)
	if *logJSON {
		h = slog.NewJSONHandler(stderr, nil)
	}
	rc.Logger = slog.New(h)
	rc.Ready = func(addr string) { fmt.Fprintf(stdout, "listening on %s\n", addr) }
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if *storeURL != "" {
		st, err := openPostgres(ctx, *storeURL)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		defer st.Close()
		rc.Store = st
	}
	return server.Run(ctx, rc)
}

// storeEnv names the PostgreSQL store for serve (--store's default) and
// the admin commands.
const storeEnv = "VANTHU_STORE"

func openPostgres(ctx context.Context, url string) (*pg.Store, error) {
	if !server.IsPostgresURL(url) {
		return nil, usageErr("--store and %s take a postgres:// URL", storeEnv)
	}
	return server.OpenPostgres(ctx, url)
}

func cmdBackup(args []string, stdout io.Writer) error {
	fs := flags("backup", "online backup of the running server (sao lưu)")
	dir := fs.String("data", "", "data directory of the running server")
	url := fs.String("url", "https://127.0.0.1:8443", "the server's address")
	out := fs.String("out", "", "backup file to write")
	if err := parse(fs, args, "data", "out"); err != nil {
		return err
	}
	info, err := server.BackupTo(context.Background(), *dir, *url, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup: %s — database %d bytes, %d files, %d bytes\n", *out, info.DBBytes, info.Blobs, info.BlobBytes)
	return nil
}

func cmdRestore(args []string, stdout io.Writer) error {
	fs := flags("restore", "restore a backup into a data directory (khôi phục)")
	dir := fs.String("data", "", "data directory, initialised, server stopped")
	from := fs.String("from", "", "backup file (vanthu-server backup)")
	if err := parse(fs, args, "data", "from"); err != nil {
		return err
	}
	info, err := server.Restore(*dir, *from)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored: database %d bytes, %d files, %d bytes; clients resynchronise on their next connection\n", info.DBBytes, info.Blobs, info.BlobBytes)
	return nil
}

func cmdMigrate(args []string, stdout io.Writer) error {
	fs := flags("migrate", "copy a stopped server's bolt store into PostgreSQL (chuyển sang PostgreSQL)")
	dir := fs.String("data", "", "data directory of the stopped server")
	to := fs.String("to", "", "PostgreSQL store, postgres://USER@HOST/DB (empty)")
	resume := fs.Bool("resume", false, "finish an interrupted migration into the same database")
	if err := parse(fs, args, "data", "to"); err != nil {
		return err
	}
	ctx := context.Background()
	from, err := server.OpenStore(*dir)
	if err != nil {
		return err
	}
	defer from.Close()
	target, err := openPostgres(ctx, *to)
	if err != nil {
		return err
	}
	defer target.Close()
	rep, err := server.Migrate(ctx, from, target, *resume, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrated: %d agencies, %d users, %d files (%d bytes), %d documents, %d box entries, %d idempotency records, %d cases, %d register lines, %d audit lines, %d axis systems\n",
		rep.Agencies, rep.Users, rep.Blobs, rep.BlobBytes, rep.Messages, rep.BoxEntries, rep.Idempotency, rep.Cases, rep.Registers, rep.Audit, rep.AxisSystems)
	fmt.Fprintln(stdout, "serve with --store (or VANTHU_STORE) set to the database; clients resynchronise on their next connection")
	return nil
}

func cmdAdmin(args []string, stdout io.Writer) error {
	if len(args) < 2 {
		return usageErr("admin agency add|list, admin user add|list|disable|enable, admin system add")
	}
	what, verb, rest := args[0], args[1], args[2:]
	switch what + " " + verb {
	case "agency add":
		return agencyAdd(rest, stdout)
	case "agency list":
		return agencyList(rest, stdout)
	case "system add":
		return systemAdd(rest, stdout)
	case "user add":
		return userAdd(rest, stdout)
	case "user list":
		return userList(rest, stdout)
	case "user disable":
		return userSetDisabled(rest, stdout, true)
	case "user enable":
		return userSetDisabled(rest, stdout, false)
	}
	return usageErr("unknown admin command %q", what+" "+verb)
}

// withStore runs f on the data directory's store, closed afterwards.
// With VANTHU_STORE set (postgres://…), the PostgreSQL store instead:
// admin commands work on it while replicas serve it.
func withStore(dir string, f func(st store.Store) error) error {
	var st store.Store
	var err error
	if url := os.Getenv(storeEnv); url != "" {
		st, err = openPostgres(context.Background(), url)
	} else {
		st, err = server.OpenStore(dir)
	}
	if err != nil {
		return err
	}
	if err := f(st); err != nil {
		st.Close()
		return err
	}
	return st.Close()
}

func agencyAdd(args []string, stdout io.Writer) error {
	fs := flags("admin agency add", "add an agency (thêm cơ quan)")
	dir := fs.String("data", "", "data directory")
	var a store.Agency
	fs.StringVar(&a.Code, "code", "", "mã định danh, e.g. 000.00.00.H41")
	fs.StringVar(&a.Name, "name", "", "agency name")
	fs.StringVar(&a.Parent, "parent", "", "mã định danh of the parent agency")
	fs.StringVar(&a.Email, "email", "", "public e-mail")
	if err := parse(fs, args, "data", "code", "name"); err != nil {
		return err
	}
	return withStore(*dir, func(st store.Store) error {
		a, err := server.AddAgency(context.Background(), st, a)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added agency %s %s\n", a.Code, a.Name)
		return nil
	})
}

func systemAdd(args []string, stdout io.Writer) error {
	fs := flags("admin system add", "register an agency's system for the exchange axis API (đăng ký hệ thống trục liên thông)")
	dir := fs.String("data", "", "data directory")
	agency := fs.String("agency", "", "mã định danh of the system's agency")
	name := fs.String("name", "", "the system's name")
	if err := parse(fs, args, "data", "agency", "name"); err != nil {
		return err
	}
	return withStore(*dir, func(st store.Store) error {
		sys, err := server.NewAxisSystem(context.Background(), st, *agency, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "systemid: %s\nsecret: %s\nagency: %s\nendpoint: https://HOST:PORT%s (give the secret to the agency's IT staff only)\n",
			sys.ID, sys.Secret, sys.Agency, strings.TrimSuffix(server.AxisPrefix, "/"))
		return nil
	})
}

func agencyList(args []string, stdout io.Writer) error {
	fs := flags("admin agency list", "list agencies (danh sách cơ quan)")
	dir := fs.String("data", "", "data directory")
	if err := parse(fs, args, "data"); err != nil {
		return err
	}
	return withStore(*dir, func(st store.Store) error {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tNAME\tPARENT\tEMAIL")
		after := ""
		for {
			page, err := st.Agencies(context.Background(), after, 500)
			if err != nil {
				return err
			}
			for _, a := range page {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Code, a.Name, a.Parent, a.Email)
				after = a.Code
			}
			if len(page) < 500 {
				return tw.Flush()
			}
		}
	})
}

func userAdd(args []string, stdout io.Writer) error {
	fs := flags("admin user add", "bind a certificate to a new user (thêm người dùng)")
	dir := fs.String("data", "", "data directory")
	var n server.NewUser
	fs.StringVar(&n.Agency, "agency", "", "mã định danh of the user's agency")
	fs.StringVar(&n.Name, "name", "", "full name")
	fs.StringVar(&n.Position, "position", "", "position (chức vụ)")
	certFile := fs.String("cert", "", "the user's signing certificate (.pem, .der, .cer)")
	roles := fs.String("roles", "", "comma-separated: van_thu, lanh_dao, chuyen_vien, quan_tri")
	if err := parse(fs, args, "data", "agency", "name", "cert", "roles"); err != nil {
		return err
	}
	var err error
	if n.Roles, err = server.ParseRoles(*roles); err != nil {
		return usageErr("%v", err)
	}
	if n.Cert, err = server.ReadCertificateFile(*certFile); err != nil {
		return err
	}
	return withStore(*dir, func(st store.Store) error {
		u, err := server.AddUser(context.Background(), st, n)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added user %s (%s) to %s, certificate sha256 %s\n", u.ID, u.Name, u.Agency, u.CertSHA)
		return nil
	})
}

func userList(args []string, stdout io.Writer) error {
	fs := flags("admin user list", "list users (danh sách người dùng)")
	dir := fs.String("data", "", "data directory")
	agency := fs.String("agency", "", "only this agency's users")
	if err := parse(fs, args, "data"); err != nil {
		return err
	}
	return withStore(*dir, func(st store.Store) error {
		users, err := st.Users(context.Background(), *agency)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tAGENCY\tNAME\tROLES\tSTATE\tCERT SHA256")
		for _, u := range users {
			state := "enabled"
			if u.Disabled {
				state = "disabled"
			}
			var roles []string
			for _, r := range u.Roles {
				roles = append(roles, string(r))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Agency, u.Name, strings.Join(roles, ","), state, u.CertSHA)
		}
		return tw.Flush()
	})
}

func userSetDisabled(args []string, stdout io.Writer, disabled bool) error {
	verb := "enable"
	if disabled {
		verb = "disable"
	}
	fs := flags("admin user "+verb, verb+" a user (khóa/mở người dùng)")
	dir := fs.String("data", "", "data directory")
	id := fs.String("id", "", "user id (admin user list)")
	if err := parse(fs, args, "data", "id"); err != nil {
		return err
	}
	return withStore(*dir, func(st store.Store) error {
		if err := st.SetUserDisabled(context.Background(), *id, disabled); err != nil {
			return fmt.Errorf("%s user %s: %w", verb, *id, err)
		}
		fmt.Fprintf(stdout, "user %s %sd\n", *id, verb)
		return nil
	})
}
