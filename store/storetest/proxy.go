package storetest

import (
	"net"
	"sync"
	"testing"
	"time"
)

// Proxy is a TCP proxy on loopback that a test can cut, black-hole and
// restore, to take a backend "down" without stopping the shared server
// behind it. Cut closes every connection and refuses new ones (a server
// that is down); Blackhole holds everything without forwarding a byte (a
// network partition: clients wait for their timeouts); Restore lets
// traffic through again.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	mode  string // "", "cut", "blackhole"
	conns map[net.Conn]struct{}
}

// NewProxy forwards a new loopback port to target until the test ends.
func NewProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	go p.accept()
	tb.Cleanup(func() { ln.Close(); p.Cut() })
	return p
}

// Addr is the proxy's address.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut closes every connection and refuses new ones until Restore.
func (p *Proxy) Cut() { p.set("cut") }

// Blackhole holds every connection, open and new, without forwarding a
// byte, until Restore (each hold is bounded to a minute, so that a test's
// end frees it).
func (p *Proxy) Blackhole() { p.set("blackhole") }

// Restore lets traffic through again.
func (p *Proxy) Restore() { p.set("") }

func (p *Proxy) set(mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = mode
	if mode == "cut" {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

func (p *Proxy) current() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

// hold waits while the proxy is a black hole, at most a minute.
func (p *Proxy) hold() {
	for i := 0; p.current() == "blackhole" && i < 1200; i++ {
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

func (p *Proxy) serve(c net.Conn) {
	p.hold() // a black hole accepts and then says nothing
	if p.current() == "cut" {
		c.Close()
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	go p.pipe(c, up)
	go p.pipe(up, c)
}

func (p *Proxy) pipe(dst, src net.Conn) {
	defer func() {
		dst.Close()
		src.Close()
		p.mu.Lock()
		delete(p.conns, dst)
		delete(p.conns, src)
		p.mu.Unlock()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		p.hold()
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
