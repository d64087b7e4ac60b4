package rules

// Rules on validators and the 304 that answers them: RFC 9110 §8.8 and
// §15.4.5.

import (
	"fmt"
	"net/http"

	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// NotModifiedFields are the fields a 304 must repeat when the 200 would
// have carried them (RFC 9110 §15.4.5), besides Date (NotModifiedDate).
var NotModifiedFields = []string{"ETag", "Cache-Control", "Expires", "Vary", "Content-Location"}

// NotModifiedRepeats grades a 304 against the 200 it stands for: it carries
// field when the 200 did (RFC 9110 §15.4.5), with the same value, except
// for Expires, whose time moves on and where presence is the rule. When the
// 200 lacks the field there is nothing to repeat.
func NotModifiedRepeats(field string, h200, h304 http.Header) string {
	want := h200.Get(field)
	if want == "" {
		return ""
	}
	got := h304.Get(field)
	switch {
	case got == "":
		return fmt.Sprintf("expected the 304 to carry %s (the 200 had %q), observed none", field, want)
	case field == "Expires" || field == "Date":
		return "" // times move on; presence is the rule
	case got != want:
		return fmt.Sprintf("expected the 304's %s to be the 200's %q, observed %q", field, want, got)
	}
	return ""
}

// NotModifiedDate grades a 304: it carries a Date, as every response of an
// origin server with a clock does (RFC 9110 §15.4.5, §6.6.1).
func NotModifiedDate(h304 http.Header) string {
	if _, ok := httpdate.Parse(h304.Get("Date")); !ok {
		return fmt.Sprintf("expected the 304 to carry a Date, observed %q", h304.Get("Date"))
	}
	return ""
}

// NotModifiedNoContent grades the bytes a target sent after the header
// section of a 304, on a connection it then closed: none, since a 304
// "cannot contain content" (RFC 9110 §15.4.5).
func NotModifiedNoContent(after []byte) string {
	if len(after) > 0 {
		return fmt.Sprintf("expected a 304 without content, observed %d bytes after the header section: %.80q", len(after), after)
	}
	return ""
}

// ETagStable grades the ETags of two responses with the same
// representation: the same tag (RFC 9110 §8.8.3).
func ETagStable(before, after string) string {
	if after != before {
		return fmt.Sprintf("expected the same ETag for an unchanged representation, observed %q then %q", before, after)
	}
	return ""
}

// ETagChanged grades the ETags of two responses whose representations
// differ: a new tag, or caches would take one for the other (RFC 9110
// §8.8.3).
func ETagChanged(before, after string) string {
	if after == "" || after == before {
		return fmt.Sprintf("expected a new ETag after the content changed, observed %q before and %q after", before, after)
	}
	return ""
}

// HeadCarriesValidators grades a HEAD response against the GET's: the same
// ETag and Last-Modified (RFC 9110 §9.3.2: HEAD sends the header fields GET
// would).
func HeadCarriesValidators(get, head http.Header) string {
	for _, f := range []string{"ETag", "Last-Modified"} {
		if head.Get(f) != get.Get(f) {
			return fmt.Sprintf("expected HEAD's %s to be GET's %q, observed %q", f, get.Get(f), head.Get(f))
		}
	}
	return ""
}

// LastModifiedNotFuture grades a response: Last-Modified not later than
// its Date (RFC 9110 §8.8.2.1: an origin server with a clock MUST NOT send
// a Last-Modified later than the message's origination).
func LastModifiedNotFuture(h http.Header) string {
	date, ok := httpdate.Parse(h.Get("Date"))
	if !ok {
		return fmt.Sprintf("expected a Date on the 200, observed %q", h.Get("Date"))
	}
	lm, ok := httpdate.Parse(h.Get("Last-Modified"))
	if !ok {
		return fmt.Sprintf("expected a Last-Modified HTTP-date, observed %q", h.Get("Last-Modified"))
	}
	if lm.After(date) {
		return fmt.Sprintf("expected Last-Modified (%s) not later than Date (%s)", h.Get("Last-Modified"), h.Get("Date"))
	}
	return ""
}
