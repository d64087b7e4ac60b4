// Package verify holds the Gomega matchers checks assert with. A check's
// failure is one sentence that says what was expected and what was
// observed; these matchers make that sentence the whole failure message,
// where Gomega's built-in matchers would add their own rendering of the
// values. The exchanges that show it are already the check's evidence
// (harness/check).
//
//	Expect(len(jar)).To(Equal(1), "...")             // a built-in matcher: our sentence, then Gomega's
//	Expect(ok).To(verify.Hold(), "expected ..., observed ...", args...)
//	Expect(r).To(verify.HaveStatus("cookies/get", http.StatusOK))
//	Expect(rules.Date(h)).To(verify.Pass())
//	Expect(r).To(verify.HaveJSONError("cache/set", http.StatusBadRequest))
//
// A check that polls uses Within (Gomega's Eventually), then asserts.
package verify

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/httpcheck/httpcheck/harness"
)

// Hold matches true. Its own failure message is empty, so the assertion's
// description, the check's sentence, is the whole message.
func Hold() types.GomegaMatcher { return hold{} }

type hold struct{}

func (hold) Match(actual any) (bool, error) {
	ok, isBool := actual.(bool)
	if !isBool {
		return false, fmt.Errorf("verify.Hold expects a bool, got %T", actual)
	}
	return ok, nil
}

func (hold) FailureMessage(any) string        { return "" }
func (hold) NegatedFailureMessage(any) string { return "" }

// HaveStatus matches a *harness.Response whose status is one of codes;
// what names the request in the failure ("cookies/get").
func HaveStatus(what string, codes ...int) types.GomegaMatcher {
	return status{what: what, codes: codes}
}

type status struct {
	what  string
	codes []int
}

func (s status) Match(actual any) (bool, error) {
	r, ok := actual.(*harness.Response)
	if !ok {
		return false, fmt.Errorf("verify.HaveStatus expects a *harness.Response, got %T", actual)
	}
	return slices.Contains(s.codes, r.Status), nil
}

func (s status) FailureMessage(actual any) string {
	r := actual.(*harness.Response)
	return fmt.Sprintf("expected %s to answer %s, observed %d (%s)", s.what, statusList(s.codes), r.Status, excerpt(r.Body))
}

func (s status) NegatedFailureMessage(actual any) string {
	r := actual.(*harness.Response)
	return fmt.Sprintf("expected %s not to answer %d, observed it (%s)", s.what, r.Status, excerpt(r.Body))
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

// Pass matches the verdict of a rule (suites/internal/rules): "" when the
// rule held, otherwise the sentence that says how it broke, which is the
// failure message.
func Pass() types.GomegaMatcher { return pass{} }

type pass struct{}

func (pass) Match(actual any) (bool, error) {
	v, ok := actual.(string)
	if !ok {
		return false, fmt.Errorf("verify.Pass expects a rule's verdict (a string), got %T", actual)
	}
	return v == "", nil
}

func (pass) FailureMessage(actual any) string { return actual.(string) }
func (pass) NegatedFailureMessage(actual any) string {
	return "expected the rule to be broken, and it held"
}

// HaveJSONError matches a *harness.Response that answers status with the
// contract's error body, {"error": "..."} with a text that says why
// (docs/contract.md, general rules); what names the request.
func HaveJSONError(what string, status int) types.GomegaMatcher {
	return jsonError{what: what, status: status}
}

type jsonError struct {
	what   string
	status int
}

func (j jsonError) Match(actual any) (bool, error) {
	r, ok := actual.(*harness.Response)
	if !ok {
		return false, fmt.Errorf("verify.HaveJSONError expects a *harness.Response, got %T", actual)
	}
	return r.Status == j.status && errorText(r) != "", nil
}

func (j jsonError) FailureMessage(actual any) string {
	r := actual.(*harness.Response)
	if r.Status != j.status {
		return status{what: j.what, codes: []int{j.status}}.FailureMessage(r)
	}
	return fmt.Sprintf("expected %s to answer %d with a JSON {\"error\": ...} saying why, observed the body %.160q", j.what, j.status, r.Body)
}

func (j jsonError) NegatedFailureMessage(any) string {
	return fmt.Sprintf("expected %s not to answer %d with a JSON error", j.what, j.status)
}

// errorText is the text of a JSON {"error": "..."} body, trimmed.
func errorText(r *harness.Response) string {
	var answer struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &answer)
	return strings.TrimSpace(answer.Error)
}

// Within polls f every interval, for up to d, until it returns true, and
// reports whether it did. It is Gomega's Eventually without Eventually's
// own failure ("Timed out after ..."): the check asserts what it observed
// last, afterwards, in its own sentence.
func Within(d, interval time.Duration, f func() bool) bool {
	g := gomega.NewGomega(func(string, ...int) {})
	return g.Eventually(f).WithTimeout(d).WithPolling(interval).Should(gomega.BeTrue())
}
