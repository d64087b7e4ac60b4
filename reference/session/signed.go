package session

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/internal/secretkey"
)

// The signed store is Django's signed_cookies backend: the session data
// itself travels in the cookie, signed so that the client cannot change it.
//
// WARNING: A SIGNED-COOKIE SESSION CANNOT BE INVALIDATED BY THE SERVER.
// There is no server-side record to delete. Flush and logout ask the browser
// to drop its cookie, but anyone who copied the cookie before (a shared
// computer, a proxy or log that recorded it, malware) can keep presenting
// it, and the server keeps accepting it, until the expiry signed inside it.
// ASVS 4.0.3 §3.3.1 requires logout and expiration to invalidate the session
// token: this backend meets it for expiration only. For the same reason a
// client can replay any older cookie it was given (from before a logout,
// from before a permission was removed) for as long as that cookie lives.
// The data is signed, not encrypted: the client can read all of it.
// Delete is a no-op and ClearExpired removes nothing.
//
// What is done correctly here: the signed payload carries the session's own
// expiry, and Load refuses a token past it. Django checks only
// SESSION_COOKIE_AGE since signing, so a set_expiry(60) session outlives its
// minute on the server.
//
// Token format, every part base64url without padding:
//
//	"1." payload "." HMAC-SHA256(k, "1." payload)
//	payload = {"d": data, "e": expiry, "t": issued-at, "n": nonce} (Unix nanoseconds)
//
// k is derived from the secret by HMAC-SHA256(secret, signedKeyContext), so a
// secret shared with other uses (CSRF tokens, password reset links) never
// produces a MAC that verifies here (ASVS 4.0.3 §3.5.3). The nonce makes
// every token distinct, so CycleKey always changes the key.
//
// Key rotation: tokens are signed with the current secret and verified
// against it and each fallback (Django's SECRET_KEY_FALLBACKS). To rotate,
// make the old secret a fallback and a new one current; remove the fallback
// once Settings.CookieAge has passed. A token verified by a fallback
// is re-signed with the current secret the next time its session is saved.
type signedStore struct {
	clock clock.Clock
	keys  [][]byte // derived MAC keys; keys[0] signs, all verify
}

// SecretKeyEnv names the environment variable that holds the current secret
// of the store Open("signed") returns. Secrets never appear in store URLs,
// which end up in command lines, process lists and logs.
const SecretKeyEnv = secretkey.Env

// SecretKeyFallbacksEnv names the environment variable that holds older
// secrets, separated by commas, still accepted to verify a token.
const SecretKeyFallbacksEnv = "HTTPCHECK_SECRET_KEY_FALLBACKS"

// MinSecretLen is the shortest secret NewSigned accepts, in bytes: the
// output size of SHA-256, so the MAC is not weaker than its key.
const MinSecretLen = 32

// signedKeyContext separates this package's MAC keys from any other use of
// the same secret.
const signedKeyContext = "httpcheck reference/session signed cookie v1"

// signedVersion prefixes every token, so the format can change later.
const signedVersion = "1"

// maxSignedTokenBytes bounds a token so that, with a cookie name of up to 96
// bytes, the cookie stays within the 4096 bytes of RFC 6265bis §4.1.2; a
// larger one would be silently dropped by the browser.
const maxSignedTokenBytes = 4000

var b64 = base64.RawURLEncoding.Strict()

// errSignedSave is returned by Save: a signed session's key is its data, so
// new data means a new key, which Create returns. The middleware knows this
// (see isCookieBased) and never calls Save on a signed store.
var errSignedSave = errors.New("signed: the data is the key; call Create to sign new data")

type signedPayload struct {
	Data     json.RawMessage `json:"d"`
	Expiry   int64           `json:"e"`
	IssuedAt int64           `json:"t"`
	Nonce    string          `json:"n"`
}

func openSigned(rest string, c clock.Clock) (Store, error) {
	if rest != "" {
		return nil, fmt.Errorf("signed: takes no argument (the secret comes from $%s, never from the URL)", SecretKeyEnv)
	}
	secret := os.Getenv(SecretKeyEnv)
	if secret == "" {
		return nil, fmt.Errorf("signed: $%s is not set", SecretKeyEnv)
	}
	var fallbacks [][]byte
	for f := range strings.SplitSeq(os.Getenv(SecretKeyFallbacksEnv), ",") {
		if f != "" {
			fallbacks = append(fallbacks, []byte(f))
		}
	}
	return NewSigned(c, []byte(secret), fallbacks...)
}

