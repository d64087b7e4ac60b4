package proxy

import (
	. "github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
)

// varyCase is a response that varies, the request that stored it and a
// request it must not be reused for. Fields are name, value pairs.
type varyCase struct {
	check         *check.Check
	vary          []string // the response's Vary field lines
	first, second []string
}

var varyCases = []varyCase{
	{varyValue, []string{"HC-Lang"}, []string{"HC-Lang", "en"}, []string{"HC-Lang", "fr"}},
	{varyAbsentPresent, []string{"HC-Lang"}, nil, []string{"HC-Lang", "fr"}},
	{varyPresentAbsent, []string{"HC-Lang"}, []string{"HC-Lang", "en"}, nil},
	{varyStar, []string{"*"}, nil, nil},
	{varyTwoFields, []string{"HC-A, HC-B"}, []string{"HC-A", "1", "HC-B", "1"}, []string{"HC-A", "1", "HC-B", "2"}},
	{varyTwoLines, []string{"HC-A", "HC-B"}, []string{"HC-A", "1", "HC-B", "1"}, []string{"HC-A", "1", "HC-B", "2"}},
}

// varySpecs: secondary cache keys, RFC 9111 §4.1. The two responses carry
// different entity-tags, so a cache that validates the stored one gets the
// second in full.
func varySpecs() {
	Describe("Vary (RFC 9111 4.1)", func() {
		for _, c := range varyCases {
			c.check.It(func(e *harness.Env) {
				lines := func(body, etag string) []string {
					l := []string{"Cache-Control: max-age=600", `ETag: "` + etag + `"`}
					for _, v := range c.vary {
						l = append(l, "Vary: "+v)
					}
					return l
				}
				r := newResource(e, respond("first variant", lines("first variant", "one")...), respond("second variant", lines("second variant", "two")...))
				r.get("the request that stores the response", c.first...)
				expectFromOrigin(r, r.get("a request the stored response does not match", c.second...), "second variant", "the second request")
			})
		}
	})
}
