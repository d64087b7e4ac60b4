package proxy

// Interim responses: RFC 9110 §15.2. "A proxy MUST forward 1xx responses
// unless the proxy itself requested the generation of the 1xx response."
// The origin's 103 (Early Hints) and 100 (Continue) reach the client as
// they arrive, before the final response; the proxy never asks for a 1xx
// itself (it adds no Expect), and the requests its cache makes on its own
// behalf (background revalidations) carry no hooks (reference/httpcache).

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"sync"
)

// interimForwarder writes the 1xx responses the origin sends for one
// client request to that client, until the final response is under way.
type interimForwarder struct {
	mu sync.Mutex
	w  http.ResponseWriter
	// done is set once the final response is being written: a 1xx after
	// that has no client to go to.
	done bool
	// continued records a 100 already forwarded from Got100Continue,
	// whose Got1xxResponse must not send it twice.
	continued bool
	// http10 marks a client that cannot receive one: "a server MUST NOT
	// send a 1xx response to an HTTP/1.0 client" (RFC 9110 §15.2).
	http10 bool
}

func newInterimForwarder(w http.ResponseWriter, r *http.Request) *interimForwarder {
	return &interimForwarder{w: w, http10: !r.ProtoAtLeast(1, 1)}
}

// attach returns ctx with the hooks that see the origin's 1xx responses.
func (f *interimForwarder) attach(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		// The transport calls Got100Continue before it sends the request
		// content: forwarding the 100 there lets the client start sending
		// it, and keeps net/http from sending a 100 of its own when the
		// content is read.
		Got100Continue: func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.continued = f.write(http.StatusContinue, nil)
		},
		Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			if code == http.StatusContinue && f.continued {
				f.continued = false
				return nil
			}
			f.write(code, http.Header(h))
			return nil
		},
	})
}

// write sends one 1xx with the origin's fields, less the hop-by-hop ones;
// f.mu is held. net/http writes the handler's header map with a 1xx and
// keeps it, so the fields are removed again before the final response.
func (f *interimForwarder) write(code int, h http.Header) bool {
	if f.done || f.http10 {
		return false
	}
	out := f.w.Header()
	fields := h.Clone()
	removeHopByHop(fields)
	for k, vs := range fields {
		out[k] = vs
	}
	f.w.WriteHeader(code)
	for k := range fields {
		delete(out, k)
	}
	return true
}

// stop ends forwarding: the final response follows.
func (f *interimForwarder) stop() {
	f.mu.Lock()
	f.done = true
	f.mu.Unlock()
}
