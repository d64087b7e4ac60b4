// Package auth is the login suite: what logging in and out does to a
// target's session (docs/contract.md, Login), graded against the contract
// and the session management baselines of OWASP ASVS 4.0.3 (V3) and the
// OWASP Web Security Testing Guide (WSTG-SESS).
//
// Login must rotate the session key and keep the data, so that a key known
// before authentication (planted by an attacker: session fixation) names
// nothing afterwards. Logout must end the session on the server, so that a
// copy of the cookie taken before (a shared computer, a log, malware) is
// worthless. The suite checks both by replaying old cookies by hand, as an
// attacker would. It also estimates the entropy of the session keys and
// grades the cookie attributes that keep the key from scripts, from
// cross-site requests and from plain-text networks.
//
// A target that keeps sessions in signed cookies (manifest session.backend
// "signed") cannot revoke a cookie: its old cookies stay valid until the
// expiry signed inside them, and the checks that replay them say so.
package auth

import (
	"github.com/httpcheck/httpcheck/harness/check"
)

var suite = check.NewSuite("auth")