// NewSigned returns a store that keeps session data in the cookie itself
// (Django's signed_cookies), signed with HMAC-SHA256 under secret; tokens
// signed under any of the fallbacks are still accepted, so secrets can be
// rotated. Every secret must be at least MinSecretLen bytes.
//
// WARNING: such sessions cannot be invalidated by the server. Logout (Flush)
// only asks the browser to drop its cookie; a copy of the cookie taken before
// keeps working until the expiry signed into it, and so does any older
// cookie the client kept. ASVS 4.0.3 §3.3.1 (logout invalidates the session
// token) is not met. The data is signed, not encrypted: the client can read
// it. Prefer a server-side store wherever logout must mean logout.
func NewSigned(c clock.Clock, secret []byte, fallbacks ...[]byte) (Store, error) {
	if c == nil {
		c = clock.Real{}
	}
	s := &signedStore{clock: c}
	for i, sec := range append([][]byte{secret}, fallbacks...) {
		if len(sec) < MinSecretLen {
			which := "the secret"
			if i > 0 {
				which = fmt.Sprintf("fallback secret %d", i)
			}
			return nil, fmt.Errorf("signed: %s is %d bytes, want at least %d", which, len(sec), MinSecretLen)
		}
		s.keys = append(s.keys, secretkey.Derive(sec, signedKeyContext))
	}
	return s, nil
}

// isCookieBased marks the signed store for the middleware.
func (s *signedStore) isCookieBased() bool { return true }

func (s *signedStore) mac(key []byte, signed string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signed))
	return m.Sum(nil)
}

// isTokenText reports whether s holds only what a token is written with:
// the base64url alphabet and the dots between its parts. Go's base64
// decoders skip '\r' and '\n' even in strict mode, so without this a token
// with a line break inside its MAC would verify as if it were not there.
func isTokenText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// verify returns the payload of token when its MAC verifies under one of the
// keys; it does not look at the expiry.
func (s *signedStore) verify(token string) (signedPayload, bool) {
	var p signedPayload
	if len(token) > maxSignedTokenBytes || !isTokenText(token) {
		return p, false
	}
	version, rest, ok1 := strings.Cut(token, ".")
	payload, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || version != signedVersion {
		return p, false
	}
	got, err := b64.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return p, false
	}
	signed := version + "." + payload
	valid := false
	for _, k := range s.keys {
		valid = hmac.Equal(got, s.mac(k, signed)) || valid // constant time: try every key
	}
	if !valid {
		return p, false
	}
	raw, err := b64.DecodeString(payload)
	if err != nil {
		return p, false
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.Data == nil {
		return p, false
	}
	return p, true
}

func (s *signedStore) Load(ctx context.Context, token string) (map[string]json.RawMessage, time.Time, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, false, err
	}
	p, ok := s.verify(token)
	if !ok {
		return nil, time.Time{}, false, nil
	}
	expiry := fromUnixNano(p.Expiry)
	if !isLive(expiry, s.clock.Now()) {
		return nil, time.Time{}, false, nil
	}
	data, err := decodeData(p.Data)
	if err != nil {
		return nil, time.Time{}, false, nil // signed by us, so never; but never serve it
	}
	return data, expiry, true, nil
}

// Save always fails: see errSignedSave.
func (s *signedStore) Save(ctx context.Context, key string, data map[string]json.RawMessage, expiry time.Time) error {
	return errSignedSave
}

// Delete does nothing: there is nothing on the server to delete. This is the
// weakness the warning above describes.
func (s *signedStore) Delete(ctx context.Context, key string) error { return ctx.Err() }

func (s *signedStore) Exists(ctx context.Context, token string) (bool, error) {
	_, _, found, err := s.Load(ctx, token)
	return found, err
}

func (s *signedStore) Create(ctx context.Context, data map[string]json.RawMessage, expiry time.Time) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	b, err := encodeData(data)
	if err != nil {
		return "", err
	}
	var nonce [12]byte
	rand.Read(nonce[:])
	raw, err := json.Marshal(signedPayload{
		Data:     b,
		Expiry:   toUnixNano(expiry),
		IssuedAt: toUnixNano(s.clock.Now()),
		Nonce:    b64.EncodeToString(nonce[:]),
	})
	if err != nil {
		return "", fmt.Errorf("signed: encoding a session: %w", err)
	}
	signed := signedVersion + "." + b64.EncodeToString(raw)
	token := signed + "." + b64.EncodeToString(s.mac(s.keys[0], signed))
	if len(token) > maxSignedTokenBytes {
		return "", fmt.Errorf("%w: %d bytes signed, at most %d fit", ErrTooLarge, len(token), maxSignedTokenBytes)
	}
	return token, nil
}

// ClearExpired removes nothing: expired tokens live only in browsers, which
// drop them by Max-Age, and Load refuses them.
func (s *signedStore) ClearExpired(ctx context.Context) (int, error) { return 0, ctx.Err() }

func (s *signedStore) Close() error { return nil }

// isCookieBased reports whether store keeps the session data in the cookie
// itself. For such a store the middleware signs the data afresh (Create) at
// every save instead of updating a record (Save), and Delete cannot
// invalidate anything. The method is unexported: only this package's
// backends can claim it.
func isCookieBased(store Store) bool {
	cb, ok := store.(interface{ isCookieBased() bool })
	return ok && cb.isCookieBased()
}
