package cluster

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/check"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// Sessions: the store behind them is the deployment's, not an instance's.
var (
	sessionRead = suite.Must("sessions/read-elsewhere", "a session created through one instance is read, with its data, through every other", "contract sessions", "contract deployments").
			Quoting(qSessionElsewhere)
	sessionUpdate = suite.Must("sessions/update-elsewhere", "a session updated through each instance in turn shows every update through the others, none lost", "contract sessions", "contract deployments").
			Quoting(qSessionElsewhere)
	sessionExpiry = suite.Must("sessions/expiry-elsewhere", "a session given 4 seconds through one instance is refused by every instance once they pass", "contract sessions", "contract deployments", "OWASP ASVS 3.3.1").
			Quoting(qSessionElsewhere)
	sessionLogout = suite.Must("sessions/logout-elsewhere", "a login through one instance is seen by the others, and a logout through another ends the session on every instance", "contract auth", "contract deployments", "OWASP ASVS 3.3.1").
			Quoting(`"A session created through one instance is read, updated, expired and logged out through the others (features: sessions, auth). A logout through one instance ends the session on all of them, even for a copy of the cookie from before it." (docs/contract.md, Deployments)`)
)

// The cache API: one cache for the deployment.
var (
	cacheSeen = suite.Must("cache/seen-elsewhere", "a cache entry set through one instance is read, with its value, through every other", "contract cache", "contract deployments").
			Quoting(qCacheElsewhere)
	cacheDelete = suite.Must("cache/delete-elsewhere", "a cache entry deleted through one instance is gone from every instance", "contract cache", "contract deployments").
			Quoting(qCacheElsewhere)
	cacheExpiry = suite.Must("cache/expire-elsewhere", "a cache entry set for 4 seconds through one instance has expired on every instance once they pass", "contract cache", "contract deployments").
			Quoting(qCacheElsewhere)
	cacheIncr = suite.Advisory("cache/incr-across", "concurrent increments of one key through every instance are all counted", "contract cache", "contract deployments")
)

// The per-view cache: a page cached through one instance is the
// deployment's.
var viewShared = suite.Must("views/shared", "a page cached by the per-view cache through one instance is served from that entry by every other", "contract views", "contract deployments").
	Quoting(`"A page that the per-view cache stored through one instance is served from that entry by the others (features: views)." (docs/contract.md, Deployments)`)

// Sentences of the contract quoted by several checks.
const (
	qSessionElsewhere = `"A session created through one instance is read, updated, expired and logged out through the others (features: sessions, auth)." (docs/contract.md, Deployments)`
	qCacheElsewhere   = `"A cache entry set through one instance is seen, deleted and expired through the others ..." (docs/contract.md, Deployments)`
)

