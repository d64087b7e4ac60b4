package faulttest

import (
	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/reference/embedded"
	"github.com/httpcheck/httpcheck/reference/server"
)

// StartReference starts the reference server as ref says (on loopback,
// over HTTP and HTTPS, answering the harness's virtual hosts) and returns
// it with a harness configuration that trusts its generated certificate.
func StartReference(ref embedded.Options) (*server.Instance, harness.Config, error) {
	ref.HTTPAddr, ref.TLSAddr, ref.Hosts = "127.0.0.1:0", "127.0.0.1:0", harness.VirtualHosts
	inst, err := embedded.Start(ref)
	if err != nil {
		return nil, harness.Config{}, err
	}
	return inst, harness.Config{Target: inst.HTTPURL, Name: "reference", RootCAs: inst.CAPool}, nil
}
