package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// Exit codes; see the package documentation.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	exitToken  = 3
)

// envLang names the variable that picks the language when --lang is absent.
const envLang = "VANTHU_LANG"

// cli is one run of the program: where it reads and writes, and the
// language it speaks.
type cli struct {
	lang   lang
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
}

// run executes the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now}
	l, err := pickLang(args, getenv(envLang))
	c.lang = l
	if err == nil {
		err = c.dispatch(ctx, args)
	}
	return c.finish(err)
}

// finish prints err for people and returns the exit code it stands for.
func (c *cli) finish(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	code, msg := c.explain(err)
	fmt.Fprintln(c.stderr, c.t("prefix.error")+msg)
	return code
}

func (c *cli) dispatch(ctx context.Context, args []string) error {
	args = stripLang(args)
	if rejectsPINFlag(args) {
		return c.usageErr("usage.pin-argv")
	}
	if len(args) == 0 {
		c.usage(c.stderr)
		return &exitError{code: exitUsage, msg: c.t("usage.no-command")}
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "token":
		return c.cmdToken(ctx, rest)
	case "sign":
		return c.cmdSign(ctx, rest)
	case "copy":
		return c.cmdCopy(ctx, rest)
	case "verify":
		return c.cmdVerify(ctx, rest)
	case "trust":
		return c.cmdTrust(rest)
	case "demo":
		return c.cmdDemo(ctx, rest)
	case "sync":
		return c.cmdSync(ctx, rest)
	case "work":
		return c.cmdWork(ctx, rest)
	case "edxml":
		return c.cmdEdxml(ctx, rest)
	case "version", "--version", "-version":
		return c.cmdVersion(rest)
	case "help", "-h", "--help", "-help":
		c.usage(c.stdout)
		return nil
	default:
		c.usage(c.stderr)
		return c.usageErr("usage.unknown-command", cmd)
	}
}

func (c *cli) usage(w io.Writer) { fmt.Fprint(w, c.t("usage.main")) }

func (c *cli) cmdToken(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "list" {
		return c.cmdTokenList(ctx, args[1:])
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		c.usage(c.stdout)
		return nil
	}
	c.usage(c.stderr)
	return c.usageErr("usage.token-sub")
}

// flagSet returns a flag set for a subcommand that reports problems as
// usage errors and prints its help in the chosen language. Every
// subcommand accepts --lang, already handled by pickLang.
func (c *cli) flagSet(name, usageKey string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), c.t(usageKey))
		fmt.Fprintln(fs.Output(), c.t("usage.flags"))
		c.printFlags(fs)
	}
	fs.String("lang", "", c.t("flag.lang"))
	return fs
}

// parse parses args into fs. -h prints the help on standard output and
// ends the command successfully; a bad flag is a usage error, and so is
// an argument that is not a flag.
func (c *cli) parse(fs *flag.FlagSet, args []string) error {
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return c.usageErr("usage.extra-args", strings.Join(fs.Args(), " "))
	}
	return nil
}

// parseFlags is parse that leaves the arguments after the flags in
// fs.Args().
func (c *cli) parseFlags(fs *flag.FlagSet, args []string) error {
	if rejectsPINFlag(args) {
		return c.usageErr("usage.pin-argv")
	}
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(c.stdout)
			fs.Usage()
			return flag.ErrHelp
		}
	}
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		fs.SetOutput(c.stderr)
		fs.Usage()
		return c.usageErr("usage.bad-flag", strings.TrimSpace(err.Error()))
	}
	return nil
}

// rejectsPINFlag reports whether args try to pass a PIN on the command
// line. The PIN would be visible to other users (ps) and kept in the
// shell history, so it is refused before anything else happens.
func rejectsPINFlag(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && strings.EqualFold(name, "pin") {
			return true
		}
	}
	return false
}

// printFlags lists the flags of fs with their help in the run's language
// (flag.PrintDefaults would add English).
func (c *cli) printFlags(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintln(fs.Output(), line)
		fmt.Fprintln(fs.Output(), "      "+strings.ReplaceAll(usage, "\n", "\n      "))
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintln(fs.Output(), "      "+c.t("usage.default", f.DefValue))
		}
	})
}
