package cache

// Fuzz targets for what reference/cache reads from outside: keys (from
// any client of the Cache API), timeouts (JSON from the same clients) and
// the files of the file backend (from a disk that may have lost power).
// Seed corpora are in testdata/fuzz/<target>/; plain `go test` runs them,
// `go test -fuzz=FuzzX` explores. docs/reliability.md has the long runs.

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzValidateKey: ValidateKey accepts exactly the portable keys, and no
// key, valid or not, names a file outside the cache directory.
func FuzzValidateKey(f *testing.F) {
	f.Fuzz(func(t *testing.T, prefix, key string) {
		err := ValidateKey(key)
		portable := key != "" && len(key) <= maxKeyLength && utf8.ValidString(key) &&
			!strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' || r == 0x7f })
		if (err == nil) != portable {
			t.Fatalf("ValidateKey(%q) = %v, but portable is %v", key, err, portable)
		}
		// quoteKey shows at most 40 bytes of a key; quoted, those may
		// take four times the room (\x9d), but a 10 kB key never makes
		// a 10 kB message.
		if err != nil && len(err.Error()) > 400 {
			t.Fatalf("ValidateKey(%d bytes): a message of %d bytes", len(key), len(err.Error()))
		}
		dir := filepath.Join("/var", "cache", "httpcheck")
		name := fileName(key)
		if p := filepath.Join(dir, name); filepath.Dir(p) != dir || filepath.Base(p) != name || !isEntryFile(name) {
			t.Fatalf("key %q names the file %s, not an entry inside %s", key, p, dir)
		}
		full, err := makeKey(prefix, key)
		if err == nil {
			if ValidateKey(full) != nil || !strings.HasSuffix(full, key) {
				t.Fatalf("makeKey(%q, %q) = %q, which is not a valid key ending in the key", prefix, key, full)
			}
		}
	})
}

// FuzzParseTimeout: a timeout is null or a whole JSON number; whatever
// it is, it parses without panicking, and an integer keeps its value.
func FuzzParseTimeout(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		to, err := ParseTimeout(json.RawMessage(raw), true)
		if err != nil {
			return
		}
		s := strings.TrimSpace(raw)
		if !json.Valid([]byte(s)) {
			t.Fatalf("ParseTimeout(%q) accepted text that is not JSON: %v", raw, to)
		}
		switch to.kind {
		case timeoutNever:
			if s != "null" {
				t.Fatalf("ParseTimeout(%q) = never", raw)
			}
		case timeoutSeconds:
			if n, err := strconv.ParseInt(s, 10, 64); err == nil && n != to.seconds {
				t.Fatalf("ParseTimeout(%q) = %d seconds", raw, to.seconds)
			}
			f, err := strconv.ParseFloat(s, 64)
			if err == nil && f != math.Trunc(f) {
				t.Fatalf("ParseTimeout(%q) accepted a fraction", raw)
			}
		default:
			t.Fatalf("ParseTimeout(%q) = %v, neither never nor seconds", raw, to)
		}
	})
}

// FuzzDecodeFile: the file backend reads any bytes without panicking; what
// it accepts encodes back to an entry that decodes the same; and no
// proper prefix of a file it wrote (a file cut short by a power cut) is
// accepted, nor one whose value was zeroed.
func FuzzDecodeFile(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if e, ok := decodeFile(data); ok {
			again, ok := decodeFile(encodeFile(e))
			if !ok || again.key != e.key || again.expiresAt != e.expiresAt || !bytes.Equal(again.value, e.value) {
				t.Fatalf("%q decodes as %+v, which does not survive encoding", data, e)
			}
		}
		// data as a value and as a key, written whole then torn.
		for _, e := range []entry{
			{key: "k", value: data, expiresAt: neverExpires},
			{key: strings.ToValidUTF8(strings.ReplaceAll(string(data), "\n", ""), ""), value: []byte("1"), expiresAt: 42},
		} {
			whole := encodeFile(e)
			if got, ok := decodeFile(whole); !ok || got.key != e.key || !bytes.Equal(got.value, e.value) {
				t.Fatalf("the file of %+v does not decode: %+v, %v", e, got, ok)
			}
			for cut := range len(whole) {
				if _, ok := decodeFile(whole[:cut]); ok {
					t.Fatalf("the file of %+v, cut to %d of %d bytes, decodes", e, cut, len(whole))
				}
			}
			if len(e.value) > 0 && bytes.Count(e.value, []byte{0}) != len(e.value) {
				zeroed := bytes.Clone(whole)
				clear(zeroed[len(zeroed)-len(e.value):])
				if _, ok := decodeFile(zeroed); ok {
					t.Fatalf("the file of %+v, its value zeroed, decodes", e)
				}
			}
		}
	})
}

// FuzzDecodePage: a page or vary payload of any bytes is refused or read
// within its bounds, never a panic; a page that is accepted gives back
// the same page when encoded again (lengths may be written in more
// bytes than needed; those read the same). (Payloads are sealed, so only this
// package writes them; this guards against a layout mistake, and against
// a leaked sealing key turning into a crash.)
func FuzzDecodePage(f *testing.F) {
	f.Add(appendPage(nil, 200, http.Header{"Content-Type": {"text/plain"}, "X": {"a", "b"}}, []byte("hello"), 1))
	f.Add(appendVary(nil, []string{"Accept", "Cookie"}))
	f.Fuzz(func(t *testing.T, payload []byte) {
		if names, err := decodeVary(payload); err == nil {
			if again, err := decodeVary(appendVary(nil, names)); err != nil || !slices.Equal(again, names) {
				t.Fatalf("vary %q does not survive encoding again: %q, %v", names, again, err)
			}
		}
		p, err := decodePage(payload)
		if err != nil {
			return
		}
		h := http.Header{}
		p.setHeaders(h)
		if p.status > 0xffff || len(h) > p.names {
			t.Fatalf("page %+v gave %d fields", p, len(h))
		}
		again, err := decodePage(appendPage(nil, p.status, h, p.body, p.storedAt))
		if err != nil || again.status != p.status || again.storedAt != p.storedAt || !bytes.Equal(again.body, p.body) {
			t.Fatalf("page %+v does not survive encoding again: %+v, %v", p, again, err)
		}
	})
}
