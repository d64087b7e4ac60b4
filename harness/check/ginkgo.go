package check

import (
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
)

// specTimeout bounds one check: two minutes of requests, plus the longest
// real wait --max-wait allows it.
func specTimeout() ginkgo.NodeTimeout {
	d := 2 * time.Minute
	if r := Current(); r.Target != nil {
		d += r.Target.MaxWait
	}
	return ginkgo.NodeTimeout(d)
}

// It declares the spec of check c against the run's target. The body gets
// a fresh Env; whatever it opened is the check's evidence, pass or fail.
func (c *Check) It(body func(e *harness.Env), decorators ...any) bool {
	return c.spec(nil, body, decorators)
}

// ItOn declares the spec of check c against t, one of the run's targets
// (a probe run declares its checks once per URL); the verdict names t.
func (c *Check) ItOn(t *harness.Target, body func(e *harness.Env), decorators ...any) bool {
	return c.spec(t, body, decorators)
}

// spec declares the Ginkgo spec of check c. Its text is the check's id,
// which the runner looks up in the declarations; the check itself, its
// target and its evidence reach the runner through the run's Record.
func (c *Check) spec(t *harness.Target, body func(e *harness.Env), decorators []any) bool {
	args := []any{ginkgo.Label(c.Labels()...), specTimeout()}
	args = append(args, decorators...)
	args = append(args, func(ctx ginkgo.SpecContext) {
		run := Current()
		target := t
		if target == nil {
			target = run.Target
		}
		run.update(func(rec *Record) { rec.Check, rec.Target = c, target.Name })
		e := harness.NewEnv(ctx, target, verdicts{run})
		defer func() {
			ex := e.Exchanges()
			run.update(func(rec *Record) { rec.Exchanges = ex })
		}()
		body(e)
	})
	return ginkgo.It(c.ID, args...)
}

// Setup is work that several checks share, done once before them: the
// browsers and scripts it opened become each check's evidence, and a
// transport error or a skip in it ends each of those checks the same way.
// The setup keeps what ended it instead of failing the BeforeAll that runs
// it, so every check can say what broke.
type Setup struct {
	env       *harness.Env
	err, skip string
}

// Prepare runs f once, with an Env against t, and keeps what ended it. Call
// it from a BeforeAll; each check that shares it calls Adopt first.
func Prepare(ctx ginkgo.SpecContext, t *harness.Target, f func(e *harness.Env)) *Setup {
	s := &Setup{}
	s.env = record(ctx, t, &s.err, &s.skip, f)
	return s
}

// Adopt makes the setup's browsers and scripts e's evidence, and ends the
// check as the setup ended: as `error` after a transport error, skipped
// after a skip. A nil Setup is one whose BeforeAll never ran.
func (s *Setup) Adopt(e *harness.Env) {
	if s == nil || s.env == nil {
		e.Errorf("the setup this check shares did not run")
	}
	for _, b := range s.env.Browsers() {
		e.Adopt(b)
	}
	for _, sc := range s.env.Scripts() {
		e.AdoptScript(sc)
	}
	switch {
	case s.err != "":
		e.Errorf("%s", s.err)
	case s.skip != "":
		e.Skipf("%s", s.skip)
	}
}

// stopped is how an Env that records verdicts (setupVerdicts) stops.
type stopped struct{ msg string }

// setupVerdicts keeps what ends a setup, a transport error or a skip,
// instead of failing or skipping the BeforeAll that runs it: the verdict
// belongs to the checks whose setup it was.
type setupVerdicts struct{ err, skip *string }

func (v setupVerdicts) Error(msg string) { *v.err = msg; panic(stopped{msg}) }
func (v setupVerdicts) Skip(msg string)  { *v.skip = msg; panic(stopped{msg}) }

// record runs f with an Env against t (nil: the run's target) whose
// verdicts setupVerdicts keeps.
func record(ctx ginkgo.SpecContext, t *harness.Target, err, skip *string, f func(e *harness.Env)) *harness.Env {
	if t == nil {
		t = Target()
	}
	e := harness.NewEnv(ctx, t, setupVerdicts{err, skip})
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(stopped); !ok {
					panic(r)
				}
			}
		}()
		f(e)
	}()
	return e
}
