package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"unicode/utf8"
)

// Defences against malformed and hostile requests that every endpoint
// shares. The hostile catalogue (hostile_test.go) found each of them
// missing once; docs/reliability.md tells the story.

// isCleanPath reports whether p, a request's decoded path, has no empty,
// "." or ".." segment (RFC 3986 §3.3, §5.2.4). ServeMux would otherwise
// redirect such a path to its clean form, which answers a traversal such
// as /resources/../../etc/passwd with a redirect to /etc/passwd rather
// than the contract's JSON error. A trailing slash is kept: /resources/ is
// clean (and names no endpoint).
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	clean := path.Clean(p)
	if p[len(p)-1] == '/' && clean != "/" {
		clean += "/"
	}
	return clean == p
}

// readBody reads the request body (bounded by ServeHTTP's MaxBytesReader)
// and checks that it is JSON text a server can read without guessing:
// valid UTF-8 (RFC 8259 §8.1) with no unpaired surrogate escape (§8.2).
// encoding/json would silently turn both into U+FFFD, so that the cache
// keys "a\xffb" and "a\ud800b" became one key, and one the client never
// sent. On failure it returns the status and message to answer.
func readBody(r *http.Request) ([]byte, int, error) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		status, msg := bodyError(err)
		return nil, status, errors.New(msg)
	}
	if err := checkJSONText(data); err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("request body is not JSON text: %v", err)
	}
	return data, 0, nil
}

// bodyError says how to answer a failure to read a request body: 413 over
// MaxBodyBytes, 408 when the body did not arrive within the server's
// ReadTimeout (RFC 9110 §15.5.9), 400 otherwise (a malformed chunked
// body, a client that hung up mid-way).
func bodyError(err error) (int, string) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", tooBig.Limit)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return http.StatusRequestTimeout, "the request body did not arrive in time"
	}
	return http.StatusBadRequest, "reading the request body: " + err.Error()
}

// writeBodyError answers a failure to read a request body.
func writeBodyError(w http.ResponseWriter, status int, msg string) {
	if status == http.StatusRequestTimeout || status == http.StatusRequestEntityTooLarge {
		// The rest of the body may still be on its way: this connection
		// cannot carry another request (RFC 9110 §15.5.9, §15.5.14).
		w.Header().Set("Connection", "close")
	}
	writeError(w, status, msg)
}

// checkJSONText reports why data is not JSON text that decodes without
// loss: invalid UTF-8, or a \u escape of a surrogate that is not half of
// a pair. It does not check the JSON grammar; the decoder does that.
func checkJSONText(data []byte) error {
	if !utf8.Valid(data) {
		return errors.New("it is not valid UTF-8 (RFC 8259 §8.1)")
	}
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(data):
			i++
			if data[i] != 'u' {
				continue
			}
			r, ok := hex4(data, i+1)
			if !ok {
				continue // the decoder reports the malformed escape
			}
			i += 4
			switch {
			case 0xDC00 <= r && r <= 0xDFFF:
				return fmt.Errorf("\\u%04x is an unpaired surrogate (RFC 8259 §8.2)", r)
			case 0xD800 <= r && r <= 0xDBFF:
				if i+6 >= len(data) || data[i+1] != '\\' || data[i+2] != 'u' {
					return fmt.Errorf("\\u%04x is an unpaired surrogate (RFC 8259 §8.2)", r)
				}
				low, ok := hex4(data, i+3)
				if !ok || low < 0xDC00 || low > 0xDFFF {
					return fmt.Errorf("\\u%04x is an unpaired surrogate (RFC 8259 §8.2)", r)
				}
				i += 6
			}
		}
	}
	return nil
}

// hex4 reads four hexadecimal digits at data[i:].
func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
