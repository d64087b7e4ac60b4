// Package express_test runs httpcheck against the Express demo in
// examples/express/demo, on real Express 5 and express-session from the npm
// registry (the versions package-lock.json pins), once with each
// configuration the golden files name, and compares the verdicts with
// testdata/golden. Every verdict that differs from the reference server's is
// explained in docs/frameworks/express.md.
//
//	go test ./examples/express              compare with the golden files
//	go test ./examples/express -update      rewrite them after a deliberate change
//	go test ./examples/express -reports DIR keep the reports and the matrix in DIR
//
// The test skips, saying why, when node is missing or `npm ci` has not been
// run in examples/express.
package express_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/httpcheck/httpcheck/examples/internal/frameworktest"
)

// configs are the demo's configurations under test: one golden file each.
// "maxage" also runs the demo in another time zone than UTC. "plain" is the
// default configuration with the contract's plain option,
// Express as it is, without what the adapter adds
// (docs/frameworks/express.md, "What the adapter makes up for").
var configs = []frameworktest.Config{
	{Golden: "default", Name: "Express (express-session defaults)", Args: []string{"HTTPCHECK_DEMO_SESSION=default", "TZ=UTC"}, Matrix: true},
	// A server whose local time zone is not UTC, as many are: the fresh
	// package reads an asctime If-Modified-Since in local time.
	{Golden: "maxage", Name: "Express (express-session, maxAge two weeks, SameSite Lax; TZ Europe/Berlin)", Args: []string{"HTTPCHECK_DEMO_SESSION=maxage", "TZ=Europe/Berlin"}, Matrix: true},
	{Golden: "plain", Name: "Express as is (express-session defaults, plain)", Args: []string{"HTTPCHECK_DEMO_SESSION=default", "HTTPCHECK_DEMO_PLAIN=1", "TZ=UTC"}, Matrix: false},
}

// node finds Node.js and the installed packages, or skips.
func node(t *testing.T) string {
	bin, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH (install Node.js 20 or later, then run npm ci in examples/express)")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "express", "package.json")); err != nil {
		t.Skip("examples/express/node_modules is absent: run npm ci in examples/express")
	}
	return bin
}

func TestExpress(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Express and waits for real expiry")
	}
	nodeBin := node(t)
	if out, err := exec.Command(nodeBin, "-p", `process.version + ", express " + require("express/package.json").version + ", express-session " + require("express-session/package.json").version + ", lru-cache " + JSON.parse(require("fs").readFileSync("node_modules/lru-cache/package.json")).version`).CombinedOutput(); err != nil {
		t.Fatalf("node cannot load express: %v\n%s", err, out)
	} else {
		t.Logf("node %s", bytes.TrimSpace(out))
	}
	frameworktest.Demo{
		Framework: "Express",
		Dir:       "express",
		Configs:   configs,
		Sources:   []string{"demo", "httpcheck-contract", "test", "package-lock.json"},
		Adapter: func(t *testing.T) {
			frameworktest.MustRun(t, "node --test test/", exec.Command(nodeBin, "--test", "--test-reporter=spec", "test/"))
		},
		Start: func(t *testing.T, tls *frameworktest.Certificates, c frameworktest.Config) (*frameworktest.Server, error) {
			cmd := exec.Command(nodeBin, append([]string{"demo/server.js"}, tls.ServeFlags()...)...)
			cmd.Env = append(append(os.Environ(), "NODE_ENV=test"), c.Args...)
			return frameworktest.Start(t, cmd)
		},
	}.Test(t)
}
