package cache

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// DefaultAlias is the alias every Aliases has (Django's DEFAULT_CACHE_ALIAS).
const DefaultAlias = "default"

// Aliases is a set of named caches, Django's CACHES setting: each alias
// has its own Options and its own key space at the shared location, so the
// same key in two aliases names two entries, and Clear, Len and culling in
// one never see another's entries. Memory aliases are separate caches;
// file aliases live in DIR/NAME; SQLite and PostgreSQL aliases in tables
// of their own (httpcheck_cache_NAME); Redis aliases under keys of their
// own ({PREFIX:cache:NAME}:...).
type Aliases struct {
	names  []string
	caches map[string]Cache
	opts   map[string]Options
}

// OpenAliases opens one cache per alias at the location url names (see
// Open). aliases must include DefaultAlias; names are 1 to 64 ASCII
// letters, digits, '_' or '-', since they name directories, tables and
// contract paths (cache/{alias}/{op}). On error nothing stays open.
func OpenAliases(url string, aliases map[string]Options, c clock.Clock) (*Aliases, error) {
	if _, ok := aliases[DefaultAlias]; !ok {
		return nil, fmt.Errorf("cache: aliases must include %q", DefaultAlias)
	}
	a := &Aliases{
		names:  slices.Sorted(maps.Keys(aliases)),
		caches: make(map[string]Cache, len(aliases)),
		opts:   make(map[string]Options, len(aliases)),
	}
	for _, name := range a.names {
		if err := validateAlias(name); err != nil {
			a.Close()
			return nil, err
		}
		o, err := aliases[name].validate()
		var cache Cache
		if err == nil {
			cache, err = open(url, name, o, c)
		}
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("cache: alias %q: %w", name, err)
		}
		a.caches[name], a.opts[name] = cache, o
	}
	return a, nil
}

func validateAlias(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("cache: alias name %q must be 1 to 64 bytes long", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return fmt.Errorf("cache: alias name %q may hold only ASCII letters, digits, '_' and '-'", name)
		}
	}
	return nil
}

// Get returns the cache named name.
func (a *Aliases) Get(name string) (Cache, bool) {
	c, ok := a.caches[name]
	return c, ok
}

// Names returns the alias names, sorted.
func (a *Aliases) Names() []string { return slices.Clone(a.names) }

// Settings describes the aliases for the contract's manifest ("cache").
type Settings struct {
	Aliases map[string]AliasSettings `json:"aliases"`
}

// AliasSettings describes one alias: its default timeout in seconds (nil,
// JSON null, when it never expires), MaxEntries and CullFrequency.
type AliasSettings struct {
	Timeout       *int64 `json:"timeout"`
	MaxEntries    int    `json:"max_entries"`
	CullFrequency int    `json:"cull_frequency"`
}

// Settings returns what the manifest says about the aliases, e.g.
// {"aliases": {"default": {"timeout": 300, "max_entries": 300,
// "cull_frequency": 3}}}.
func (a *Aliases) Settings() Settings {
	s := Settings{Aliases: make(map[string]AliasSettings, len(a.opts))}
	for name, o := range a.opts {
		as := AliasSettings{MaxEntries: o.MaxEntries, CullFrequency: o.CullFrequency}
		if t := o.DefaultTimeout; t.kind == timeoutSeconds {
			as.Timeout = &t.seconds
		}
		s.Aliases[name] = as
	}
	return s
}

// Close closes every alias's cache.
func (a *Aliases) Close() error {
	var errs []error
	for _, name := range a.names {
		if c, ok := a.caches[name]; ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}
