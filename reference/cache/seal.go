package cache

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"sync"

	"github.com/httpcheck/httpcheck/reference/internal/secretkey"
)

// The per-view and fragment caches store responses and HTML that are
// served as trusted. They share caches with the contract's Cache API,
// through which any client may write any value under any key (POST
// cache/default/set), and their keys are predictable (a hash of the URL,
// of the fragment name and vary values). An unauthenticated entry would let
// a client plant a response or a script for everyone else. So what they
// store is sealed: an HMAC-SHA256 over the key and the payload. An entry
// whose MAC does not match is a miss, and is overwritten by the next
// store.
//
// The sealing key is derived from the deployment's secret,
// $HTTPCHECK_SECRET_KEY (SecretKeyEnv), when it is set: every instance of
// a deployment given the same secret (as every Django instance shares
// SECRET_KEY) accepts what the others sealed, so instances sharing a file,
// SQLite, Redis or PostgreSQL cache share their cached pages and
// fragments. Without the secret the key is made at random when the
// process starts: another process's entries are then misses, and
// instances share only the Cache API's data.

// SecretKeyEnv names the environment variable holding the deployment's
// secret (the one reference/session's signed store reads too).
const SecretKeyEnv = secretkey.Env

// sealKey returns this process's key for sealing, made on first use.
var sealKey = sync.OnceValue(func() []byte {
	if s := os.Getenv(SecretKeyEnv); s != "" {
		return secretkey.Derive([]byte(s), "httpcheck reference/cache: sealing per-view and fragment entries")
	}
	k := make([]byte, 32)
	rand.Read(k) // never fails (crypto/rand, Go 1.24+)
	return k
})

// sealed is the stored form: the payload as a JSON string, so that a
// backend that reformats JSON (PostgreSQL jsonb) keeps it byte for byte.
type sealed struct {
	MAC     string `json:"mac"`
	Payload string `json:"payload"`
}

func sealMAC(key, payload string) string {
	m := hmac.New(sha256.New, sealKey())
	m.Write([]byte(key))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return hex.EncodeToString(m.Sum(nil))
}

// seal returns the value to store for payload under key.
func seal(key, payload string) json.RawMessage {
	v, _ := json.Marshal(sealed{MAC: sealMAC(key, payload), Payload: payload})
	return v
}

// unseal returns the payload that seal stored under key; ok is false for
// anything seal did not make for that key in this process.
func unseal(key string, v json.RawMessage) (payload string, ok bool) {
	var s sealed
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	if !hmac.Equal([]byte(s.MAC), []byte(sealMAC(key, s.Payload))) {
		return "", false
	}
	return s.Payload, true
}
