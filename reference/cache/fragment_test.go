package cache

import (
	"context"
	"encoding/json"
	"html/template"
	"strings"
	"sync"
	"testing"
	"time"
)

// fragmentPage is the contract's views/fragment page: a sidebar cached per
// user and a main part never cached; "renders" counts executions of each.
const fragmentPage = `{{define "sidebar"}}<p data-user="{{.User}}" data-renders="{{renders "sidebar"}}">{{.User}}</p>{{end}}` +
	`<section id="sidebar">{{cachefragment "sidebar" .TTL . .User}}</section>` +
	`<main id="content" data-renders="{{renders "main"}}"></main>`

type fragmentData struct {
	User string
	TTL  any
}

// newFragmentPage parses fragmentPage with a fragment cache in c.
func newFragmentPage(t *testing.T, c Cache) (*template.Template, func(name string) int) {
	t.Helper()
	var mu sync.Mutex
	counts := map[string]int{}
	renders := func(name string) int {
		mu.Lock()
		defer mu.Unlock()
		counts[name]++
		return counts[name]
	}
	page := template.New("page")
	f := NewFragments(c, page)
	page = template.Must(page.Funcs(f.FuncMap()).Funcs(template.FuncMap{"renders": renders}).Parse(fragmentPage))
	return page, func(name string) int {
		mu.Lock()
		defer mu.Unlock()
		return counts[name]
	}
}

func execute(t *testing.T, page *template.Template, data fragmentData) string {
	t.Helper()
	var b strings.Builder
	if err := page.Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestFragments(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		c, clk := openTest(t, b, DefaultOptions())
		page, count := newFragmentPage(t, c)
		for i, st := range []struct {
			advance time.Duration
			user    string
			ttl     any
			sidebar int // sidebar executions so far
			main    int // main executions so far
		}{
			{user: "ann", ttl: 500, sidebar: 1, main: 1},
			{user: "ann", ttl: 500, sidebar: 1, main: 2},
			{user: "bob", ttl: 500, sidebar: 2, main: 3},
			{user: "bob", ttl: 500, sidebar: 2, main: 4},
			{advance: 499 * time.Second, user: "ann", ttl: 500, sidebar: 2, main: 5},
			{advance: time.Second, user: "ann", ttl: 500, sidebar: 3, main: 6},
			{user: "cy", ttl: 0, sidebar: 4, main: 7},
			{user: "cy", ttl: 0, sidebar: 5, main: 8},
			{user: "di", ttl: nil, sidebar: 6, main: 9},
			{advance: 10000 * time.Hour, user: "di", ttl: int64(1), sidebar: 6, main: 10},
		} {
			clk.Advance(st.advance)
			out := execute(t, page, fragmentData{User: st.user, TTL: st.ttl})
			if s, m := count("sidebar"), count("main"); s != st.sidebar || m != st.main {
				t.Fatalf("step %d (%s): sidebar ran %d times, main %d; want %d, %d\n%s", i, st.user, s, m, st.sidebar, st.main, out)
			}
			if !strings.Contains(out, `data-user="`+st.user+`"`) {
				t.Fatalf("step %d: wrong user in %s", i, out)
			}
		}
	})
}

// TestFragmentsEscaped: the fragment is html/template output, escaped as
// such, and so is what a hit inserts.
func TestFragmentsEscaped(t *testing.T) {
	c, _ := openTest(t, testBackends[0], DefaultOptions())
	page, _ := newFragmentPage(t, c)
	const evil = `"><script>alert(1)</script>`
	for range 2 {
		out := execute(t, page, fragmentData{User: evil, TTL: 500})
		if strings.Contains(out, "<script>") {
			t.Fatalf("unescaped: %s", out)
		}
	}
}

// TestFragmentsForged: HTML written through the Cache API under a
// fragment's key is not inserted, and FragmentKey names the entry to
// delete.
func TestFragmentsForged(t *testing.T) {
	c, _ := openTest(t, testBackends[0], DefaultOptions())
	page, count := newFragmentPage(t, c)
	ctx := context.Background()
	key := FragmentKey("sidebar", "ann")
	execute(t, page, fragmentData{User: "ann", TTL: 500})
	if _, found, _ := c.Get(ctx, key); !found {
		t.Fatalf("nothing stored under FragmentKey(sidebar, ann) = %s", key)
	}
	c.Set(ctx, key, json.RawMessage(`"<script>alert(1)</script>"`), Default())
	if out := execute(t, page, fragmentData{User: "ann", TTL: 500}); strings.Contains(out, "<script>") {
		t.Fatalf("inserted a forged fragment: %s", out)
	}
	if got := count("sidebar"); got != 2 {
		t.Errorf("sidebar ran %d times, want 2", got)
	}
	c.Delete(ctx, key)
	execute(t, page, fragmentData{User: "ann", TTL: 500})
	if got := count("sidebar"); got != 3 {
		t.Errorf("after Delete(FragmentKey): sidebar ran %d times, want 3", got)
	}
}

func TestFragmentKey(t *testing.T) {
	if a, b := FragmentKey("s", "a:b"), FragmentKey("s", "a", "b"); a == b {
		t.Errorf(`FragmentKey("s", "a:b") == FragmentKey("s", "a", "b")`)
	}
	if a, b := FragmentKey("s", 1), FragmentKey("s", "1"); a != b {
		t.Errorf("vary values are compared as text: %s != %s", a, b)
	}
	if got := FragmentKey("sidebar"); !strings.HasPrefix(got, "template.cache.sidebar.") || ValidateKey(got) != nil {
		t.Errorf("FragmentKey(sidebar) = %q", got)
	}
}

func TestFragmentErrors(t *testing.T) {
	c, _ := openTest(t, testBackends[0], DefaultOptions())
	for _, tc := range []struct{ src, want string }{
		{`{{cachefragment "nope" 10 .}}`, `no template named "nope"`},
		{`{{cachefragment "bad name" 10 .}}`, "invalid key"},
		{`{{define "x"}}x{{end}}{{cachefragment "x" "10" .}}`, "timeout must be an integer"},
		{`{{define "x"}}{{.Missing}}{{end}}{{cachefragment "x" 10 .}}`, "Missing"},
	} {
		page := template.New("page")
		page = template.Must(page.Funcs(NewFragments(c, page).FuncMap()).Parse(tc.src))
		err := page.Execute(new(strings.Builder), fragmentData{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.src, err, tc.want)
		}
	}
}
