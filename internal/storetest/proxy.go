package storetest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// Proxy is a TCP proxy in front of a store that a test can break in three
// ways and then restore:
//
//   - Close: the port is closed, so connecting is refused;
//   - Drop: every open connection is cut at once, and each new one is cut
//     as soon as its first request has arrived, so the store vanishes in
//     the middle of requests;
//   - Stall: requests are taken and never answered, so only the client's
//     deadlines end them.
//
// Restore makes it forward faithfully again, on the same address.
type Proxy struct {
	t      testing.TB
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	mode  proxyMode
	conns map[net.Conn]bool
	done  bool
}

type proxyMode int

const (
	forward proxyMode = iota
	drop
	stall
)

// NewProxy listens on a free loopback port and forwards to target
// (HOST:PORT) until the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{t: t, target: target, addr: ln.Addr().String(), conns: map[net.Conn]bool{}}
	p.serve(ln)
	t.Cleanup(func() {
		p.mu.Lock()
		p.done = true
		p.mu.Unlock()
		p.Close()
	})
	return p
}

// Addr is the proxy's HOST:PORT.
func (p *Proxy) Addr() string { return p.addr }

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.handle(c)
		}
	}()
}

// track records c as open; it reports false when the proxy is closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		return false
	}
	p.conns[c] = true
	return true
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
		c.Close()
	}
}

func (p *Proxy) currentMode() proxyMode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

func (p *Proxy) handle(client net.Conn) {
	if !p.track(client) {
		client.Close()
		return
	}
	switch p.currentMode() {
	case drop:
		// Take the first bytes of the request, then hang up.
		client.SetReadDeadline(time.Now().Add(5 * time.Second))
		client.Read(make([]byte, 1))
		p.untrack(client)
		return
	case stall:
		io.Copy(io.Discard, client) // until the client gives up, or Restore
		p.untrack(client)
		return
	}
	server, err := net.DialTimeout("tcp", p.target, 2*time.Second)
	if err != nil {
		p.untrack(client)
		return
	}
	if !p.track(server) {
		p.untrack(client, server)
		return
	}
	var wg sync.WaitGroup
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		io.Copy(dst, src)
		p.untrack(dst, src)
	}
	wg.Add(2)
	go pipe(server, client)
	go pipe(client, server)
	wg.Wait()
}

// cutAll closes every open connection.
func (p *Proxy) cutAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// Close closes the port and every connection through it: connecting is
// refused until Restore.
func (p *Proxy) Close() {
	p.mu.Lock()
	ln := p.ln
	p.ln = nil
	p.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	p.cutAll()
}

// Drop cuts every open connection, and every new one once its request
// starts to arrive, until Restore.
func (p *Proxy) Drop() {
	p.setMode(drop)
	p.cutAll()
}

// Stall cuts every open connection and leaves every new request without an
// answer, until Restore.
func (p *Proxy) Stall() {
	p.setMode(stall)
	p.cutAll()
}

func (p *Proxy) setMode(m proxyMode) {
	p.mu.Lock()
	p.mode = m
	p.mu.Unlock()
}

// Restore forwards faithfully again, reopening the port if Close closed it.
// Connections opened while the proxy was broken are cut.
func (p *Proxy) Restore() {
	p.t.Helper()
	p.setMode(forward)
	p.cutAll()
	p.mu.Lock()
	closed, done := p.ln == nil, p.done
	p.mu.Unlock()
	if !closed || done {
		return
	}
	var ln net.Listener
	var err error
	for range 50 { // the port may linger a moment after Close
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("reopening the proxy on %s: %v", p.addr, err)
	}
	p.serve(ln)
}
