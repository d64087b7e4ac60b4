package cache

import (
	"bytes"
	"context"
	"encoding/json"
)

// The per-view and fragment caches store sealed entries (seal.go), which
// are bytes, not JSON: the hit path reads them as stored, with no JSON or
// base64 to decode. They go past the Cache interface's JSON checks through
// readSealed and writeSealed, which reach the backend's storage directly
// when the Cache is one of this package's.
//
// The Cache API still answers JSON for every key: Get, GetMany and
// GetOrSet show a sealed entry as a JSON string holding its bytes in
// base64 (asJSON). A Cache implemented elsewhere (a test's wrapper)
// stores sealed entries in that same form, through its own Get and Set.

// readSealed returns the bytes stored under key, which are the caller's to
// keep.
func readSealed(ctx context.Context, c Cache, key string) ([]byte, bool, error) {
	own, ok := c.(*cache)
	if !ok {
		return readSealedJSON(ctx, c, key)
	}
	now, k, err := own.beginKey(ctx, key)
	if err != nil {
		return nil, false, err
	}
	return own.s.get(ctx, k, now)
}

// writeSealed stores the sealed entry v under key for t.
func writeSealed(ctx context.Context, c Cache, key string, v []byte, t Timeout) error {
	own, ok := c.(*cache)
	if !ok {
		return c.Set(ctx, key, asJSON(v), t)
	}
	now, k, err := own.beginKey(ctx, key)
	if err != nil {
		return err
	}
	exp, fresh := own.expiresAt(t, now)
	if !fresh {
		_, err := own.s.delete(ctx, []string{k}, now)
		return err
	}
	_, err = own.s.set(ctx, []entry{{key: k, value: v, expiresAt: exp}}, now)
	return err
}

// readSealedJSON reads a sealed entry that a Cache of another package
// holds in its JSON form.
func readSealedJSON(ctx context.Context, c Cache, key string) ([]byte, bool, error) {
	v, found, err := c.Get(ctx, key)
	if err != nil || !found {
		return nil, false, err
	}
	var b []byte
	if json.Unmarshal(v, &b) != nil {
		return nil, false, nil
	}
	return b, true, nil
}

// asJSON returns v as the Cache API shows it: as is when it is JSON, and a
// sealed entry as a JSON string of its base64.
func asJSON(v []byte) json.RawMessage {
	if !bytes.HasPrefix(v, []byte(sealedMagic)) {
		return v
	}
	s, _ := json.Marshal(v)
	return s
}
