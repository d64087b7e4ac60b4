// Package mactest checks, by reading a function's source, that it compares
// MACs in constant time. The session package's signed cookies and the
// cache's sealed entries both verify an HMAC, and a comparison that
// returns at the first differing byte would let a client find a valid MAC
// byte by byte from the answers' timing. A timing test would be too noisy
// to fail reliably; this check fails the day the comparison changes. Only
// tests import it.
package mactest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// ComparedInConstantTime fails t unless function fn of file (a path
// relative to the test's package) compares MACs with hmac.Equal (or
// subtle.ConstantTimeCompare), and with nothing that returns at the first
// difference: ==, != on a MAC, bytes.Equal, bytes.Compare,
// strings.EqualFold, strings.Compare.
func ComparedInConstantTime(t *testing.T, file, fn string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	found, equal := false, 0
	for _, d := range f.Decls {
		decl, ok := d.(*ast.FuncDecl)
		if !ok || decl.Name.Name != fn {
			continue
		}
		found = true
		ast.Inspect(decl.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok {
					switch x.Name + "." + n.Sel.Name {
					case "hmac.Equal", "subtle.ConstantTimeCompare":
						equal++
					case "bytes.Equal", "bytes.Compare", "strings.EqualFold", "strings.Compare":
						t.Errorf("%s compares with %s.%s, which returns at the first difference", fn, x.Name, n.Sel.Name)
					}
				}
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) && (isMAC(n.X) || isMAC(n.Y)) {
					t.Errorf("%s compares a MAC with %s", fn, n.Op)
				}
			}
			return true
		})
	}
	if !found || equal == 0 {
		t.Errorf("%s in %s does not compare MACs with hmac.Equal", fn, file)
	}
}

// isMAC reports whether e looks like a MAC: it mentions an identifier,
// field or function whose name holds "mac", in any case, or it is a
// variable holding the MAC received ("got", "sig").
func isMAC(e ast.Expr) bool {
	if id, ok := e.(*ast.Ident); ok && (id.Name == "got" || id.Name == "sig") {
		return true
	}
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			found = found || strings.Contains(strings.ToLower(id.Name), "mac")
		}
		return !found
	})
	return found
}
