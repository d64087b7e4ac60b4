package faulttest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/harness"
	"github.com/httpcheck/httpcheck/harness/runner"
	"github.com/httpcheck/httpcheck/reference/embedded"
	"github.com/httpcheck/httpcheck/reports"
)

// A deployment is several reference instances tested together, as
// `httpcheck run --target URL1 --target URL2 ...` does (docs/deployments.md):
// each instance is an embedded.Options, and they share whatever stores their
// URLs name (one Redis, one PostgreSQL) or nothing (memory).

// envDeployment carries the instances' base URLs, space-separated, to a
// child started by RunAgainstDeployment.
const envDeployment = "HTTPCHECK_FAULT_DEPLOYMENT"

// DeploymentMain is Main for a suite whose tests run deployments: a child
// started by RunAgainstDeployment connects to every instance.
func DeploymentMain(m *testing.M) {
	if urls := os.Getenv(envDeployment); urls != "" {
		os.Exit(deploymentChild(strings.Fields(urls)))
	}
	Main(m)
}

func deploymentChild(urls []string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfgs := make([]harness.Config, len(urls))
	for i, u := range urls {
		cfgs[i] = harness.Config{Target: u, CAFile: os.Getenv(envCA), Name: fmt.Sprintf("instance %d", i+1)}
	}
	target, err := harness.Connect(ctx, cfgs[0], cfgs[1:]...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "faulttest child:", err)
		return 3
	}
	for _, t := range target.Instances() {
		defer t.Close()
	}
	return runChild(runner.Options{Target: target})
}

// RunAgainstDeployment starts one reference server per ref, runs suites
// against them as the instances of one deployment in a child process (the
// test binary, whose TestMain must call DeploymentMain), and returns the
// results.
func RunAgainstDeployment(t *testing.T, refs []embedded.Options, suites ...string) *reports.Results {
	t.Helper()
	var urls []string
	var pems []byte
	for _, ref := range refs {
		inst, _, err := StartReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		defer inst.Close()
		urls = append(urls, inst.HTTPURL)
		pems = append(pems, inst.CAPEM...)
	}
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pems, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "results.json")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envDeployment+"="+strings.Join(urls, " "), envCA+"="+ca,
		envSuite+"="+strings.Join(suites, ","), envResults+"="+out)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child run: %v\n%s", err, output)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res reports.Results
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	return &res
}

// WithManifest wraps a reference so that its manifest says what edit makes
// of it: for a deployment whose manifest claims what its behaviour does
// not do, or the other way round.
func WithManifest(edit func(m map[string]any)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/manifest") {
				next.ServeHTTP(w, r)
				return
			}
			rec := &bufferedWriter{header: http.Header{}}
			next.ServeHTTP(rec, r)
			var m map[string]any
			if rec.status != http.StatusOK || json.Unmarshal(rec.body, &m) != nil {
				copyHeader(w.Header(), rec.header)
				w.WriteHeader(rec.status)
				w.Write(rec.body)
				return
			}
			edit(m)
			body, _ := json.Marshal(m)
			copyHeader(w.Header(), rec.header)
			w.Header().Del("Content-Length")
			w.WriteHeader(http.StatusOK)
			w.Write(body)
		})
	}
}

// bufferedWriter keeps a whole response.
type bufferedWriter struct {
	header http.Header
	status int
	body   []byte
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	b.body = append(b.body, p...)
	return len(p), nil
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = vs
	}
}
