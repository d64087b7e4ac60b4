package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// JSON values round-trip through targets written in other languages: one
// comparison for every suite that stores a value and reads it back.

// SameJSON reports whether got is the JSON value sent: objects equal
// without regard to member order, arrays element by element, strings
// exactly, numbers by value. A number sent as an integer must come back as
// exactly that integer; a number sent with a fraction or an exponent may
// come back as any text that denotes the same double (0.1 is
// 0.1000000000000000055511151231257827 to a double, and either spelling is
// the same value to every JSON reader that uses doubles).
func SameJSON(sent, got []byte) bool {
	a, errA := decodeJSON(sent)
	b, errB := decodeJSON(got)
	return errA == nil && errB == nil && sameValue(a, b)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return v, nil
}

func sameValue(sent, got any) bool {
	switch s := sent.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(s) {
			return false
		}
		for k, v := range s {
			gv, ok := g[k]
			if !ok || !sameValue(v, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(s) {
			return false
		}
		for i := range s {
			if !sameValue(s[i], g[i]) {
				return false
			}
		}
		return true
	case json.Number:
		g, ok := got.(json.Number)
		return ok && sameNumber(string(s), string(g))
	default: // string, bool, nil
		return sent == got
	}
}

// maxExactNumber bounds the number literals compared exactly: a target
// answering 1e999999999 must not make the harness compute it.
const maxExactNumber = 400

// sameNumber compares two JSON number literals as described at SameJSON.
func sameNumber(sent, got string) bool {
	if sent == got {
		return true
	}
	if ex, ok := exactValue(sent); ok {
		if gx, ok := exactValue(got); ok && ex.Cmp(gx) == 0 {
			return true
		}
	}
	if isIntegerLiteral(sent) {
		return false
	}
	sf, err1 := strconv.ParseFloat(sent, 64)
	gf, err2 := strconv.ParseFloat(got, 64)
	return err1 == nil && err2 == nil && sf == gf
}

func isIntegerLiteral(s string) bool { return !strings.ContainsAny(s, ".eE") }

// exactValue is the exact rational value of a number literal, when it is
// small enough to compute.
func exactValue(s string) (*big.Rat, bool) {
	if len(s) > maxExactNumber {
		return nil, false
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || exp > maxExactNumber || exp < -maxExactNumber {
			return nil, false
		}
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// CanonicalJSON is JSON text as a reader sees it (members sorted, numbers as
// written), for messages.
func CanonicalJSON(b []byte) string {
	v, err := decodeJSON(b)
	if err != nil {
		return fmt.Sprintf("%.200q (not JSON)", b)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	s := strings.TrimSpace(buf.String())
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
