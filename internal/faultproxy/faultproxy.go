// Package faultproxy is a TCP proxy on loopback that misbehaves on
// command, for the fault campaign between real processes: it resets
// connections, blackholes them (bytes go in, nothing comes out, nothing
// is closed), throttles them to a bandwidth and delays them.
//
//	p, err := faultproxy.Start("127.0.0.1:0", serverAddr)
//	defer p.Close()
//	p.Set(faultproxy.Faults{BytesPerSecond: 32 << 10, Latency: 50 * time.Millisecond})
//	p.ResetAll() // every open connection gets a TCP reset
//
// Faults apply to the connections open when Set is called and to later
// ones; they act on each direction separately. The zero Faults forwards
// faithfully. A test program, not for production: it links no test code
// and listens only where it is told.
package faultproxy

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Faults say how the proxy misbehaves.
type Faults struct {
	// Refuse resets new connections at once.
	Refuse bool
	// Blackhole stops forwarding: reads continue (so the sender's writes
	// succeed until buffers fill), nothing is delivered, nothing closed.
	Blackhole bool
	// BytesPerSecond limits each direction of each connection (0: no
	// limit).
	BytesPerSecond int
	// Latency delays every chunk forwarded.
	Latency time.Duration
}

// Proxy is a running proxy. Its methods are safe for concurrent use.
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	faults Faults
	conns  map[*pair]struct{}
	closed bool
	wg     sync.WaitGroup

	// Counters, for tests and the campaign's log.
	accepted, resets     atomic.Int64
	upstream, downstream atomic.Int64 // bytes forwarded to the target, back to clients
}

type pair struct{ client, server *net.TCPConn }

// Start listens on listen and forwards every connection to target.
func Start(listen, target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[*pair]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's listening address ("127.0.0.1:PORT").
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Set changes the faults.
func (p *Proxy) Set(f Faults) {
	p.mu.Lock()
	p.faults = f
	p.mu.Unlock()
}

func (p *Proxy) current() Faults {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.faults
}

// ResetAll ends every open connection with a TCP reset (SO_LINGER 0).
func (p *Proxy) ResetAll() {
	p.mu.Lock()
	conns := make([]*pair, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		reset(c.client)
		reset(c.server)
		p.resets.Add(1)
	}
}

// Stats are counts since Start.
type Stats struct {
	Accepted, Resets int64
	// Upstream counts the bytes forwarded to the target, Downstream those
	// forwarded back to the clients (bytes swallowed by a blackhole are
	// not counted; bytes written into a connection that was then reset
	// are).
	Upstream, Downstream int64
}

// Stats returns the counts so far.
func (p *Proxy) Stats() Stats {
	return Stats{Accepted: p.accepted.Load(), Resets: p.resets.Load(), Upstream: p.upstream.Load(), Downstream: p.downstream.Load()}
}

// Close stops listening and resets every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.ResetAll()
	p.wg.Wait()
	return err
}

func reset(c *net.TCPConn) {
	if c == nil {
		return
	}
	c.SetLinger(0)
	c.Close()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		client := c.(*net.TCPConn)
		if p.current().Refuse {
			reset(client)
			p.resets.Add(1)
			continue
		}
		p.wg.Add(1)
		go p.serve(client)
	}
}

func (p *Proxy) serve(client *net.TCPConn) {
	defer p.wg.Done()
	s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		reset(client)
		return
	}
	pr := &pair{client: client, server: s.(*net.TCPConn)}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		reset(pr.client)
		reset(pr.server)
		return
	}
	p.conns[pr] = struct{}{}
	p.mu.Unlock()
	var done sync.WaitGroup
	done.Add(2)
	go func() { defer done.Done(); p.pipe(pr.server, pr.client, &p.upstream) }()
	go func() { defer done.Done(); p.pipe(pr.client, pr.server, &p.downstream) }()
	done.Wait()
	p.mu.Lock()
	delete(p.conns, pr)
	p.mu.Unlock()
}

// pipe copies src to dst under the faults of the moment, then half-closes
// dst's write side when src ends cleanly, or resets both on an error.
func (p *Proxy) pipe(dst, src *net.TCPConn, count *atomic.Int64) {
	buf := make([]byte, 16<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if werr := p.forward(dst, buf[:n], count); werr != nil {
				reset(src)
				reset(dst)
				return
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				dst.CloseWrite()
				return
			}
			reset(src)
			reset(dst)
			return
		}
	}
}

// forward writes b to dst, throttled, delayed or swallowed.
func (p *Proxy) forward(dst *net.TCPConn, b []byte, count *atomic.Int64) error {
	for len(b) > 0 {
		f := p.current()
		if f.Blackhole {
			return nil // swallowed
		}
		if f.Latency > 0 {
			time.Sleep(f.Latency)
		}
		chunk := b
		if f.BytesPerSecond > 0 {
			// Send in slices of about 1/20 s of bandwidth.
			step := max(f.BytesPerSecond/20, 1)
			if len(chunk) > step {
				chunk = chunk[:step]
			}
			time.Sleep(time.Duration(len(chunk)) * time.Second / time.Duration(f.BytesPerSecond))
		}
		if _, err := dst.Write(chunk); err != nil {
			return err
		}
		count.Add(int64(len(chunk)))
		b = b[len(chunk):]
	}
	return nil
}
