//go:build !windows

package client

import "net/url"

// platformProxy: outside Windows there are no system proxy settings
// this package reads (GNOME's and KDE's are not; see the package doc).
func platformProxy() func(*url.URL) (*url.URL, error) { return nil }
