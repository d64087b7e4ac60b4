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

// Timeouts for the listeners. A reference server pointed at by
// half-broken clients must not keep a connection for a slow header, body
// or reader forever (docs/reliability.md).
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
)

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
	newServer := func() *http.Server {
		return &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
			MaxHeaderBytes:    maxHeaderBytes,
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
