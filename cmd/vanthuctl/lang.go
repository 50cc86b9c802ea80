package main

import (
	"fmt"
	"strings"
)

// lang is the language of user-facing messages.
type lang int

const (
	vi lang = iota // Vietnamese, the default
	en
)

func (l lang) String() string {
	if l == en {
		return "en"
	}
	return "vi"
}

func parseLang(s string) (lang, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "vi", "vi-vn", "vi_vn", "vie", "":
		return vi, true
	case "en", "en-us", "en_us", "en-gb", "eng":
		return en, true
	}
	return vi, false
}

// pickLang finds --lang anywhere in args (before or after the subcommand),
// else uses the value of $VANTHU_LANG, else Vietnamese. An unknown value
// given with --lang is a usage error (reported in Vietnamese); an unknown
// $VANTHU_LANG falls back to Vietnamese.
func pickLang(args []string, env string) (lang, error) {
	if v, ok := langArg(args); ok {
		l, known := parseLang(v)
		if !known || strings.TrimSpace(v) == "" {
			return vi, &exitError{code: exitUsage, msg: vi.text("usage.bad-lang", v)}
		}
		return l, nil
	}
	l, _ := parseLang(env)
	return l, nil
}

// langArg returns the value of the last --lang in args.
func langArg(args []string) (string, bool) {
	val, found := "", false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		switch {
		case a == "--lang" || a == "-lang":
			found = true
			if i+1 < len(args) {
				val = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "--lang=") || strings.HasPrefix(a, "-lang="):
			found = true
			_, val, _ = strings.Cut(a, "=")
		}
	}
	return val, found
}

// stripLang removes --lang and its value from args so that subcommands
// need not know about it.
func stripLang(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		switch {
		case a == "--lang" || a == "-lang":
			i++
		case strings.HasPrefix(a, "--lang=") || strings.HasPrefix(a, "-lang="):
		default:
			out = append(out, a)
		}
	}
	return out
}

// text returns the message key in language l, formatted with args. A key
// missing from the catalogue is a programming error; the key itself is
// returned so the problem is visible.
func (l lang) text(key string, args ...any) string {
	p, ok := catalogue[key]
	if !ok {
		return "[" + key + "]" + fmt.Sprint(args...)
	}
	s := p.vi
	if l == en {
		s = p.en
	}
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s
}

// t is lang.text in the run's language.
func (c *cli) t(key string, args ...any) string { return c.lang.text(key, args...) }
