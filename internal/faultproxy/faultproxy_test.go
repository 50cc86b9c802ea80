package faultproxy

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// echoServer echoes every connection on loopback.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return ln.Addr().String()
}

func start(t *testing.T) *Proxy {
	t.Helper()
	p, err := Start("127.0.0.1:0", echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestForwardsFaithfully(t *testing.T) {
	p := start(t)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := make([]byte, 1<<20)
	rand.Read(want)
	go func() { c.Write(want); c.(*net.TCPConn).CloseWrite() }()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("echoed %d bytes, not the %d sent", len(got), len(want))
	}
	if st := p.Stats(); st.Upstream != int64(len(want)) || st.Downstream != int64(len(want)) {
		t.Fatalf("stats %+v, want %d bytes each way", st, len(want))
	}
}

func TestResetAll(t *testing.T) {
	p := start(t)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("x"))
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	p.ResetAll()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = c.Read(make([]byte, 1))
	if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) {
		t.Fatalf("read after reset: %v, want a reset", err)
	}
	if p.Stats().Resets == 0 {
		t.Fatal("no reset counted")
	}
}

func TestRefuse(t *testing.T) {
	p := start(t)
	p.Set(Faults{Refuse: true})
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		return // reset during the handshake: refused
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte("x"))
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatalf("read %d bytes through a refusing proxy", n)
	}
}

func TestBlackhole(t *testing.T) {
	p := start(t)
	p.Set(Faults{Blackhole: true})
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("hello"))
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err = c.Read(make([]byte, 1))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read through a blackhole: %v, want a timeout", err)
	}
	// Lifted: traffic flows again on the same connection.
	p.Set(Faults{})
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte("y"))
	b := make([]byte, 1)
	if _, err := io.ReadFull(c, b); err != nil || b[0] != 'y' {
		t.Fatalf("after the blackhole: %q, %v", b, err)
	}
}

// TestBandwidth: 64 KiB at 32 KiB/s takes about two seconds each way;
// the bound checked is the throttle's minimum (a floor, not a timing
// assertion on our speed: a slower machine only takes longer).
func TestBandwidth(t *testing.T) {
	p := start(t)
	p.Set(Faults{BytesPerSecond: 32 << 10})
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	data := make([]byte, 64<<10)
	begin := time.Now()
	go func() { c.Write(data); c.(*net.TCPConn).CloseWrite() }()
	got, err := io.ReadAll(c)
	if err != nil || len(got) != len(data) {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	if d := time.Since(begin); d < 1900*time.Millisecond {
		t.Fatalf("64 KiB through a 32 KiB/s proxy (both ways) in %v: not throttled", d)
	}
}
