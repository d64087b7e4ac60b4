package httpcache

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/syntax/etag"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// The current representation in every precondition case unless a case says
// otherwise: strong entity-tag "v2", last modified at lm.
var (
	lm      = time.Date(2026, time.February, 1, 10, 0, 0, 0, time.UTC)
	lmField = httpdate.Format(lm)
	before  = httpdate.Format(lm.Add(-time.Hour))
	after   = httpdate.Format(lm.Add(time.Hour))
	future  = httpdate.Format(tNow.Add(time.Hour))
)

func current() Validators {
	return Validators{Exists: true, ETag: &etag.Tag{Opaque: "v2"}, LastModified: lm}
}

func weakCurrent() Validators {
	return Validators{Exists: true, ETag: &etag.Tag{Weak: true, Opaque: "v2"}, LastModified: lm}
}

// preconditionTests evaluate one request each against a fresh Validators
// (current() unless v is set); the clock reads tNow. header holds request
// field lines.
var preconditionTests = []struct {
	name   string
	method string
	header []string
	v      *Validators
	want   Outcome
}{
	{"13.2.2 no preconditions", "GET", nil, nil, Proceed},

	// Step 1: If-Match, strong comparison.
	{"13.2.2 step 1: If-Match matching tag proceeds", "PUT", []string{`If-Match: "v2"`}, nil, Proceed},
	{"13.2.2 step 1: If-Match in a list proceeds", "PUT", []string{`If-Match: "v1", "v2"`}, nil, Proceed},
	{"13.2.2 step 1: If-Match across field lines proceeds", "PUT", []string{`If-Match: "v1"`, `If-Match: "v2"`}, nil, Proceed},
	{"13.2.2 step 1: If-Match other tag fails", "PUT", []string{`If-Match: "v1"`}, nil, PreconditionFailed},
	{"13.2.2 step 1: If-Match weak request tag fails strong comparison", "PUT", []string{`If-Match: W/"v2"`}, nil, PreconditionFailed},
	{"13.2.2 step 1: If-Match against weak current tag fails", "PUT", []string{`If-Match: "v2"`}, ptr(weakCurrent()), PreconditionFailed},
	{"13.2.2 step 1: If-Match * with a representation proceeds", "PUT", []string{`If-Match: *`}, nil, Proceed},
	{"13.2.2 step 1: If-Match * without a representation fails", "PUT", []string{`If-Match: *`}, &Validators{}, PreconditionFailed},
	{"13.2.2 step 1: If-Match tag without a representation fails", "PUT", []string{`If-Match: "v2"`}, &Validators{}, PreconditionFailed},
	{"13.2.2 step 1: If-Match tag when the representation has none fails", "PUT", []string{`If-Match: "v2"`}, &Validators{Exists: true}, PreconditionFailed},
	{"13.2.2 step 1: If-Match malformed is false", "PUT", []string{`If-Match: v2`}, nil, PreconditionFailed},
	{"13.2.2 step 1: If-Match empty list is false", "PUT", []string{`If-Match: `}, nil, PreconditionFailed},
	{"13.2.2 step 1: If-Match applies to GET too", "GET", []string{`If-Match: "v1"`}, nil, PreconditionFailed},
	{"13.2.2 step 1: If-Match wins over If-Unmodified-Since", "PUT", []string{`If-Match: "v2"`, "If-Unmodified-Since: " + before}, nil, Proceed},
	{"13.2.2 step 1: failed If-Match is not rescued by If-Unmodified-Since", "PUT", []string{`If-Match: "v1"`, "If-Unmodified-Since: " + after}, nil, PreconditionFailed},

	// Step 2: If-Unmodified-Since, only without If-Match.
	{"13.2.2 step 2: If-Unmodified-Since equal proceeds", "PUT", []string{"If-Unmodified-Since: " + lmField}, nil, Proceed},
	{"13.2.2 step 2: If-Unmodified-Since later proceeds", "PUT", []string{"If-Unmodified-Since: " + after}, nil, Proceed},
	{"13.2.2 step 2: If-Unmodified-Since earlier fails", "DELETE", []string{"If-Unmodified-Since: " + before}, nil, PreconditionFailed},
	{"13.2.2 step 2: If-Unmodified-Since compares whole seconds", "PUT", []string{"If-Unmodified-Since: " + lmField},
		&Validators{Exists: true, LastModified: lm.Add(999 * time.Millisecond)}, Proceed},
	{"13.2.2 step 2: If-Unmodified-Since invalid date ignored", "PUT", []string{"If-Unmodified-Since: yesterday"}, nil, Proceed},
	{"13.2.2 step 2: If-Unmodified-Since lower-case date ignored", "PUT", []string{"If-Unmodified-Since: " + strings.ToLower(before)}, nil, Proceed},
	{"13.2.2 step 2: If-Unmodified-Since list of dates ignored", "PUT", []string{"If-Unmodified-Since: " + before, "If-Unmodified-Since: " + before}, nil, Proceed},
	{"13.2.2 step 2: If-Unmodified-Since without a modification date fails", "PUT", []string{"If-Unmodified-Since: " + after},
		&Validators{Exists: true}, PreconditionFailed},

	// Step 3: If-None-Match, weak comparison.
	{"13.2.2 step 3: If-None-Match matching tag on GET is 304", "GET", []string{`If-None-Match: "v2"`}, nil, NotModified},
	{"13.2.2 step 3: If-None-Match matching tag on HEAD is 304", "HEAD", []string{`If-None-Match: "v2"`}, nil, NotModified},
	{"13.2.2 step 3: If-None-Match matching tag on PUT is 412", "PUT", []string{`If-None-Match: "v2"`}, nil, PreconditionFailed},
	{"13.2.2 step 3: If-None-Match weak comparison matches W/ tag", "GET", []string{`If-None-Match: W/"v2"`}, nil, NotModified},
	{"13.2.2 step 3: If-None-Match weak comparison against weak current tag", "GET", []string{`If-None-Match: "v2"`}, ptr(weakCurrent()), NotModified},
	{"13.2.2 step 3: If-None-Match in a list", "GET", []string{`If-None-Match: "v0", "v1", "v2"`}, nil, NotModified},
	{"13.2.2 step 3: If-None-Match other tags proceed", "GET", []string{`If-None-Match: "v0", "v1"`}, nil, Proceed},
	{"13.2.2 step 3: If-None-Match * with a representation on GET is 304", "GET", []string{`If-None-Match: *`}, nil, NotModified},
	{"13.2.2 step 3: If-None-Match * with a representation on PUT is 412", "PUT", []string{`If-None-Match: *`}, nil, PreconditionFailed},
	{"13.2.2 step 3: If-None-Match * without a representation proceeds", "PUT", []string{`If-None-Match: *`}, &Validators{}, Proceed},
	{"13.2.2 step 3: If-None-Match malformed is true", "GET", []string{`If-None-Match: v2`}, nil, Proceed},
	{"13.2.2 step 3: If-None-Match on POST is 412", "POST", []string{`If-None-Match: "v2"`}, nil, PreconditionFailed},
	{"13.2.2 step 3: If-None-Match wins over If-Modified-Since", "GET", []string{`If-None-Match: "v1"`, "If-Modified-Since: " + after}, nil, Proceed},
	{"13.2.2 step 3: If-None-Match match with an old If-Modified-Since is 304", "GET", []string{`If-None-Match: "v2"`, "If-Modified-Since: " + before}, nil, NotModified},
	{"13.2.2 step 3: passed If-Match then failed If-None-Match", "GET", []string{`If-Match: "v2"`, `If-None-Match: "v2"`}, nil, NotModified},
	{"13.2.2 step 3: If-None-Match * after passed If-Unmodified-Since", "PUT", []string{`If-None-Match: *`, "If-Unmodified-Since: " + after}, nil, PreconditionFailed},

	// Step 4: If-Modified-Since, GET and HEAD only, without If-None-Match.
	{"13.2.2 step 4: If-Modified-Since equal is 304", "GET", []string{"If-Modified-Since: " + lmField}, nil, NotModified},
	{"13.2.2 step 4: If-Modified-Since later is 304", "HEAD", []string{"If-Modified-Since: " + after}, nil, NotModified},
	{"13.2.2 step 4: If-Modified-Since earlier proceeds", "GET", []string{"If-Modified-Since: " + before}, nil, Proceed},
	{"13.2.2 step 4: If-Modified-Since compares whole seconds", "GET", []string{"If-Modified-Since: " + lmField},
		&Validators{Exists: true, LastModified: lm.Add(500 * time.Millisecond)}, NotModified},
	{"13.2.2 step 4: If-Modified-Since ignored on PUT", "PUT", []string{"If-Modified-Since: " + after}, nil, Proceed},
	{"13.2.2 step 4: If-Modified-Since ignored on POST", "POST", []string{"If-Modified-Since: " + after}, nil, Proceed},
	{"13.2.2 step 4: If-Modified-Since invalid date ignored", "GET", []string{"If-Modified-Since: not a date"}, nil, Proceed},
	{"13.2.2 step 4: If-Modified-Since with more than one member ignored", "GET", []string{"If-Modified-Since: " + after, "If-Modified-Since: " + after}, nil, Proceed},
	{"13.2.2 step 4: If-Modified-Since later than now ignored", "GET", []string{"If-Modified-Since: " + future}, nil, Proceed},
	{"13.2.2 step 4: If-Modified-Since obsolete RFC 850 date", "GET", []string{"If-Modified-Since: Monday, 02-Feb-26 10:00:00 GMT"}, nil, NotModified},
	{"13.2.2 step 4: If-Modified-Since asctime date", "GET", []string{"If-Modified-Since: Mon Feb  2 10:00:00 2026"}, nil, NotModified},
	{"13.2.2 step 4: If-Modified-Since without a modification date proceeds", "GET", []string{"If-Modified-Since: " + after},
		&Validators{Exists: true}, Proceed},

	// RFC 9110 §13.2.1: methods that do not select or modify a
	// representation ignore preconditions.
	{"13.2.1 OPTIONS ignores preconditions", "OPTIONS", []string{`If-Match: "nope"`}, nil, Proceed},
	{"13.2.1 TRACE ignores preconditions", "TRACE", []string{`If-None-Match: *`}, nil, Proceed},
	{"13.2.1 CONNECT ignores preconditions", "CONNECT", []string{`If-Match: "nope"`}, nil, Proceed},

	// Step 5 (If-Range) is out of scope.
	{"13.2.2 step 5: If-Range is not evaluated", "GET", []string{`If-Range: "v1"`, "Range: bytes=0-1"}, nil, Proceed},
}

func ptr[T any](v T) *T { return &v }

func TestEvaluatePreconditions(t *testing.T) {
	for _, tt := range preconditionTests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, line := range tt.header {
				name, value, _ := strings.Cut(line, ":")
				h.Add(name, strings.TrimSpace(value))
			}
			v := current()
			if tt.v != nil {
				v = *tt.v
			}
			if got := EvaluatePreconditions(tt.method, h, v, tNow); got != tt.want {
				t.Errorf("%s %q: got %v, want %v", tt.method, tt.header, got, tt.want)
			}
		})
	}
}

func TestOutcome(t *testing.T) {
	for o, want := range map[Outcome]string{Proceed: "proceed 0", NotModified: "304 Not Modified 304", PreconditionFailed: "412 Precondition Failed 412"} {
		if got := o.String() + " " + strconv.Itoa(o.StatusCode()); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if got := Outcome(7).String(); got != "Outcome(7)" {
		t.Errorf("Outcome(7).String() = %q", got)
	}
}
