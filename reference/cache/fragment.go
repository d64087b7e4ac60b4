package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// Fragments is Django's template fragment cache ({% cache %}) for
// html/template.
//
// Django's tag wraps a block of the template:
//
//	{% cache 500 sidebar request.user.username %} ... {% endcache %}
//
// html/template has no block functions, so the block becomes a named
// template, and a template function executes it through the cache:
//
//	{{define "sidebar"}}<p>{{.User}}: {{len .Messages}} messages</p>{{end}}
//	<section id="sidebar">{{cachefragment "sidebar" 500 . .User}}</section>
//
// The arguments are the fragment's name (which is also the template's),
// the timeout in seconds (nil never expires; 0 or less renders every time),
// the data to execute the template with, and then the values to vary on.
// On a hit the stored HTML is inserted; on a miss "sidebar" is executed
// with the data, stored, and inserted.
//
// Why a template function over a named template, rather than letting the
// handler render fragments and pass them in: the template keeps deciding
// what is cached and for whom, as in Django, so a page's caching is read
// where its markup is; the handler stays unaware of it; and the fragment
// is still rendered by html/template with contextual escaping (as the root
// of its own execution, in HTML text context), so what is stored and
// inserted as template.HTML is exactly what html/template produced. The
// data comes before the vary values because a template function can only
// have one variadic parameter, and it must be last.
//
// The key is FragmentKey(name, vary...). Stored HTML is sealed as
// CachePage seals pages: a value written under that key through the Cache
// API is a miss, never inserted as HTML. Cache errors other than a bad key
// degrade to rendering without the cache, as in CachePage. Template
// functions are not given the request's context, so cache operations run
// under context.Background().
type Fragments struct {
	c Cache
	t *template.Template
}

// NewFragments returns a fragment cache that stores in c and finds
// fragment templates by name among t's associated templates. Create it
// with the template set before parsing, so the function is known to the
// parser:
//
//	t := template.New("page")
//	f := cache.NewFragments(c, t)
//	t = template.Must(t.Funcs(f.FuncMap()).Parse(page))
//
// A clone of t has templates of its own; give it its own Fragments.
func NewFragments(c Cache, t *template.Template) *Fragments {
	return &Fragments{c: c, t: t}
}

// FuncMap returns the template function "cachefragment".
func (f *Fragments) FuncMap() template.FuncMap {
	return template.FuncMap{"cachefragment": f.cacheFragment}
}

// FragmentKey returns the cache key of a fragment, as Django's
// make_template_fragment_key: "template.cache.NAME." followed by the
// SHA-256, in hex, of the vary values. Delete it to invalidate the
// fragment. Each value is written with fmt's %v and its length, so that
// ("a:b") and ("a", "b") are different keys (Django joins the values with
// ":" and cannot tell them apart) and values are compared as text.
func FragmentKey(name string, vary ...any) string {
	var b strings.Builder
	for _, v := range vary {
		s := fmt.Sprint(v)
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	return "template.cache." + name + "." + hashHex(b.String())
}

// fragmentTimeout reads the template's timeout argument.
func fragmentTimeout(ttl any) (Timeout, error) {
	switch n := ttl.(type) {
	case nil:
		return Never(), nil
	case int:
		return Seconds(int64(n)), nil
	case int64:
		return Seconds(n), nil
	case int32:
		return Seconds(int64(n)), nil
	case uint:
		return Seconds(int64(min(n, 1<<63-1))), nil
	case uint32:
		return Seconds(int64(n)), nil
	case uint64:
		return Seconds(int64(min(n, 1<<63-1))), nil
	}
	return Timeout{}, fmt.Errorf("cachefragment: the timeout must be an integer number of seconds or nil, not %T", ttl)
}

// cacheFragment is the "cachefragment" template function.
func (f *Fragments) cacheFragment(name string, ttl any, data any, vary ...any) (template.HTML, error) {
	t, err := fragmentTimeout(ttl)
	if err != nil {
		return "", err
	}
	key := FragmentKey(name, vary...)
	// Template functions are not given the request's context.
	ctx := context.Background()
	raw, found, err := readSealed(ctx, f.c, key)
	if errors.Is(err, ErrBadKey) {
		return "", fmt.Errorf("cachefragment %q: %w", name, err)
	}
	if err == nil && found {
		if html, ok := unseal(key, raw); ok {
			// raw is this call's own, so the HTML is served from it.
			return template.HTML(bytesString(html)), nil
		}
	}
	var tmpl *template.Template
	if f.t != nil {
		tmpl = f.t.Lookup(name)
	}
	if tmpl == nil {
		return "", fmt.Errorf("cachefragment: no template named %q", name)
	}
	b := bytes.NewBuffer(sealStart(512))
	if err := tmpl.Execute(b, data); err != nil {
		return "", err
	}
	entry := b.Bytes()
	html := string(entry[len(sealedMagic):])
	writeSealed(ctx, f.c, key, seal(key, entry), t)
	return template.HTML(html), nil
}
