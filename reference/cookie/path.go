package cookie

import (
	"net/url"
	"strings"
)

// requestPath returns the path of the request-uri: the escaped path as it is
// sent in the request-target, "/" when empty. Browsers match cookie paths
// against the path as sent; Go's net/http/cookiejar uses the decoded u.Path.
func requestPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return p
}

// defaultPath returns the default-path of u (RFC 6265bis §5.1.4).
func defaultPath(u *url.URL) string {
	p := u.EscapedPath() // RFC 6265bis §5.1.4 step 1
	if p == "" || p[0] != '/' {
		return "/" // RFC 6265bis §5.1.4 step 2
	}
	i := strings.LastIndexByte(p, '/')
	if i == 0 {
		return "/" // RFC 6265bis §5.1.4 step 3
	}
	return p[:i] // RFC 6265bis §5.1.4 step 4
}

// pathMatch reports whether requestPath path-matches cookiePath
// (RFC 6265bis §5.1.4): they are identical, or cookiePath is a prefix of
// requestPath that ends in '/' or is followed in requestPath by '/'.
func pathMatch(requestPath, cookiePath string) bool {
	if requestPath == cookiePath {
		return true
	}
	if !strings.HasPrefix(requestPath, cookiePath) {
		return false
	}
	return strings.HasSuffix(cookiePath, "/") || requestPath[len(cookiePath)] == '/'
}
