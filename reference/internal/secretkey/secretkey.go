// Package secretkey is the deployment's secret as the reference packages use
// it: where it comes from, and how each use gets a key of its own. The
// session package signs cookies with it and the cache seals per-view and
// fragment entries with it; both must read the same variable, so that one
// setting serves a deployment (as Django's SECRET_KEY does), and neither
// may use the secret itself as a MAC key, so that a MAC made for one use
// never verifies for another (ASVS 4.0.3 §3.5.3).
package secretkey

import (
	"crypto/hmac"
	"crypto/sha256"
)

// Env names the environment variable holding the deployment's secret.
// Secrets never appear in URLs or flags, which end up in command lines,
// process lists and logs.
const Env = "HTTPCHECK_SECRET_KEY"

// Derive returns the key for one use of secret: HMAC-SHA256(secret,
// purpose). purpose names the use, and no two uses share one.
func Derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
