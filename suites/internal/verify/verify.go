// Package verify holds the assertions suites share. Each one fails the
// running check with a single sentence that says what was expected and
// what was observed; the exchanges that show it are already attached to
// the check by the wrapper (harness/check).
package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
)

// That fails the check with the formatted sentence unless ok.
func That(ok bool, format string, args ...any) {
	ginkgo.GinkgoHelper()
	if !ok {
		ginkgo.Fail(fmt.Sprintf(format, args...))
	}
}

// Status fails the check unless r's status is one of codes.
func Status(r *harness.Response, what string, codes ...int) {
	ginkgo.GinkgoHelper()
	if !slices.Contains(codes, r.Status) {
		ginkgo.Fail(fmt.Sprintf("expected %s to answer %s, observed %d (%s)", what, statusList(codes), r.Status, excerpt(r.Body)))
	}
}

func statusList(codes []int) string {
	var s []string
	for _, c := range codes {
		s = append(s, fmt.Sprint(c))
	}
	return strings.Join(s, " or ")
}

func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	if s == "" {
		return "empty body"
	}
	return s
}

// Rule fails the check with the sentence a rule (suites/internal/rules)
// returned, unless the rule held and returned "".
func Rule(violation string) {
	ginkgo.GinkgoHelper()
	if violation != "" {
		ginkgo.Fail(violation)
	}
}
