package faults_test

import (
	"net"
	"sync"
	"testing"
	"time"
)

// proxy forwards a loopback port to a target. Cut closes every connection
// and refuses new ones (a server that is down); Blackhole holds everything
// without forwarding a byte (a network partition: clients wait for their
// timeouts). Restore lets traffic through again.
type proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	mode  string // "", "cut", "blackhole"
	conns map[net.Conn]struct{}
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	go p.accept()
	t.Cleanup(func() { ln.Close(); p.set("cut") })
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) set(mode string) {
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

func (p *proxy) current() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

func (p *proxy) serve(c net.Conn) {
	// A black hole accepts and then says nothing, until restored.
	for i := 0; p.current() == "blackhole" && i < 1200; i++ {
		time.Sleep(50 * time.Millisecond)
	}
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

func (p *proxy) pipe(dst, src net.Conn) {
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
		// Held in a black hole; bounded so that a test's end frees it.
		for i := 0; p.current() == "blackhole" && i < 1200; i++ {
			time.Sleep(50 * time.Millisecond)
		}
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
