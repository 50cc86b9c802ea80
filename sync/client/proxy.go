package client

import (
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"golang.org/x/net/http/httpproxy"
)

// SystemProxy returns the proxy choice New uses when Config.Proxy is nil.
// When the environment names a proxy (HTTPS_PROXY, HTTP_PROXY, in either
// case), it rules, with NO_PROXY, as net/http reads them (loopback
// addresses and "localhost" never go through a proxy). Otherwise the
// system's settings do: on Windows the user's Internet Options (WinINet:
// ProxyEnable, ProxyServer, ProxyOverride with its <local> entry); on
// other systems there are none, and requests go direct. The environment
// and the settings are read when SystemProxy is called, not per request.
func SystemProxy() func(*http.Request) (*url.URL, error) {
	if envNamesProxy(os.Getenv) {
		f := httpproxy.FromEnvironment().ProxyFunc()
		return func(r *http.Request) (*url.URL, error) { return f(r.URL) }
	}
	if f := platformProxy(); f != nil {
		return func(r *http.Request) (*url.URL, error) { return f(r.URL) }
	}
	return func(*http.Request) (*url.URL, error) { return nil, nil }
}

func envNamesProxy(getenv func(string) string) bool {
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		if strings.TrimSpace(getenv(k)) != "" {
			return true
		}
	}
	return false
}

// winINetProxy is the proxy choice of WinINet settings: enabled says
// ProxyEnable is 1; server is ProxyServer, either "host:port" for every
// scheme or "http=host:port;https=host:port;…" per scheme (a scheme
// without an entry goes direct; socks entries are ignored); override is
// ProxyOverride, ";"-separated host patterns with "*" wildcards that go
// direct, "<local>" standing for names without a dot. Loopback always
// goes direct. It returns nil when no proxy applies at all.
func winINetProxy(enabled bool, server, override string) func(*url.URL) (*url.URL, error) {
	server = strings.TrimSpace(server)
	if !enabled || server == "" {
		return nil
	}
	perScheme := map[string]*url.URL{}
	if !strings.Contains(server, "=") {
		if u := proxyURL(server); u != nil {
			perScheme["http"], perScheme["https"] = u, u
		}
	} else {
		for _, part := range strings.Split(server, ";") {
			scheme, addr, ok := strings.Cut(strings.TrimSpace(part), "=")
			scheme = strings.ToLower(strings.TrimSpace(scheme))
			if !ok || (scheme != "http" && scheme != "https") {
				continue
			}
			if u := proxyURL(addr); u != nil {
				perScheme[scheme] = u
			}
		}
	}
	if len(perScheme) == 0 {
		return nil
	}
	var bypass []string
	local := false
	for _, p := range strings.Split(override, ";") {
		p = strings.ToLower(strings.TrimSpace(p))
		switch p {
		case "":
		case "<local>":
			local = true
		default:
			bypass = append(bypass, p)
		}
	}
	return func(u *url.URL) (*url.URL, error) {
		host := strings.ToLower(u.Hostname())
		if host == "localhost" || isLoopback(host) {
			return nil, nil
		}
		if local && !strings.Contains(host, ".") && net.ParseIP(host) == nil {
			return nil, nil
		}
		for _, p := range bypass {
			if wildcardMatch(p, host) || wildcardMatch(p, strings.ToLower(u.Host)) {
				return nil, nil
			}
		}
		return perScheme[strings.ToLower(u.Scheme)], nil
	}
}

// proxyURL reads a WinINet proxy address: "host:port" or a URL.
func proxyURL(s string) *url.URL {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil
	}
	return u
}

// wildcardMatch matches s against pattern, where "*" stands for any run
// of characters (dots included, as WinINet does).
func wildcardMatch(pattern, s string) bool {
	star := strings.Index(pattern, "*")
	if star < 0 {
		return pattern == s
	}
	prefix := pattern[:star]
	if !strings.HasPrefix(s, prefix) {
		return false
	}
	rest := pattern[star+1:]
	s = s[len(prefix):]
	if rest == "" {
		return true
	}
	for i := 0; i <= len(s); i++ {
		if wildcardMatch(rest, s[i:]) {
			return true
		}
	}
	return false
}
