// Package rules holds the rules more than one suite grades a target by, as
// plain functions of what the target sent: one implementation of each rule,
// called from the contract suites (cookies, conditional, freshness) and from
// the probe suite, which grades any URL without a contract.
//
// A rule returns "" when what it is given satisfies it, and otherwise one
// sentence that says what was expected and what was observed: the failure
// message of every check that applies it. Rules know nothing of Ginkgo or of
// how the response was obtained; a suite decides when a rule applies (and
// skips, with the reason, when it does not), sends the requests, and turns a
// sentence into a failure.
//
// The rules that are really a parser's business live with the parser and
// are only wrapped here: the Set-Cookie grammar in syntax/setcookie
// (Diagnose), the Cache-Control grammar in syntax/cachecontrol
// (Directives.Problems).
package rules
