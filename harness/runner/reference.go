package runner

import (
	"net/http"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/server"
)

// Reference says how to start the bundled reference server in-process.
type Reference struct {
	// RealClock runs it on the wall clock; by default it runs on a virtual
	// clock that the harness advances, so expiry checks need no waiting.
	RealClock bool
	// Wrap wraps its handler: fault tests inject a broken behaviour here.
	Wrap func(http.Handler) http.Handler
}

// StartReference starts the reference server on loopback, over HTTP and
// HTTPS, and returns it with a harness configuration that trusts its
// freshly generated certificate.
func StartReference(r Reference) (*server.Instance, harness.Config, error) {
	var clk clock.Clock = &clock.Virtual{}
	if r.RealClock {
		clk = clock.Real{}
	}
	srv := server.New(server.Options{Clock: clk, Hosts: harness.VirtualHosts})
	inst, err := server.Start(srv, server.Listen{
		HTTPAddr:  "127.0.0.1:0",
		TLSAddr:   "127.0.0.1:0",
		Wrap:      r.Wrap,
		CertNames: harness.VirtualHosts,
	})
	if err != nil {
		return nil, harness.Config{}, err
	}
	return inst, harness.Config{Target: inst.HTTPURL, Name: "reference", RootCAs: inst.CAPool}, nil
}
