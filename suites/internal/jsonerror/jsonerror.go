// Package jsonerror grades the contract's error answers: a status and a
// JSON body {"error": "..."} that says why (docs/contract.md, general
// rules). The cache API and the cached views answer bad input alike, so
// the cache and views suites judge it with this one function.
package jsonerror

import (
	"encoding/json"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/suites/internal/verify"
)

// Expect fails the check unless r answered status with a JSON
// {"error": "..."} whose text is not blank; what names the request in
// the message.
func Expect(r *harness.Response, what string, status int) {
	ginkgo.GinkgoHelper()
	verify.Status(r, what, status)
	var answer struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &answer)
	verify.That(strings.TrimSpace(answer.Error) != "", "expected %s to answer %d with a JSON {\"error\": ...} saying why, observed the body %.160q", what, status, r.Body)
}