var _ = Describe("cluster: the instances of one deployment", Label("suite:cluster"), func() {
	// A run against one target has no deployment to check: the suite
	// declares nothing, rather than a skip for each check in every
	// ordinary run. The runner starts the run before Ginkgo builds
	// this tree.
	if len(check.Target().Instances()) < 2 {
		return
	}
	Describe("sessions", func() {
		sessionRead.It(func(e *harness.Env) {
			ts := deployment(e, harness.FeatureSessions)
			b := newBrowser(e, ts)
			key, value := harness.Unique("cluster_read"), `{"n":1,"s":"é","l":[true,null]}`
			By("creating a session through " + instance(ts, 0))
			sessionSet(b.Via(ts[0]), instance(ts, 0), key, value)
			for i := range ts[1:] {
				By("reading it through " + instance(ts, i+1))
				got := sessionGet(b.Via(ts[i+1]), instance(ts, i+1), key, nil)
				Expect(got.Found && sameJSON(got.Value, json.RawMessage(value))).To(verify.Hold(), "expected the session created through %s to be read through %s with %s = %s, observed %s", instance(ts, 0), instance(ts, i+1), key, value, got.describe())
			}
		})

		sessionUpdate.It(func(e *harness.Env) {
			ts := deployment(e, harness.FeatureSessions)
			b := newBrowser(e, ts)
			shared := harness.Unique("cluster_update")
			own := make([]string, len(ts))
			for i := range ts {
				own[i] = harness.Unique("cluster_update" + strconv.Itoa(i+1))
				By("updating the session through " + instance(ts, i))
				sessionSet(b.Via(ts[i]), instance(ts, i), shared, strconv.Itoa(i+1))
				sessionSet(b.Via(ts[i]), instance(ts, i), own[i], "true")
				if i == 0 {
					continue
				}
				prev := i - 1
				got := sessionGet(b.Via(ts[prev]), instance(ts, prev), shared, nil)
				Expect(got.Found && string(got.Value) == strconv.Itoa(i+1)).To(verify.Hold(), "expected %s to show the update made through %s (%s = %d), observed %s", instance(ts, prev), instance(ts, i), shared, i+1, got.describe())
			}
			for i := range ts {
				By("reading the whole session through " + instance(ts, i))
				r := b.Via(ts[i]).Get("session/all")
				Expect(r).To(verify.HaveStatus("session/all through "+instance(ts, i), http.StatusOK))
				var all struct {
					Data map[string]json.RawMessage `json:"data"`
				}
				r.Decode(&all)
				var lost []string
				for j, k := range own {
					if string(all.Data[k]) != "true" {
						lost = append(lost, fmt.Sprintf("%s (written through instance %d)", k, j+1))
					}
				}
				Expect(len(lost) == 0 && string(all.Data[shared]) == strconv.Itoa(len(ts))).To(verify.Hold(), "expected %s to show every update, the last %s = %d, observed %s = %s and missing %s", instance(ts, i), shared, len(ts), shared, orNone(all.Data[shared]), strings.Join(orNothing(lost), ", "))
			}
		})

		sessionExpiry.It(func(e *harness.Env) {
			ts := deployment(e, harness.FeatureSessions)
			e.RequireWait(lifetime + time.Second)
			b := newBrowser(e, ts)
			key := harness.Unique("cluster_expiry")
			By("creating a session through " + instance(ts, 0) + " and giving it " + lifetime.String() + " through " + instance(ts, 1))
			sessionSet(b.Via(ts[0]), instance(ts, 0), key, `"v"`)
			r := b.Via(ts[1]).Do(harness.Request{Method: http.MethodPost, Path: "session/expiry",
				JSON: map[string]any{"seconds": int(lifetime / time.Second)}, Note: instance(ts, 1)})
			Expect(r).To(verify.HaveStatus("session/expiry through "+instance(ts, 1), http.StatusOK))
			cookie := cookieName(e) + "=" + b.SessionKey()
			last := len(ts) - 1
			got := sessionGet(b.Via(ts[last]), instance(ts, last), key, nil)
			Expect(got.Found).To(verify.Hold(), "expected the session to be live through %s before its %s passed, observed %s", instance(ts, last), lifetime, got.describe())

			By("letting " + (lifetime + time.Second).String() + " pass on every instance")
			e.AdvanceAll(lifetime + time.Second)
			for i := range ts {
				// The cookie is replayed by hand: the browser has dropped it
				// at its Max-Age, and what is graded is the server.
				got := sessionGet(e.NewBrowser().Via(ts[i]), instance(ts, i)+", replaying the session cookie", key, &cookie)
				Expect(!got.Found).To(verify.Hold(), "expected %s to refuse the session once its %s had passed (the expiry was set through %s), observed %s", instance(ts, i), lifetime, instance(ts, 1), got.describe())
			}
		})

		sessionLogout.It(func(e *harness.Env) {
			ts := deployment(e, harness.FeatureSessions, harness.FeatureAuth)
			b := newBrowser(e, ts)
			user := harness.Unique("cluster_user")
			By("logging in through " + instance(ts, 0))
			r := b.Via(ts[0]).Do(harness.Request{Method: http.MethodPost, Path: "session/login", JSON: map[string]any{"user": user}, Note: instance(ts, 0)})
			Expect(r).To(verify.HaveStatus("session/login through "+instance(ts, 0), http.StatusOK))
			got := whoami(b.Via(ts[1]), instance(ts, 1), nil)
			Expect(got == user).To(verify.Hold(), "expected %s to see the login made through %s (user %q), observed user %q", instance(ts, 1), instance(ts, 0), user, got)
			cookie := cookieName(e) + "=" + b.SessionKey()

			By("logging out through " + instance(ts, 1))
			r = b.Via(ts[1]).Do(harness.Request{Method: http.MethodPost, Path: "session/logout", Note: instance(ts, 1)})
			Expect(r).To(verify.HaveStatus("session/logout through "+instance(ts, 1), http.StatusOK))
			for i := range ts {
				got := whoami(b.Via(ts[i]), instance(ts, i), nil)
				Expect(got == "").To(verify.Hold(), "expected %s to see the logout made through %s, observed user %q", instance(ts, i), instance(ts, 1), got)
				got = whoami(e.NewBrowser().Via(ts[i]), instance(ts, i)+", replaying the logged-in session cookie", &cookie)
				Expect(got == "").To(verify.Hold(), "expected %s to refuse the session cookie of before the logout made through %s, observed user %q", instance(ts, i), instance(ts, 1), got)
			}
		})
	})

	Describe("cache", func() {
		cacheSeen.It(func(e *harness.Env) {
			ts := deployment(e, harness.FeatureCache)
			sharedCache(e, ts)
			a, b := alias(e), e.NewBrowser()
			key, value := harness.Unique("cluster_seen"), `{"n":1,"s":"é","l":[true,null]}`
			By("setting an entry through " + instance(ts, 0))
			r := cacheCall(b.Via(ts[0]), a, "set", instance(ts, 0), map[string]any{"key": key, "value": json.RawMessage(value)}, nil)
			Expect(r).To(verify.HaveStatus("cache/"+a+"/set through "+instance(ts, 0), http.StatusOK))
			for i := range ts[1:] {
				got := cacheGet(b.Via(ts[i+1]), a, instance(ts, i+1), key)
				Expect(got.Found && sameJSON(got.Value, json.RawMessage(value))).To(verify.Hold(), "expected the entry set through %s to be read through %s with the value %s, observed %s", instance(ts, 0), instance(ts, i+1), value, got.describe())
			}
		})

		cacheDelete.It(func(e *harness.Env) {
			ts := deployment(e, harness.FeatureCache)
			sharedCache(e, ts)
			a, b := alias(e), e.NewBrowser()
			key := harness.Unique("cluster_delete")
			r := cacheCall(b.Via(ts[0]), a, "set", instance(ts, 0), map[string]any{"key": key, "value": "v"}, nil)
			Expect(r).To(verify.HaveStatus("cache/"+a+"/set through "+instance(ts, 0), http.StatusOK))
			// Every instance reads it first: an instance that kept a copy of
			// its own would now have one to serve.
			for i := range ts {
				cacheGet(b.Via(ts[i]), a, instance(ts, i), key)
			}
			By("deleting it through " + instance(ts, 1))
			var del struct {
				Deleted bool `json:"deleted"`
			}
			r = cacheCall(b.Via(ts[1]), a, "delete", instance(ts, 1), map[string]any{"key": key}, &del)
			Expect(r).To(verify.HaveStatus("cache/"+a+"/delete through "+instance(ts, 1), http.StatusOK))
			Expect(del.Deleted).To(verify.Hold(), "expected the delete through %s to find the entry set through %s (deleted true), observed deleted false", instance(ts, 1), instance(ts, 0))
			for i := range ts {
				got := cacheGet(b.Via(ts[i]), a, instance(ts, i), key)
				Expect(!got.Found).To(verify.Hold(), "expected the entry deleted through %s to be gone from %s, observed %s", instance(ts, 1), instance(ts, i), got.describe())
			}
		})

		cacheExpiry.It(func(e *harness.Env) {
			ts := deployment(e, harness.FeatureCache)
			sharedCache(e, ts)
			e.RequireWait(lifetime + time.Second)
			a, b := alias(e), e.NewBrowser()
			key := harness.Unique("cluster_expire")
			By("setting an entry for " + lifetime.String() + " through " + instance(ts, 0))
			r := cacheCall(b.Via(ts[0]), a, "set", instance(ts, 0),
				map[string]any{"key": key, "value": "v", "timeout": int(lifetime / time.Second)}, nil)
			Expect(r).To(verify.HaveStatus("cache/"+a+"/set through "+instance(ts, 0), http.StatusOK))
			for i := range ts {
				got := cacheGet(b.Via(ts[i]), a, instance(ts, i), key)
				Expect(got.Found).To(verify.Hold(), "expected the entry set through %s to be read through %s before its %s passed, observed %s", instance(ts, 0), instance(ts, i), lifetime, got.describe())
			}
			By("letting " + (lifetime + time.Second).String() + " pass on every instance")
			e.AdvanceAll(lifetime + time.Second)
			for i := range ts {
				got := cacheGet(b.Via(ts[i]), a, instance(ts, i), key)
				Expect(!got.Found).To(verify.Hold(), "expected the entry set through %s for %s to have expired on %s, observed %s", instance(ts, 0), lifetime, instance(ts, i), got.describe())
			}
		})

		cacheIncr.It(func(e *harness.Env) {
			ts := deployment(e, harness.FeatureCache)
			sharedCache(e, ts)
			a := alias(e)
			key := harness.Unique("cluster_incr")
			r := cacheCall(e.NewBrowser().Via(ts[0]), a, "set", instance(ts, 0), map[string]any{"key": key, "value": 0}, nil)
			Expect(r).To(verify.HaveStatus("cache/"+a+"/set through "+instance(ts, 0), http.StatusOK))
			const each = 10
			By(fmt.Sprintf("incrementing it %d times through each instance at once", each))
			var (
				mu       sync.Mutex
				refused  []string
				wg       sync.WaitGroup
				browsers = make([]*harness.Browser, len(ts))
			)
			for i := range ts {
				browsers[i] = e.NewBrowser().Via(ts[i])
			}
			for i, b := range browsers {
				wg.Go(func() {
					for range each {
						r, err := b.Try(harness.Request{Method: http.MethodPost, Path: "cache/" + a + "/incr", JSON: map[string]any{"key": key}})
						if err != nil {
							mu.Lock()
							refused = append(refused, "transport: "+err.Error())
							mu.Unlock()
							continue
						}
						if r.Status != http.StatusOK {
							mu.Lock()
							refused = append(refused, fmt.Sprintf("%s answered %d", instance(ts, i), r.Status))
							mu.Unlock()
						}
					}
				})
			}
			wg.Wait()
			for _, p := range refused {
				if strings.HasPrefix(p, "transport: ") {
					e.Errorf("an increment did not get an answer: %s", strings.TrimPrefix(p, "transport: "))
				}
			}
			Expect(len(refused) == 0).To(verify.Hold(), "expected every increment of the entry set through %s to answer 200 on every instance, observed %d of %d refused: %s", instance(ts, 0), len(refused), each*len(ts), strings.Join(firstFew(refused), "; "))
			want := json.RawMessage(strconv.Itoa(each * len(ts)))
			for i := range ts {
				got := cacheGet(e.NewBrowser().Via(ts[i]), a, instance(ts, i), key)
				Expect(got.Found && sameJSON(got.Value, want)).To(verify.Hold(), "expected %s to read %s after %d increments spread over %d instances, observed %s", instance(ts, i), want, each*len(ts), len(ts), got.describe())
			}
		})
	})

	Describe("views", func() {
		viewShared.It(func(e *harness.Env) {
			ts := deployment(e, harness.FeatureViews)
			sharedCache(e, ts)
			b := e.NewBrowser()
			probe := harness.Unique("cluster_view")
			By("rendering views/cached through " + instance(ts, 0))
			first := cachedRender(b.Via(ts[0]), instance(ts, 0), probe)
			for i := range ts[1:] {
				got := cachedRender(b.Via(ts[i+1]), instance(ts, i+1), probe)
				Expect(got == first).To(verify.Hold(), "expected %s to serve the page cached through %s (%s), observed another render (%s)", instance(ts, i+1), instance(ts, 0), first, got)
			}
		})
	})
})

// cachedRender fetches views/cached for 60 seconds with the probe through b
// and describes the render: its count and time.
func cachedRender(b *harness.Browser, what, probe string) string {
	GinkgoHelper()
	r := b.Do(harness.Request{Method: http.MethodGet, Path: "views/cached", Query: harness.Query("ttl", "60", "probe", probe), Note: what})
	Expect(r).To(verify.HaveStatus("views/cached through "+what, http.StatusOK))
	var v struct {
		Renders    int    `json:"renders"`
		RenderedAt string `json:"rendered_at"`
	}
	r.Decode(&v)
	return fmt.Sprintf("renders %d, rendered at %s", v.Renders, v.RenderedAt)
}

func orNone(v json.RawMessage) string {
	if len(v) == 0 {
		return "nothing"
	}
	return string(v)
}

func orNothing(s []string) []string {
	if len(s) == 0 {
		return []string{"nothing"}
	}
	return s
}

func firstFew(s []string) []string {
	if len(s) > 3 {
		return append(s[:3:3], fmt.Sprintf("and %d more", len(s)-3))
	}
	return s
}
