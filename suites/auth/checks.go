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
	"github.com/httpcheck/httpcheck/reports"
)

var define = check.Definer("auth")

const (
	must     = reports.Must
	should   = reports.Should
	advisory = reports.Advisory
)

// Login, OWASP WSTG SESS-03 (session fixation) and ASVS 4.0.3 §3.2.1.
var (
	anonymous    = define("whoami/anonymous", must, "session/whoami answers user null before any login, whatever the session holds", "contract auth")
	loginWhoami  = define("login/whoami", must, "after session/login as U, session/whoami answers U", "contract auth")
	loginRotates = define("login/rotates-key", must, "session/login gives the session a new key", "contract auth", "OWASP WSTG SESS-03", "OWASP ASVS 3.2.1").
			Quoting(`"Login gives the session a new key (a new session cookie value) ..." (docs/contract.md, Login)`)
	loginKeeps = define("login/keeps-data", must, "session/login keeps the data stored before it", "contract auth").
			Quoting(`"Login gives the session a new key (a new session cookie value), and keeps the data already in the session." (docs/contract.md, Login)`)
	// Django's cycle_key keeps the expiry with the data; the contract
	// names only the data, so a login that forgets a shorter lifetime is
	// graded as advice: the session then outlives what the user chose.
	loginExpiry  = define("login/keeps-expiry", advisory, "session/login keeps a lifetime session/expiry set before it: the server still reports it afterwards", "contract auth", "OWASP ASVS 3.3.1")
	oldKeyNoAuth = define("login/old-key-unauthenticated", must, "a session key planted before login, replayed by hand afterwards, is not logged in", "contract auth", "OWASP WSTG SESS-03", "OWASP ASVS 3.2.1").
			Quoting(`"The key the client held before must no longer work, because a key planted before login must never name a logged-in session (session fixation)." (docs/contract.md, Login)`)
	oldKeyNoData = define("login/old-key-no-data", must, "the pre-login session key, replayed by hand after login, reads none of the session's data", "contract auth", "OWASP ASVS 3.2.1").
			Quoting(`"The key the client held before must no longer work ..." (docs/contract.md, Login)`)
	logoutWhoami = define("logout/whoami", must, "after session/logout, session/whoami answers user null", "contract auth").
			Quoting(`"Logout ends the session on the server, not just in the browser." (docs/contract.md, Login)`)
	logoutServer = define("logout/server-side", must, "the pre-logout session key, replayed by hand, gets user null: logout ends the session on the server", "contract auth", "OWASP WSTG SESS-06", "OWASP ASVS 3.3.1").
			Quoting(`"Logout ends the session on the server, not just in the browser. Replaying the pre-logout cookie must give {"user": null}." (docs/contract.md, Login)`)
	logoutClears = define("logout/clears-data", must, "after session/logout the browser's session holds none of the data from before", "contract auth", "OWASP WSTG SESS-06").
			Quoting(`"Logout ends the session on the server, not just in the browser." (docs/contract.md, Login)`)
	expiryLogsOut = define("expiry/ends-login", must, "a logged-in session given N seconds, replayed by hand once they pass, gets user null", "contract auth", "OWASP ASVS 3.3.1").
			Quoting(`"session/expiry with seconds N > 0 makes this session end N seconds from now ... the server must stop honouring the session after that, even if a client keeps the cookie." (docs/contract.md, Sessions)`)
	entropy64      = define("entropy/64-bits", should, "session keys carry at least 64 bits of entropy, estimated from 20 fresh keys", "OWASP ASVS 3.2.2")
	entropy128     = define("entropy/128-bits", advisory, "session keys carry at least 128 bits of entropy, estimated from 20 fresh keys", "OWASP ASVS 3.2.2")
	cookieSecure   = define("cookie/secure", advisory, "the session cookie of a logged-in user carries Secure", "OWASP ASVS 3.4.1", "OWASP WSTG SESS-02")
	cookieHTTPOnly = define("cookie/httponly", advisory, "the session cookie of a logged-in user carries HttpOnly", "OWASP ASVS 3.4.2", "OWASP WSTG SESS-02")
	cookieSameSite = define("cookie/samesite", advisory, "the session cookie of a logged-in user carries SameSite=Lax or Strict", "OWASP ASVS 3.4.3", "OWASP WSTG SESS-02")
)
