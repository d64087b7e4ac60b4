package rules

import (
	"fmt"

	"github.com/httpcheck/httpcheck/harness"
)

// SignedSessionNote explains, for a target whose sessions live in signed
// cookies, why a replayed old cookie still works: no server can revoke
// such a session before the expiry signed inside it. "" otherwise.
func SignedSessionNote(s *harness.SessionSettings) string {
	if !s.KeptInCookies() {
		return ""
	}
	return fmt.Sprintf(": the target keeps sessions in signed cookies (manifest session.backend %q), which a server cannot revoke; "+
		"an old cookie stays valid until the expiry signed inside it", s.Backend)
}
