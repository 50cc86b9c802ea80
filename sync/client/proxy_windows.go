//go:build windows

package client

import (
	"net/url"

	"golang.org/x/sys/windows/registry"
)

// platformProxy reads the user's WinINet proxy settings (Internet
// Options): HKCU\Software\Microsoft\Windows\CurrentVersion\Internet
// Settings, values ProxyEnable, ProxyServer and ProxyOverride. Settings
// that cannot be read count as none.
func platformProxy() func(*url.URL) (*url.URL, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, `Software\Microsoft\Windows\CurrentVersion\Internet Settings`, registry.QUERY_VALUE)
	if err != nil {
		return nil
	}
	defer k.Close()
	enable, _, err := k.GetIntegerValue("ProxyEnable")
	if err != nil {
		return nil
	}
	server, _, _ := k.GetStringValue("ProxyServer")
	override, _, _ := k.GetStringValue("ProxyOverride")
	return winINetProxy(enable == 1, server, override)
}
