package httpcache

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/syntax/cachecontrol"
	"github.com/httpcheck/httpcheck/syntax/httpdate"
)

// header builds a header from "Name: value" lines.
func header(lines ...string) http.Header {
	h := http.Header{}
	for _, line := range lines {
		name, value, _ := strings.Cut(line, ":")
		h.Add(name, strings.TrimSpace(value))
	}
	return h
}

// at formats tNow+d as an HTTP-date.
func at(d time.Duration) string { return httpdate.Format(tNow.Add(d)) }

// freshnessLifetimeTests: each response was received at tNow.
var freshnessLifetimeTests = []struct {
	name   string
	status int
	header []string
	shared bool
	want   time.Duration
}{
	{"4.2.1 max-age", 200, []string{"Cache-Control: max-age=60", "Date: " + at(0)}, false, 60 * time.Second},
	{"4.2.1 s-maxage ignored by a private cache", 200, []string{"Cache-Control: s-maxage=10, max-age=60"}, false, 60 * time.Second},
	{"4.2.1 s-maxage first in a shared cache", 200, []string{"Cache-Control: s-maxage=10, max-age=60"}, true, 10 * time.Second},
	{"4.2.1 max-age wins over Expires", 200, []string{"Cache-Control: max-age=60", "Expires: " + at(time.Hour), "Date: " + at(0)}, false, 60 * time.Second},
	{"4.2.1 Expires minus Date", 200, []string{"Expires: " + at(time.Hour), "Date: " + at(-10*time.Minute)}, false, 70 * time.Minute},
	{"4.2.1 Expires minus receipt time without Date", 200, []string{"Expires: " + at(time.Hour)}, false, time.Hour},
	{"4.2.1 first Expires line used", 200, []string{"Expires: " + at(time.Hour), "Expires: " + at(2*time.Hour), "Date: " + at(0)}, false, time.Hour},
	{"4.2.1 Expires in the past", 200, []string{"Expires: " + at(-time.Hour), "Date: " + at(0)}, false, 0},
	{"5.3 Expires: 0 is in the past", 200, []string{"Expires: 0", "Date: " + at(0), "Last-Modified: " + at(-100*time.Hour)}, false, 0},
	{"4.2 Expires in lower case is accepted", 200, []string{"Expires: " + strings.ToLower(at(time.Hour)), "Date: " + at(0)}, false, time.Hour},
	{"4.2.1 invalid max-age is stale, Expires not consulted", 200, []string{"Cache-Control: max-age=1h", "Expires: " + at(time.Hour)}, false, 0},
	{"4.2.2 heuristic 10% of Date minus Last-Modified", 200, []string{"Date: " + at(0), "Last-Modified: " + at(-10*time.Hour)}, false, time.Hour},
	{"4.2.2 heuristic capped at 24 hours", 200, []string{"Date: " + at(0), "Last-Modified: " + at(-1000*time.Hour)}, false, 24 * time.Hour},
	{"4.2.2 heuristic needs Last-Modified", 200, []string{"Date: " + at(0)}, false, 0},
	{"4.2.2 heuristic for 404", 404, []string{"Date: " + at(0), "Last-Modified: " + at(-10*time.Hour)}, false, time.Hour},
	{"4.2.2 no heuristic for 201", 201, []string{"Date: " + at(0), "Last-Modified: " + at(-10*time.Hour)}, false, 0},
	{"4.2.2 public makes 201 heuristically cacheable", 201, []string{"Cache-Control: public", "Date: " + at(0), "Last-Modified: " + at(-10*time.Hour)}, false, time.Hour},
	{"5.2.2.7 private makes 201 heuristically cacheable in a private cache", 201, []string{"Cache-Control: private", "Date: " + at(0), "Last-Modified: " + at(-10*time.Hour)}, false, time.Hour},
	{"5.2.2.7 private does not in a shared cache", 201, []string{"Cache-Control: private", "Date: " + at(0), "Last-Modified: " + at(-10*time.Hour)}, true, 0},
	{"4.2.2 Last-Modified after Date gives 0", 200, []string{"Date: " + at(0), "Last-Modified: " + at(time.Hour)}, false, 0},
}

func TestFreshnessLifetime(t *testing.T) {
	for _, tt := range freshnessLifetimeTests {
		t.Run(tt.name, func(t *testing.T) {
			h := header(tt.header...)
			cc := cachecontrol.Parse(h.Values("Cache-Control"))
			if got := freshnessLifetime(tt.status, h, cc, tt.shared, tNow); got != tt.want {
				t.Errorf("freshnessLifetime = %v, want %v", got, tt.want)
			}
		})
	}
}

// currentAgeTests: request sent at tNow+request, response received at
// tNow+response, age computed at tNow+now.
var currentAgeTests = []struct {
	name                   string
	header                 []string
	request, response, now time.Duration
	want                   time.Duration
}{
	{"4.2.3 just received", []string{"Date: " + at(0)}, 0, 0, 0, 0},
	{"4.2.3 resident_time", []string{"Date: " + at(0)}, 0, 0, 30 * time.Second, 30 * time.Second},
	{"4.2.3 apparent_age from Date", []string{"Date: " + at(-20*time.Second)}, 0, 0, 0, 20 * time.Second},
	{"4.2.3 apparent_age is never negative", []string{"Date: " + at(time.Hour)}, 0, 0, 0, 0},
	{"4.2.3 corrected_age_value adds response_delay to Age", []string{"Date: " + at(2*time.Second), "Age: 100"}, 0, 2 * time.Second, 2 * time.Second, 102 * time.Second},
	{"4.2.3 corrected_initial_age is the larger", []string{"Date: " + at(-300*time.Second), "Age: 100"}, 0, 0, 10 * time.Second, 310 * time.Second},
	{"4.2.3 missing Date counts as received now", nil, 0, 0, 5 * time.Second, 5 * time.Second},
	{"5.1 first member of a list-based Age", []string{"Date: " + at(0), "Age: 50, 70"}, 0, 0, 0, 50 * time.Second},
	{"5.1 invalid Age ignored", []string{"Date: " + at(0), "Age: -5"}, 0, 0, 0, 0},
	{"1.2.2 Age overflow is 2^31", []string{"Date: " + at(0), "Age: 99999999999999"}, 0, 0, 0, (1 << 31) * time.Second},
	{"1.2.2 ancient Date does not overflow", []string{"Date: Mon, 01 Jan 0001 00:00:00 GMT"}, 0, 0, time.Hour, ageOverflow},
}

func TestCurrentAge(t *testing.T) {
	for _, tt := range currentAgeTests {
		t.Run(tt.name, func(t *testing.T) {
			got := currentAge(header(tt.header...), tNow.Add(tt.request), tNow.Add(tt.response), tNow.Add(tt.now))
			if got != tt.want {
				t.Errorf("currentAge = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIsFresh(t *testing.T) {
	if !isFresh(10*time.Second, 9*time.Second) || isFresh(10*time.Second, 10*time.Second) {
		t.Error("response_is_fresh = (freshness_lifetime > current_age)")
	}
}
