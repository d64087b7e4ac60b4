package harness

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/httpcheck/httpcheck/reports"
)

// excerptLen is how much of a body the evidence keeps.
const excerptLen = 2048

// observer sees every exchange any browser records (ObserveExchanges).
var observer atomic.Pointer[func(*reports.Exchange)]

// ObserveExchanges has f called with every exchange any browser records,
// as it is recorded, until it is called again (nil: none). The runner
// uses it so that its redactor learns every session value the target
// issues, including those of exchanges no check keeps as evidence.
func ObserveExchanges(f func(*reports.Exchange)) {
	if f == nil {
		observer.Store(nil)
		return
	}
	observer.Store(&f)
}

// recorder keeps every exchange of one browser, as evidence.
type recorder struct {
	mu  sync.Mutex
	log []*reports.Exchange
}

func (r *recorder) record(req *http.Request, reqBody []byte, resp *http.Response, body []byte, err error, sent time.Time, note string) *reports.Exchange {
	ex := &reports.Exchange{
		Method:         req.Method,
		URL:            req.URL.String(),
		RequestHeaders: headerPairs(req.Header),
		RequestBody:    excerpt(reqBody),
		Note:           note,
		Sent:           sent,
		Received:       time.Now(),
		Source:         "network",
	}
	if req.Host != "" {
		ex.RequestHeaders = append([][2]string{{"Host", req.Host}}, ex.RequestHeaders...)
	} else {
		ex.RequestHeaders = append([][2]string{{"Host", req.URL.Host}}, ex.RequestHeaders...)
	}
	if resp != nil {
		ex.Status = resp.StatusCode
		ex.ResponseHeaders = headerPairs(resp.Header)
		ex.BodyExcerpt = excerpt(body)
	}
	if err != nil {
		ex.Error = err.Error()
	}
	r.mu.Lock()
	r.log = append(r.log, ex)
	r.mu.Unlock()
	if f := observer.Load(); f != nil {
		(*f)(ex)
	}
	return ex
}

// last returns the most recent exchange, for annotating it.
func (r *recorder) last() *reports.Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.log) == 0 {
		return &reports.Exchange{}
	}
	return r.log[len(r.log)-1]
}

// mark is where the log ends now; since(mark) lists what came after.
func (r *recorder) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.log)
}

// since returns the exchanges recorded after mark.
func (r *recorder) since(mark int) []*reports.Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log[min(mark, len(r.log)):])
}

func (r *recorder) exchanges() []reports.Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]reports.Exchange, len(r.log))
	for i, ex := range r.log {
		out[i] = *ex
	}
	return out
}

// headerPairs flattens a header into sorted name/value pairs, keeping the
// order of repeated fields (Set-Cookie) as received.
func headerPairs(h http.Header) [][2]string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	var out [][2]string
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

func excerpt(b []byte) string {
	if len(b) > excerptLen {
		b = b[:excerptLen]
	}
	s := string(b)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}
