package origin

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/reference/httpcache"
	"github.com/httpcheck/httpcheck/syntax/etag"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// Response is one scripted answer. The zero value is an empty 200 with a
// Date.
type Response struct {
	// Status is the status code; 0 means 200.
	Status int `json:"status,omitempty"`
	// Header lists the header fields in order, name and value. A value may
	// hold date placeholders, replaced when the response is sent: {date}
	// is the origin's clock as an HTTP-date, {date+N} and {date-N} are N
	// seconds later or earlier. A Date is added unless one is listed; a
	// Date listed with an empty value sends none.
	Header [][2]string `json:"header,omitempty"`
	Body   string      `json:"body,omitempty"`
	// DelayMillis holds the answer back (at most MaxDelay).
	DelayMillis int `json:"delay_ms,omitempty"`
	// IgnorePreconditions answers in full whatever the request's
	// preconditions say. By default the origin evaluates them against
	// this response's ETag and Last-Modified (RFC 9110 §13.2.2), as a
	// real origin would: a cache that validates gets a 304, one that
	// refetches gets the 200.
	IgnorePreconditions bool `json:"ignore_preconditions,omitempty"`
	// Truncate sends the header section with the full Content-Length, then
	// half the content, then closes the connection: an incomplete response
	// (RFC 9111 §3.3).
	Truncate bool `json:"truncate,omitempty"`
	// Reset closes the connection without answering: the origin is
	// unreachable for this request. Interim responses go out first.
	Reset bool `json:"reset,omitempty"`
	// Interim lists informational responses sent, in order, before the
	// final one and before DelayMillis: a 103 (Early Hints) with its Link
	// fields, a 100 (Continue). A proxy must forward them (RFC 9110
	// §15.2). Scripts without it send none, as before.
	Interim []Interim `json:"interim,omitempty"`
}

// Interim is one scripted 1xx response.
type Interim struct {
	// Status is 100 or 102 to 199, except 101 (Switching Protocols),
	// which would end the exchange.
	Status int `json:"status"`
	// Header lists its header fields, with Response.Header's placeholders.
	Header [][2]string `json:"header,omitempty"`
}

// MaxDelay caps DelayMillis.
const MaxDelay = 10 * time.Second

// Validate reports what is wrong with a script.
func Validate(rs []Response) error {
	if len(rs) == 0 {
		return fmt.Errorf("a script needs at least one response")
	}
	for i, r := range rs {
		if r.Status != 0 && (r.Status < 100 || r.Status > 999) {
			return fmt.Errorf("response %d: status %d is not three digits", i, r.Status)
		}
		if r.DelayMillis < 0 || time.Duration(r.DelayMillis)*time.Millisecond > MaxDelay {
			return fmt.Errorf("response %d: delay %d ms is outside 0..%s", i, r.DelayMillis, MaxDelay)
		}
		if err := validateFields(r.Header); err != nil {
			return fmt.Errorf("response %d: %v", i, err)
		}
		for j, in := range r.Interim {
			if in.Status < 100 || in.Status > 199 || in.Status == http.StatusSwitchingProtocols {
				return fmt.Errorf("response %d: interim %d: status %d is not a 1xx other than 101", i, j, in.Status)
			}
			if err := validateFields(in.Header); err != nil {
				return fmt.Errorf("response %d: interim %d: %v", i, j, err)
			}
		}
	}
	return nil
}

// validateFields reports a field that could not be sent as one line.
func validateFields(fields [][2]string) error {
	for _, f := range fields {
		if f[0] == "" || strings.ContainsAny(f[0], " :\r\n") || strings.ContainsAny(f[1], "\r\n") {
			return fmt.Errorf("field %q: %q is not a field line", f[0], f[1])
		}
	}
	return nil
}

var placeholder = regexp.MustCompile(`\{date(?:([+-])(\d+))?\}`)

// expand replaces the date placeholders in v.
func expand(v string, now time.Time) string {
	return placeholder.ReplaceAllStringFunc(v, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		t := now
		if sub[2] != "" {
			n, _ := strconv.Atoi(sub[2])
			d := time.Duration(n) * time.Second
			if sub[1] == "-" {
				d = -d
			}
			t = now.Add(d)
		}
		return httpdate.Format(t)
	})
}

// header is the response's header section at now.
func (r Response) header(now time.Time) http.Header {
	h := http.Header{}
	date := true
	for _, f := range r.Header {
		name := http.CanonicalHeaderKey(f[0])
		if name == "Date" {
			date = false
			if f[1] == "" {
				h["Date"] = nil // net/http sends none
				continue
			}
		}
		h[name] = append(h[name], expand(f[1], now))
	}
	if date {
		h.Set("Date", httpdate.Format(now))
	}
	return h
}

func (r Response) status() int {
	if r.Status == 0 {
		return http.StatusOK
	}
	return r.Status
}

// outcome evaluates the request's preconditions against the response the
// origin is about to send, as its origin server (RFC 9110 §13.2.1: only
// when the response would be a 2xx).
func (r Response) outcome(req *http.Request, h http.Header, now time.Time) httpcache.Outcome {
	if r.IgnorePreconditions || r.status()/100 != 2 {
		return httpcache.Proceed
	}
	v := httpcache.Validators{Exists: true}
	if t, ok := etag.Parse(h.Get("ETag")); ok {
		v.ETag = &t
	}
	if lm, ok := httpdate.Parse(h.Get("Last-Modified")); ok {
		v.LastModified = lm
	}
	return httpcache.EvaluatePreconditions(req.Method, req.Header, v, now)
}

// contentFields are left out of a 304 (RFC 9110 §15.4.5: it "cannot
// contain content").
var contentFields = []string{"Content-Length", "Content-Type", "Content-Encoding", "Content-Range", "Transfer-Encoding"}
