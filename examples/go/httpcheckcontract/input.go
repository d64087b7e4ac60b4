package httpcheckcontract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is an answer other than 200 that the client caused: bad input
// (400), a name that does not exist (404), a body too large (413)...
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

func badInput(format string, args ...any) *Error {
	return &Error{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *Error {
	return &Error{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
	return nil
}

// writeError answers {"error": message} with status.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

// readBody reads the request body, at most limit bytes: 413 above it, 408
// when it does not arrive in time, 400 when it is malformed.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err == nil {
		return body, nil
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, &Error{http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", limit)}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, &Error{http.StatusRequestTimeout, "the body did not arrive in time"}
	}
	return nil, badInput("the body could not be read: %v", err)
}

// readObject reads a JSON object from the body; an empty body is {}.
// Numbers stay json.Number, so that nothing is rounded on the way in.
func (h *handler) readObject(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	raw, err := readBody(w, r, h.opts.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return map[string]any{}, nil
	}
	if !utf8.Valid(raw) {
		return nil, badInput("the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, badInput("the body is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badInput("the body is not valid JSON: data after the object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, badInput("the body must be a JSON object, not %s", jsonType(v))
	}
	return obj, nil
}

// only refuses members an operation does not take ("ttl" for "timeout").
func only(body map[string]any, names ...string) error {
	var extra []string
	for k := range body {
		if !slices.Contains(names, k) {
			extra = append(extra, strconv.Quote(k))
		}
	}
	if len(extra) > 0 {
		return badInput("unknown member %s (this operation takes %s)", strings.Join(extra, ", "), strings.Join(names, ", "))
	}
	return nil
}

// member returns body[name], which must be present.
func member(body map[string]any, name string) (any, error) {
	v, ok := body[name]
	if !ok {
		return nil, badInput("missing member %q", name)
	}
	return v, nil
}

// stringMember returns body[name], which must be a string.
func stringMember(body map[string]any, name string) (string, error) {
	v, err := member(body, name)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", badInput("member %q must be a string, not %s", name, jsonType(v))
	}
	return s, nil
}

// wholeNumber reads a JSON number that is a whole number (300, 3e2, 300.0)
// within [lo, hi].
func wholeNumber(v any, what string, lo, hi int64) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, badInput("%s must be a whole number, not %s", what, jsonType(v))
	}
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		if i < lo || i > hi {
			return 0, badInput("%s = %d is out of range (%d to %d)", what, i, lo, hi)
		}
		return i, nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || f != math.Trunc(f) {
		return 0, badInput("%s must be a whole number, not %s", what, n)
	}
	if f < float64(lo) || f > float64(hi) {
		return 0, badInput("%s = %s is out of range (%d to %d)", what, n, lo, hi)
	}
	return int64(f), nil
}

// queryInt reads a query parameter that must be plain digits within
// [lo, hi]; ok is false when it is absent.
func queryInt(r *http.Request, name string, lo, hi int64) (n int64, ok bool, err error) {
	q := r.URL.Query()
	if !q.Has(name) {
		return 0, false, nil
	}
	raw := q.Get(name)
	n, perr := strconv.ParseInt(raw, 10, 64)
	if perr != nil || strings.TrimLeft(raw, "0123456789") != "" || n < lo || n > hi {
		return 0, true, badInput("%s %q: want whole seconds from %d to %d", name, raw, lo, hi)
	}
	return n, true, nil
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64, int64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}

// Value turns a JSON value decoded with json.Decoder.UseNumber into the Go
// values a service stores: integers that fit become int64, other numbers
// float64, and numbers neither can hold exactly (integers beyond 64 bits,
// floats beyond float64's range) stay json.Number. Objects and arrays are
// converted throughout. Session managers and caches then keep ordinary Go
// values, and encoding/json writes each back as the same JSON value.
func Value(v any) any {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
			return x
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Value(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Value(e)
		}
		return out
	}
	return v
}
