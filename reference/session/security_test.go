package session

// Security defaults of the session package, each tested so that removing
// it fails a test (docs/reliability.md, "Security defaults"): keys of at
// least 128 bits from crypto/rand, signed cookies under HMAC-SHA256
// compared in constant time, with key rotation (TestSignedTokens). The
// reference's cookie attributes are tested where the reference is
// configured: cmd/httpcheck's TestServeSessionCookieAttributes.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
	"github.com/httpcheck/httpcheck/reference/internal/mactest"
)

// TestNewKeyComesFromCryptoRand reads the package's source: NewKey fills
// its bytes with crypto/rand's Read, and no file of the package imports
// math/rand, whose generators are predictable (ASVS 4.0.3 §3.2.4). The
// entropy itself is TestNewKey's and TestNewKeyBitsAreUniform's.
func TestNewKeyComesFromCryptoRand(t *testing.T) {
	fset := token.NewFileSet()
	sources, _ := filepath.Glob("*.go")
	calls := 0
	for _, src := range sources {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, src, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{} // local name -> import path
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "math/rand") {
				t.Errorf("%s imports %s: session keys and nonces must come from crypto/rand", fset.Position(imp.Pos()).Filename, path)
			}
			name := path[strings.LastIndex(path, "/")+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			names[name] = path
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Name.Name != "NewKey" {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
						if x, ok := sel.X.(*ast.Ident); ok && names[x.Name] == "crypto/rand" && sel.Sel.Name == "Read" {
							calls++
						}
					}
				}
				return true
			})
		}
	}
	if calls != 1 {
		t.Errorf("NewKey calls crypto/rand.Read %d times, want once", calls)
	}
}

// TestNewKeyBitsAreUniform: over 20,000 keys, each of the 160 bits is set
// in close to half of them: a generator that counts, or leaves bits fixed
// (fewer random bytes than the key has room for), fails. A cheap
// statistical floor under the 128-bit claim.
func TestNewKeyBitsAreUniform(t *testing.T) {
	const n = 20000
	var ones [keyBytes * 8]int
	for range n {
		b, err := keyEncoding.DecodeString(NewKey())
		if err != nil || len(b) != keyBytes {
			t.Fatalf("a key decodes to %d bytes (%v), want %d", len(b), err, keyBytes)
		}
		for i, c := range b {
			for j := range 8 {
				ones[i*8+j] += int(c>>j) & 1
			}
		}
	}
	for i, k := range ones {
		// Binomial(20000, 1/2): sd ~ 71; 6 sd is 424.
		if k < n/2-424 || k > n/2+424 {
			t.Errorf("bit %d is set in %d of %d keys, far from half", i, k, n)
		}
	}
}

// TestSignedTokenIsHMACSHA256 recomputes a token's MAC apart from the
// store's code: HMAC-SHA256 over "1." and the payload, under a key derived
// from the secret by HMAC-SHA256 with the package's context string. A MAC
// made otherwise (another hash, the raw secret, a truncated tag) fails.
func TestSignedTokenIsHMACSHA256(t *testing.T) {
	secret := []byte("a secret of thirty-two bytes or more, for this test")
	s, err := NewSigned(clock.NewManual(tNow), secret)
	if err != nil {
		t.Fatal(err)
	}
	token, err := s.Create(context.Background(), parseData(t, `{"user":"alice"}`), tNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	version, rest, _ := strings.Cut(token, ".")
	payload, sig, _ := strings.Cut(rest, ".")
	derive := hmac.New(sha256.New, secret)
	derive.Write([]byte(signedKeyContext))
	m := hmac.New(sha256.New, derive.Sum(nil))
	m.Write([]byte(version + "." + payload))
	want := m.Sum(nil)
	got, err := b64.DecodeString(sig)
	if err != nil || len(got) != sha256.Size || !hmac.Equal(got, want) {
		t.Errorf("the token's MAC is %x (%d bytes, %v), want HMAC-SHA256 %x", got, len(got), err, want)
	}
}

// TestMACsAreComparedInConstantTime reads signed.go: verify compares MACs
// with hmac.Equal, whose time does not depend on where two MACs differ,
// and with nothing that returns at the first differing byte (==, !=,
// bytes.Equal, bytes.Compare, strings.EqualFold). A timing test would be
// too noisy to fail reliably; this one fails the day the comparison
// changes.
func TestMACsAreComparedInConstantTime(t *testing.T) {
	mactest.ComparedInConstantTime(t, "signed.go", "verify")
}
