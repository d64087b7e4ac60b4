package cache

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"hash"
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
//
// The sealed form is binary, read on every cache hit, so it costs one
// HMAC and no decoding (issue 19):
//
//	sealedMagic | payload | HMAC-SHA256(key, 0x00, payload)
//
// The payload's length is what lies between the magic and the 32-byte MAC.
// The magic starts with a NUL byte, which no JSON text starts with, so a
// value written through the Cache API (always JSON) is never taken for a
// sealed entry, and entries sealed by the earlier JSON form
// ({"mac":..., "payload":...}) are misses. A torn entry (a value cut short
// or zeroed) fails the MAC, so it is a miss too. The backends store bytes
// as given (PostgreSQL BYTEA, SQLite BLOB, Redis strings, files with a
// CRC); the Cache API shows a sealed entry as a JSON string (raw.go).

// SecretKeyEnv names the environment variable holding the deployment's
// secret (the one reference/session's signed store reads too).
const SecretKeyEnv = secretkey.Env

// sealedMagic starts every sealed entry; the version digit changes with
// the layout, so that entries of another layout are misses.
const sealedMagic = "\x00hcsealed2"

// sealKey returns this process's key for sealing, made on first use.
var sealKey = sync.OnceValue(func() []byte {
	if s := os.Getenv(SecretKeyEnv); s != "" {
		return secretkey.Derive([]byte(s), "httpcheck reference/cache: sealing per-view and fragment entries")
	}
	k := make([]byte, 32)
	rand.Read(k) // never fails (crypto/rand, Go 1.24+)
	return k
})

// macs keeps HMAC states for reuse: hmac.New allocates and hashes the key
// twice, which a hit would otherwise pay every time.
var macs = sync.Pool{New: func() any { return hmac.New(sha256.New, sealKey()) }}

// appendMAC appends the MAC of payload under key to dst.
func appendMAC(dst []byte, key string, payload []byte) []byte {
	m := macs.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(key))
	m.Write([]byte{0})
	m.Write(payload)
	dst = m.Sum(dst)
	macs.Put(m)
	return dst
}

// sealStart returns a buffer for a sealed entry with room for a payload
// of about n bytes: append the payload to it, then call seal.
func sealStart(n int) []byte {
	b := make([]byte, 0, len(sealedMagic)+n+sha256.Size)
	return append(b, sealedMagic...)
}

// seal completes the entry b (sealStart followed by the payload) for key.
func seal(key string, b []byte) []byte {
	return appendMAC(b, key, b[len(sealedMagic):])
}

// unseal returns the payload that seal stored under key, as a slice of v;
// ok is false for anything seal did not make for that key with this
// process's sealing key.
func unseal(key string, v []byte) (payload []byte, ok bool) {
	if len(v) < len(sealedMagic)+sha256.Size || string(v[:len(sealedMagic)]) != sealedMagic {
		return nil, false
	}
	end := len(v) - sha256.Size
	payload = v[len(sealedMagic):end]
	var sum [sha256.Size]byte
	if !hmac.Equal(v[end:], appendMAC(sum[:0], key, payload)) {
		return nil, false
	}
	return payload, true
}
