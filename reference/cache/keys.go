package cache

import (
	"fmt"
	"unicode/utf8"
)

// maxKeyLength is memcached's limit on a key, in bytes (Django's
// MEMCACHE_MAX_KEY_LENGTH).
const maxKeyLength = 250

// ValidateKey reports whether key may name a cache entry, by Django's rules
// for keys that work with every backend (memcache_key_warnings in
// django/core/cache/backends/base.py): at most 250 bytes, and no ASCII
// control character (0x00-0x1F, 0x7F) or space. It also rejects the empty
// key and invalid UTF-8, which memcached and Django's str keys cannot
// carry. The error wraps ErrBadKey and says what is wrong.
//
// Django merely warns about such keys outside memcached; a reference that
// accepted them would pass applications that break the day they move to
// memcached, so here they are errors everywhere.
func ValidateKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: the key is empty", ErrBadKey)
	}
	if len(key) > maxKeyLength {
		return fmt.Errorf("%w: %s is %d bytes long, more than %d", ErrBadKey, quoteKey(key), len(key), maxKeyLength)
	}
	for i := 0; i < len(key); i++ {
		if b := key[i]; b <= ' ' || b == 0x7f {
			what := "a control character"
			if b == ' ' {
				what = "a space"
			}
			return fmt.Errorf("%w: %s holds %s (%#02x) at byte %d", ErrBadKey, quoteKey(key), what, b, i)
		}
	}
	if !utf8.ValidString(key) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrBadKey, quoteKey(key))
	}
	return nil
}

// quoteKey quotes a key for an error message, cut short so that a 10 kB
// key does not make a 10 kB message.
func quoteKey(key string) string {
	const show = 40
	if len(key) <= show {
		return fmt.Sprintf("key %q", key)
	}
	return fmt.Sprintf("key %q...", key[:show])
}

// makeKey returns the key stored for the caller's key: KeyPrefix + ":" +
// key, or key alone without a prefix (Django's default_key_func, without
// the version), and checks it with ValidateKey.
func makeKey(prefix, key string) (string, error) {
	if key == "" {
		return "", ValidateKey(key)
	}
	full := key
	if prefix != "" {
		full = prefix + ":" + key
	}
	if err := ValidateKey(full); err != nil {
		return "", err
	}
	return full, nil
}
