package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"time"
)

// Listen says where an Instance listens and how its handler is wrapped.
type Listen struct {
	HTTPAddr string // "127.0.0.1:0" picks a free port; "" serves no plain HTTP
	TLSAddr  string // "" serves no HTTPS
	// Wrap, when set, wraps the server's handler: tests use it to inject
	// faults and make a deliberately broken variant of the reference.
	Wrap func(http.Handler) http.Handler
	// CertNames are the DNS names of the generated certificate.
	CertNames []string
	// Limits bound what one connection may hold of the server; a zero
	// field takes its value from DefaultLimits.
	Limits Limits
	// ErrorLog receives what net/http logs (a handler's panic, a failed
	// TLS handshake); nil is the standard logger.
	ErrorLog *log.Logger
}

// Limits are the timeouts and size limits of the listeners. A reference
// server pointed at by half-broken clients must not keep a connection for
// a slow header, body or reader forever, nor read an unbounded header
// (docs/reliability.md). Request bodies are bounded by the handler
// (MaxBodyBytes), since only it knows a body is being read.
type Limits struct {
	// ReadHeaderTimeout bounds the request line and header section, from
	// the first byte of the request; a connection that has not sent them
	// in time is closed without an answer.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds the whole request, body included; a handler
	// reading a body that is still arriving then answers 408.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of the request header to
	// the end of the response: a client that does not read its answer
	// loses the connection. It is longer than ReadTimeout, so that the
	// 408 for a slow body can still be written.
	WriteTimeout time.Duration
	// IdleTimeout closes a kept-alive connection that sends no new
	// request.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request line and header section; more
	// gets 431 (net/http allows 4096 bytes of slack).
	MaxHeaderBytes int
}

// DefaultLimits are the limits `httpcheck serve` and the in-process
// reference listen with.
func DefaultLimits() Limits {
	return Limits{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      45 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// orDefault fills the zero fields of l from DefaultLimits.
func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	pick := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	l.ReadHeaderTimeout = pick(l.ReadHeaderTimeout, d.ReadHeaderTimeout)
	l.ReadTimeout = pick(l.ReadTimeout, d.ReadTimeout)
	l.WriteTimeout = pick(l.WriteTimeout, d.WriteTimeout)
	l.IdleTimeout = pick(l.IdleTimeout, d.IdleTimeout)
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = d.MaxHeaderBytes
	}
	return l
}

// Instance is a running reference server.
type Instance struct {
	Server   *Server
	HTTPURL  string // base URL over http, "" when not served
	HTTPSURL string // base URL over https, "" when not served
	// CAPool trusts the generated certificate; CAPEM is the same in PEM
	// for `--ca`.
	CAPool *x509.CertPool
	CAPEM  []byte

	servers []*http.Server
	errs    chan error
	onClose []func()
}

// OnClose registers f to run after the listeners stop: closing the stores
// the server used.
func (inst *Instance) OnClose(f func()) { inst.onClose = append(inst.onClose, f) }

// Start listens on the addresses in l and serves s until Close.
func Start(s *Server, l Listen) (*Instance, error) {
	if l.HTTPAddr == "" && l.TLSAddr == "" {
		return nil, errors.New("nothing to listen on: give an HTTP or a TLS address")
	}
	inst := &Instance{Server: s, errs: make(chan error, 2)}
	var handler http.Handler = s
	if l.Wrap != nil {
		handler = l.Wrap(handler)
	}
	limits := l.Limits.orDefault()
	newServer := func() *http.Server {
		return &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: limits.ReadHeaderTimeout,
			ReadTimeout:       limits.ReadTimeout,
			WriteTimeout:      limits.WriteTimeout,
			IdleTimeout:       limits.IdleTimeout,
			MaxHeaderBytes:    limits.MaxHeaderBytes,
			ErrorLog:          l.ErrorLog,
		}
	}
	if l.HTTPAddr != "" {
		ln, err := net.Listen("tcp", l.HTTPAddr)
		if err != nil {
			return nil, fmt.Errorf("listening on %s: %w", l.HTTPAddr, err)
		}
		inst.HTTPURL = "http://" + ln.Addr().String() + "/"
		s.SetURL("http", inst.HTTPURL)
		srv := newServer()
		inst.servers = append(inst.servers, srv)
		go func() { inst.errs <- ignoreClosed(srv.Serve(ln)) }()
	}
	if l.TLSAddr != "" {
		cert, pemBytes, err := selfSigned(l.CertNames)
		if err != nil {
			inst.Close()
			return nil, err
		}
		inst.CAPEM = pemBytes
		inst.CAPool = x509.NewCertPool()
		inst.CAPool.AppendCertsFromPEM(pemBytes)
		ln, err := net.Listen("tcp", l.TLSAddr)
		if err != nil {
			inst.Close()
			return nil, fmt.Errorf("listening on %s: %w", l.TLSAddr, err)
		}
		inst.HTTPSURL = "https://" + ln.Addr().String() + "/"
		s.SetURL("https", inst.HTTPSURL)
		srv := newServer()
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		inst.servers = append(inst.servers, srv)
		go func() { inst.errs <- ignoreClosed(srv.ServeTLS(ln, "", "")) }()
	}
	return inst, nil
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Err returns the first error a listener stopped with, when one did.
func (inst *Instance) Err() <-chan error { return inst.errs }

// Close stops the listeners, waiting up to five seconds for requests in
// flight.
func (inst *Instance) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range inst.servers {
		errs = append(errs, srv.Shutdown(ctx))
	}
	for _, f := range inst.onClose {
		f()
	}
	inst.onClose = nil
	return errors.Join(errs...)
}

// selfSigned makes a certificate for loopback and names, valid for a year,
// that is its own root: the harness trusts exactly it and nothing else.
func selfSigned(names []string) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "httpcheck reference server", Organization: []string{"httpcheck"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              append([]string{"localhost"}, names...),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemBytes, nil
}
