package proxy

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// otherTargetedField is a targeted cache-control field (RFC 9213 §2) that
// no cache has on its target list: the convention's suffix, a name of
// this harness's own.
const otherTargetedField = "HC-Example-Cache-Control"

// targetedSelect is RFC 9213 §2.1's rule for a cache that has the field
// on its target list, quoted by the checks that grade it.
const targetedSelect = `"When a cache that implements this specification receives a response with one or more of the header field names on its target list, the cache MUST select the first (in target list order) field with a valid, non-empty value and use its value to determine the caching policy for the response, and it MUST ignore the Cache-Control and Expires header fields in that response, unless no valid, non-empty value is available from the listed header fields." (RFC 9213 §2.1)`

// Targeted cache-control fields, RFC 9213. The field graded is the run's
// (--targeted-field, CDN-Cache-Control by default). RFC 9213 binds only a
// cache that keeps a target list, and a cache cannot be asked for its
// list: the checks of the field's rules grade a cache that shows it acts
// on the field at all (targetedActs), and targeted/acted-on says, as
// advice, when it does not.
var (
	targetedUnlisted = suite.Must("targeted/unlisted-field-passed-through", "a targeted field not on the cache's target list (no-store in it) changes nothing and reaches the client", "RFC9213 2.1").
				Quoting(`"Targeted fields that are not on a cache's target list MUST NOT change that cache's behavior and MUST be passed through." (RFC 9213 §2.1)`)
	targetedActedOn = suite.Advisory("targeted/acted-on", "the cache acts on the run's targeted field (CDN-Cache-Control unless --targeted-field names another)", "RFC9213 2.1", "RFC9213 3").
			Quoting(`"A cache that implements this specification maintains a target list. A target list is an ordered list of the targeted field names that it uses for caching policy, with the order reflecting priority from most applicable to least." (RFC 9213 §2.1); CDN-Cache-Control is the targeted field for CDN caches (RFC 9213 §3)`)
	targetedNoStore = suite.Must("targeted/no-store", "no-store in the targeted field keeps a response with Cache-Control: max-age=600 from being reused", "RFC9213 2.1", "RFC9111 5.2.2.5").
			Quoting(targetedSelect)
	targetedOverrides = suite.Must("targeted/overrides-cache-control", "max-age=600 in the targeted field makes a response with Cache-Control: no-store reusable: Cache-Control is ignored", "RFC9213 2.1").
				Quoting(targetedSelect)
	targetedInvalid = suite.Must("targeted/invalid-ignored", "a targeted field that does not parse as a Structured Fields Dictionary is ignored, and Cache-Control (no-store) decides", "RFC9213 2.2").
			Quoting(`"If a targeted field in a given response is empty, or a parsing error is encountered, that field MUST be ignored by the cache (i.e., it behaves as if the field were not present, likely falling back to other cache-control mechanisms present)." (RFC 9213 §2.2)`)
)

// targetedBehaviour is what two probes show of a cache and its targeted
// field, each beside a control that isolates the field's effect:
//   - a targeted no-store under Cache-Control: max-age=600 was not reused,
//     where the same response with the no-store in a field on no target
//     list was (a cache may decline to store any one response);
//   - a targeted max-age=600 under Cache-Control: no-store was reused,
//     where a response with Cache-Control: no-store alone was not (a cache
//     that ignores no-store altogether shows nothing about the field).
type targetedBehaviour struct {
	field                  string
	noStoreObeyed          bool
	overridesObeyed        bool
	unlistedReused         bool   // the first control
	plainNoStoreHonoured   bool   // the second control
	noStore, override, ctl string // what was seen, for messages
}

// acts reports whether the cache showed either effect against its control.
func (t targetedBehaviour) acts() bool {
	return t.noStoreObeyed && t.unlistedReused || t.overridesObeyed && t.plainNoStoreHonoured
}

