//go:build !windows && !((linux || darwin || freebsd) && cgo)

package token

func loaderMessage(string) string { return "" }
