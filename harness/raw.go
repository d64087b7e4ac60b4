package harness

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
)

// RawResponse is a response read byte for byte off the connection. Some
// rules are about framing that net/http hides from its callers: a 304
// "cannot contain content" (RFC 9110 §15.4.5), yet a Go client never shows
// bytes that follow one. A raw exchange closes the connection after one
// response, so whatever the target sends after the header section is
// there to see.
type RawResponse struct {
	StatusLine string
	Status     int
	Header     http.Header
	// After is every byte the target sent after the header section,
	// until it closed the connection.
	After []byte
}

// Raw sends one request over a fresh connection ("Connection: close") and
// reads everything the target sends back. The exchange is recorded.
func (b *Browser) Raw(method, path string, h http.Header) *RawResponse {
	return b.RawVersion("HTTP/1.1", method, path, h)
}

// RawVersion is Raw with another protocol version in the request line
// ("HTTP/1.0"): what a server may send depends on it (RFC 9110 §15.2: no
// 1xx to an HTTP/1.0 client).
func (b *Browser) RawVersion(version, method, path string, h http.Header) *RawResponse {
	u := b.URL(path, nil)
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	b.target.addHeader(h)
	if h.Get("User-Agent") == "" {
		h.Set("User-Agent", "httpcheck")
	}
	if c := b.state.jar.Header(u); c != "" {
		h.Set("Cookie", joinCookies(h.Get("Cookie"), c))
	}
	var req bytes.Buffer
	fmt.Fprintf(&req, "%s %s %s\r\nHost: %s\r\nConnection: close\r\n", method, u.RequestURI(), version, u.Host)
	for k, vs := range h {
		for _, v := range vs {
			fmt.Fprintf(&req, "%s: %s\r\n", k, v)
		}
	}
	req.WriteString("\r\n")

	sent := time.Now()
	data, err := b.target.rawExchange(b.state.env.Ctx, u.Scheme, u.Host, req.Bytes())
	httpReq, _ := http.NewRequest(method, u.String(), nil)
	httpReq.Header = h.Clone()
	if err != nil {
		b.rec().record(httpReq, nil, nil, nil, err, sent, "raw exchange")
		b.state.env.Errorf("%s %s (raw): %v", method, u, err)
		return nil
	}
	raw, perr := parseRaw(data)
	if perr != nil {
		b.rec().record(httpReq, nil, nil, data, perr, sent, "raw exchange")
		b.state.env.Errorf("%s %s (raw): %v", method, u, perr)
		return nil
	}
	ex := b.rec().record(httpReq, nil, &http.Response{StatusCode: raw.Status, Header: raw.Header}, raw.After, nil, sent, "raw exchange: the body excerpt is every byte after the header section")
	ex.Source = "network"
	return raw
}

func parseRaw(data []byte) (*RawResponse, error) {
	end := bytes.Index(data, []byte("\r\n\r\n"))
	if end < 0 {
		return nil, fmt.Errorf("no complete header section in %d bytes", len(data))
	}
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(data[:end+4])))
	line, err := tp.ReadLine()
	if err != nil {
		return nil, err
	}
	// RFC 9112 §4: status-line = HTTP-version SP status-code SP
	// [ reason-phrase ], status-code = 3DIGIT. A target's "-1" or
	// "99999" is garbage, not a status to grade.
	// HTTP-version = "HTTP/" DIGIT "." DIGIT, and the reason-phrase
	// holds no control character but HTAB (a bare CR is one, §2.2).
	proto, rest, _ := strings.Cut(line, " ")
	code, _, _ := strings.Cut(rest, " ")
	status, err := strconv.Atoi(code)
	isVersion := len(proto) == 8 && strings.HasPrefix(proto, "HTTP/") && isDigit(proto[5]) && proto[6] == '.' && isDigit(proto[7])
	if !isVersion || len(code) != 3 || err != nil || !isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) || code[0] == '0' ||
		strings.ContainsFunc(line, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
		return nil, fmt.Errorf("malformed status line %.200q", line)
	}
	mh, err := tp.ReadMIMEHeader()
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("malformed header section: %v", err)
	}
	for name := range mh {
		if !httpguts.ValidHeaderFieldName(name) {
			return nil, fmt.Errorf("malformed header section: field name %.100q is not a token (RFC 9110 §5.1)", name)
		}
	}
	return &RawResponse{StatusLine: line, Status: status, Header: http.Header(mh), After: data[end+4:]}, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// rawExchange writes req to a new connection to host over scheme and
// reads until the target closes it, within the request deadline.
func (t *Target) rawExchange(ctx context.Context, scheme, host string, req []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()
	addr := host
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(host, defaultPort(scheme))
	}
	conn, err := t.transport.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if scheme == "https" {
		conf := t.transport.TLSClientConfig.Clone()
		conf.ServerName, _, _ = net.SplitHostPort(addr)
		tc := tls.Client(conn, conf)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, err
		}
		conn = tc
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if _, err := conn.Write(req); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(conn, maxBody))
	if err != nil && len(data) == 0 {
		return nil, describeTransportError(err, t.Timeout)
	}
	return data, nil
}
