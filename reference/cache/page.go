package cache

import (
	"encoding/binary"
	"errors"
	"net/http"
	"unsafe"
)

// The per-view cache's stored forms, the payloads of sealed entries
// (seal.go). Every length is a uvarint and every count is written before
// what it counts, so a reader walks the payload once with bounds checks
// and never trusts a length beyond the bytes it has:
//
//	page:  'P' | stored at (int64, Unix ns, big-endian) | status (uint16)
//	       | len(headers) | headers | len(body) | body
//	       headers: names | values | then per name: len(name) name
//	                count(values) then per value: len(value) value
//	vary:  'V' | count | per name: len(name) name
//
// The headers are one block so that a hit turns them into strings with one
// conversion, and the body is the rest of the entry, served from the bytes
// the cache returned, without a copy.
const (
	pageKind = 'P'
	varyKind = 'V'
)

// errMalformed is a payload that does not parse. Sealed payloads are this
// package's own, so it means a layout this code does not know.
var errMalformed = errors.New("cache: malformed stored page")

// page is a stored response as read from its entry: its header block is
// checked but not yet decoded, and body is a slice of the entry.
type page struct {
	status   int
	storedAt int64
	headers  []byte
	names    int // header names in headers
	values   int // header values in headers
	body     []byte
}

// appendPage appends the page payload of a response to b.
func appendPage(b []byte, status int, h http.Header, body []byte, storedAt int64) []byte {
	b = append(b, pageKind)
	b = binary.BigEndian.AppendUint64(b, uint64(storedAt))
	b = binary.BigEndian.AppendUint16(b, uint16(status))
	block := appendHeaderBlock(nil, h)
	b = appendBytes(b, block)
	return appendBytes(b, body)
}

// appendHeaderBlock appends h's block: counts first, then each name with
// its values.
func appendHeaderBlock(b []byte, h http.Header) []byte {
	values := 0
	for _, vs := range h {
		values += len(vs)
	}
	b = binary.AppendUvarint(b, uint64(len(h)))
	b = binary.AppendUvarint(b, uint64(values))
	for name, vs := range h {
		b = appendString(b, name)
		b = binary.AppendUvarint(b, uint64(len(vs)))
		for _, v := range vs {
			b = appendString(b, v)
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendBytes(b, s []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// appendVary appends the vary payload listing names to b.
func appendVary(b []byte, names []string) []byte {
	b = append(b, varyKind)
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, n := range names {
		b = appendString(b, n)
	}
	return b
}

// reader walks a payload; a read past its end sets err and yields zeros.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() int {
	n, size := binary.Uvarint(r.b)
	if size <= 0 || n > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	r.b = r.b[size:]
	return int(n)
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n > len(r.b) {
		r.fail()
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

func (r *reader) fail() { r.err, r.b = errMalformed, nil }

// decodePage reads a page payload, checking every length in it.
func decodePage(payload []byte) (page, error) {
	if len(payload) < 11 || payload[0] != pageKind {
		return page{}, errMalformed
	}
	p := page{
		storedAt: int64(binary.BigEndian.Uint64(payload[1:])),
		status:   int(binary.BigEndian.Uint16(payload[9:])),
	}
	r := reader{b: payload[11:]}
	p.headers = r.bytes(r.uvarint())
	p.body = r.bytes(r.uvarint())
	if r.err != nil || len(r.b) != 0 {
		return page{}, errMalformed
	}
	var err error
	p.names, p.values, err = checkHeaderBlock(p.headers)
	return p, err
}

// checkHeaderBlock walks a header block and returns its counts.
func checkHeaderBlock(block []byte) (names, values int, err error) {
	r := reader{b: block}
	names, values = r.uvarint(), r.uvarint()
	seen := 0
	for range names {
		r.bytes(r.uvarint())
		n := r.uvarint()
		for range n {
			r.bytes(r.uvarint())
		}
		seen += n
	}
	if r.err != nil || len(r.b) != 0 || seen != values {
		return 0, 0, errMalformed
	}
	return names, values, nil
}

// setHeaders sets every stored header field in h, replacing h's values
// for those names. The strings share one allocation, and the value slices
// one array, capped so that appending to one never writes into the next.
func (p page) setHeaders(h http.Header) {
	text := string(p.headers)
	values := make([]string, 0, p.values)
	pos := 0
	next := func() int {
		n, size := binary.Uvarint(p.headers[pos:])
		pos += size
		return int(n)
	}
	str := func() string {
		n := next()
		s := text[pos : pos+n]
		pos += n
		return s
	}
	next() // names
	next() // values
	for range p.names {
		name := str()
		start := len(values)
		for range next() {
			values = append(values, str())
		}
		h[name] = values[start:len(values):len(values)]
	}
}

// decodeVary reads a vary payload.
func decodeVary(payload []byte) ([]string, error) {
	if len(payload) < 1 || payload[0] != varyKind {
		return nil, errMalformed
	}
	r := reader{b: payload[1:]}
	n := r.uvarint()
	names := make([]string, 0, n)
	for range n {
		names = append(names, string(r.bytes(r.uvarint())))
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errMalformed
	}
	return names, nil
}

// bytesString is b as a string without a copy. Only for bytes that nothing
// writes to again: a value read from the cache is the caller's own.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