// probeTargeted sends the two probes and their controls, after the
// control that the cache reuses a plain fresh response at all
// (requireReuse). Each check runs them itself: eight requests, no wait.
func probeTargeted(e *harness.Env) targetedBehaviour {
	requireReuse(e)
	f := e.Target.TargetedField
	t := targetedBehaviour{field: f}
	var reused bool
	reused, t.noStore = twice(e, fmt.Sprintf("a response with Cache-Control: max-age=600 and %s: no-store", f), "Cache-Control: max-age=600", f+": no-store")
	t.noStoreObeyed = !reused
	var ctlUnlisted, ctlNoStore string
	t.unlistedReused, ctlUnlisted = twice(e, fmt.Sprintf("control: Cache-Control: max-age=600 and %s: no-store", otherTargetedField), "Cache-Control: max-age=600", otherTargetedField+": no-store")
	t.overridesObeyed, t.override = twice(e, fmt.Sprintf("a response with Cache-Control: no-store and %s: max-age=600", f), "Cache-Control: no-store", f+": max-age=600")
	reused, ctlNoStore = twice(e, "control: Cache-Control: no-store alone", "Cache-Control: no-store")
	t.plainNoStoreHonoured = !reused
	t.ctl = ctlUnlisted + "; " + ctlNoStore
	return t
}

// requireTargeted probes the cache and skips the check unless the cache
// acts on its targeted field.
func requireTargeted(e *harness.Env) targetedBehaviour {
	t := probeTargeted(e)
	if !t.acts() {
		e.Skipf("the cache shows no effect of %s against the controls (%s; %s; controls: %s), so it keeps no target list with that field, and RFC 9213's rules for it do not bind it (targeted/acted-on says so)", t.field, t.noStore, t.override, t.ctl)
	}
	return t
}

// targetedSpecs: targeted cache-control fields, RFC 9213.
func targetedSpecs() {
	Describe("targeted cache-control fields (RFC 9213)", func() {
		targetedUnlisted.It(func(e *harness.Env) {
			requireReuse(e)
			what := "a response with max-age=600 and " + otherTargetedField + ": no-store"
			r := newResource(e, respond("v1", "Cache-Control: max-age=600", otherTargetedField+": no-store"), respond("v2", "Cache-Control: max-age=600"))
			first := r.get(what)
			second := r.get("the same again")
			expectReusedAsControl(r, second, "v1", what)
			for _, resp := range []*harness.Response{first, second} {
				Expect(resp.Header.Get(otherTargetedField) == "no-store").To(verify.Hold(), "expected %s: no-store passed through to the client, observed %q", otherTargetedField, resp.Header.Get(otherTargetedField))
			}
		})
		targetedActedOn.It(func(e *harness.Env) {
			t := probeTargeted(e)
			Expect(t.acts()).To(verify.Hold(), "expected the cache to act on %s (a CDN's targeted field, RFC 9213 §3), observed neither of its effects against the controls: %s; %s; controls: %s. If this cache is not meant to keep %s on a target list, this is expected; --targeted-field names another field", t.field, t.noStore, t.override, t.ctl, t.field)
		})
		targetedNoStore.It(func(e *harness.Env) {
			t := requireTargeted(e)
			Expect(t.noStoreObeyed).To(verify.Hold(), "expected the cache to take its policy from %s (no-store) and ignore Cache-Control (max-age=600), observed %s", t.field, t.noStore)
		})
		targetedOverrides.It(func(e *harness.Env) {
			t := requireTargeted(e)
			Expect(t.overridesObeyed).To(verify.Hold(), "expected the cache to take its policy from %s (max-age=600) and ignore Cache-Control (no-store), observed %s", t.field, t.override)
		})
		targetedInvalid.It(func(e *harness.Env) {
			t := requireTargeted(e)
			if !t.plainNoStoreHonoured {
				e.Skipf("the cache reuses a response with Cache-Control: no-store alone (%s), so reusing one with an invalid %s beside it says nothing about the field", t.ctl, t.field)
			}
			// Two commas in a row are an empty member: RFC 8941 §4.2.2
			// fails the whole field.
			value := "max-age=600,, public"
			what := fmt.Sprintf("a response with Cache-Control: no-store and %s: %s (not a valid Dictionary)", t.field, value)
			r := newResource(e, respond("v1", "Cache-Control: no-store", t.field+": "+value), respond("v2", "Cache-Control: no-store", t.field+": "+value))
			r.get(what)
			second := r.get("the same again: with the invalid field ignored, no-store forbids reusing the first")
			expectFromOrigin(r, second, "v2", "the second GET of "+what)
		})
	})
}
