// Package loopback serves an http.Handler on a fresh port of 127.0.0.1 for
// the test servers of internal/testpki (timestamp authority, OCSP
// responder, CRL server).
package loopback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Serve runs h on a fresh port of 127.0.0.1. It returns the base URL
// ("http://127.0.0.1:PORT", no trailing slash) and a stop function that
// shuts the listener down and waits up to 5 s for requests in flight;
// stop may be called more than once.
func Serve(h http.Handler) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	// Connections that never sent a request (HTTP clients dial spares)
	// would hold Shutdown for its whole timeout: stop closes them.
	var connMu sync.Mutex
	fresh := map[net.Conn]bool{}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(c net.Conn, st http.ConnState) {
			connMu.Lock()
			defer connMu.Unlock()
			if st == http.StateNew {
				fresh[c] = true
			} else {
				delete(fresh, c)
			}
		},
	}
	closeFresh := func() {
		connMu.Lock()
		defer connMu.Unlock()
		for c := range fresh {
			c.Close()
			delete(fresh, c)
		}
	}
	done := make(chan struct{})
	go func() {
		srv.Serve(ln)
		close(done)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			shut := make(chan struct{})
			go func() {
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				for {
					closeFresh()
					select {
					case <-shut:
						return
					case <-tick.C:
					}
				}
			}()
			if err := srv.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
				srv.Close()
			}
			close(shut)
			<-done
		})
	}
	return "http://" + ln.Addr().String(), stop, nil
}
