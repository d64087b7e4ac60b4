package proxy

import (
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// viaMember is the start of a Via field value: received-protocol (a
// version, optionally after a protocol name) and received-by (RFC 9110
// §7.6.3).
var viaMember = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z0-9+.-]*/)?[0-9]+(\.[0-9]+)?[ \t]+[^ \t,]+`)

// reqConnection is RFC 9110 §7.6.1's rule on Connection, quoted by the
// checks on both directions.
const reqConnection = `"Intermediaries MUST parse a received Connection header field before a message is forwarded and, for each connection-option in this field, remove any header or trailer field(s) from the message with the same name as the connection-option, and then remove the Connection header field itself (or replace it with the intermediary's own control options for the forwarded message)." (RFC 9110 §7.6.1)`

// Forwarding, RFC 9110 §6.6.1 and §7.6.
var (
	connectionResponse = suite.Must("forwarding/connection-response", "fields a response's Connection names are removed, fresh and from storage", "RFC9110 7.6.1").Quoting(reqConnection)
	connectionRequest  = suite.Must("forwarding/connection-request", "fields a request's Connection names do not reach the origin", "RFC9110 7.6.1").Quoting(reqConnection)
	dateAdded          = suite.Must("forwarding/date-added", "a response the origin sent without Date is forwarded and served with one", "RFC9110 6.6.1").
				Quoting(`"A recipient with a clock that receives a response message without a Date header field MUST record the time it was received and append a corresponding Date header field to the message's header section if it is cached or forwarded downstream." (RFC 9110 §6.6.1)`)
	viaRequest = suite.Must("forwarding/via-request", "requests reach the origin with a Via naming the cache", "RFC9110 7.6.3").
			Quoting(`"A proxy MUST send an appropriate Via header field, as described below, in each message that it forwards. An HTTP-to-HTTP gateway MUST send an appropriate Via header field in each inbound request message and MAY send a Via header field in forwarded response messages." (RFC 9110 §7.6.3)`)
)

// forwardingSpecs: what an intermediary owes the messages it forwards,
// RFC 9110 §6.6.1 and §7.6.
func forwardingSpecs() {
	Describe("forwarding messages (RFC 9110 6.6.1, 7.6)", func() {
		connectionResponse.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600", "Connection: HC-Hop", "HC-Hop: for-the-next-hop-only", "HC-End-To-End: kept"))
			for _, resp := range []*harness.Response{r.get("a response whose Connection names HC-Hop"), r.get("the same again")} {
				Expect(resp.Header.Get("HC-Hop") == "").To(verify.Hold(), "expected HC-Hop (named by the origin's Connection) removed, observed HC-Hop: %q forwarded", resp.Header.Get("HC-Hop"))
			}
		})
		connectionRequest.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: no-store"))
			r.get("a request whose Connection names HC-Hop", "Connection", "HC-Hop", "HC-Hop", "for-the-cache-only")
			hits := r.hits()
			Expect(len(hits) == 1).To(verify.Hold(), "expected the request to reach the origin once, observed %s", times(len(hits)))
			v, ok := hits[0].Value("HC-Hop")
			Expect(!ok).To(verify.Hold(), "expected HC-Hop (named by the request's Connection) removed before the origin, observed HC-Hop: %q at the origin", v)
		})
		dateAdded.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: max-age=600", "Date:"))
			for _, resp := range []*harness.Response{r.get("a response the origin sends without Date"), r.get("the same again")} {
				_, ok := httpdate.Parse(resp.Header.Get("Date"))
				Expect(ok).To(verify.Hold(), "expected the cache to add a Date to a response the origin sent without one, observed Date: %q", resp.Header.Get("Date"))
			}
		})
		viaRequest.It(func(e *harness.Env) {
			r := newResource(e, respond("v1", "Cache-Control: no-store"))
			r.get("a request forwarded to the origin")
			hits := r.hits()
			Expect(len(hits) == 1).To(verify.Hold(), "expected the request to reach the origin once, observed %s", times(len(hits)))
			via, _ := hits[0].Value("Via")
			Expect(strings.TrimSpace(via) != "").To(verify.Hold(), "expected the request to reach the origin with a Via header field, observed none")
			Expect(viaMember.MatchString(via)).To(verify.Hold(), "expected Via members of the form received-protocol received-by (\"1.1 cache\"), observed %q", via)
		})
	})
}
