package cache

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// openTestAliases opens "default" (DefaultOptions) and "small" (two
// entries, 10 s) at one location of kind b.
func openTestAliases(t *testing.T, b backend) *Aliases {
	t.Helper()
	a, err := OpenAliases(b.url(t), map[string]Options{
		"default": DefaultOptions(),
		"small":   {DefaultTimeout: Seconds(10), MaxEntries: 2, CullFrequency: 0},
	}, clock.NewManual(tNow))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func TestAliasesIsolated(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		a := openTestAliases(t, b)
		def, _ := a.Get("default")
		small, _ := a.Get("small")
		if _, ok := a.Get("nope"); ok {
			t.Errorf(`Get("nope") found a cache`)
		}
		steps := []struct {
			c    Cache
			step string
		}{
			{def, "set k 1 => ok"},
			{small, "get k => miss"},
			{small, "set k 2 => ok"},
			{def, "get k => 1"},
			{def, `set_many {"a":1,"b":1,"c":1} => []`},
			{small, "set y 1 => ok"},
			{small, "set x 1 => ok"}, // full at 2: cull frequency 0 clears small only
			{small, "len => 1"},
			{def, "len => 4"},
			{small, "clear => ok"},
			{def, "get k => 1"},
		}
		for _, s := range steps {
			op, want, _ := strings.Cut(s.step, " => ")
			if got := runStep(t, s.c, op); got != want {
				t.Fatalf("%s: got %s, want %s", op, got, want)
			}
		}
	})
}

func TestAliasesSettings(t *testing.T) {
	a, err := OpenAliases("memory", map[string]Options{
		"default":  DefaultOptions(),
		"forever":  {DefaultTimeout: Never(), MaxEntries: 10, CullFrequency: 0},
		"implicit": {MaxEntries: 5, CullFrequency: 2},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if got, want := a.Names(), []string{"default", "forever", "implicit"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	got, _ := json.Marshal(a.Settings())
	want := `{"aliases":{"default":{"timeout":300,"max_entries":300,"cull_frequency":3},` +
		`"forever":{"timeout":null,"max_entries":10,"cull_frequency":0},` +
		`"implicit":{"timeout":300,"max_entries":5,"cull_frequency":2}}}`
	if string(got) != want {
		t.Errorf("Settings() =\n%s\nwant\n%s", got, want)
	}
}

func TestOpenAliasesErrors(t *testing.T) {
	for _, tc := range []struct {
		aliases map[string]Options
		want    string
	}{
		{map[string]Options{"other": DefaultOptions()}, `must include "default"`},
		{map[string]Options{"default": DefaultOptions(), "../x": DefaultOptions()}, "may hold only"},
		{map[string]Options{"default": DefaultOptions(), "": DefaultOptions()}, "1 to 64"},
		{map[string]Options{"default": {}}, "MaxEntries"},
	} {
		a, err := OpenAliases("memory", tc.aliases, nil)
		if err == nil {
			a.Close()
			t.Errorf("OpenAliases(%v): no error", tc.aliases)
		} else if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("OpenAliases(%v) = %v, want it to say %q", tc.aliases, err, tc.want)
		}
	}
	if _, err := OpenAliases("redis://127.0.0.1:1/0", map[string]Options{"default": DefaultOptions()}, nil); err == nil {
		t.Errorf("OpenAliases(a Redis that does not answer): no error")
	}
	if _, err := OpenAliases("mysql://x", map[string]Options{"default": DefaultOptions()}, nil); err == nil {
		t.Errorf("OpenAliases(mysql): no error")
	}
}

// TestAliasesSharedFile: two alias sets on one location (directory,
// database file, Redis prefix, PostgreSQL schema) see each other's entries
// alias by alias, as two processes sharing a deployment would.
func TestAliasesSharedFile(t *testing.T) {
	for _, b := range testBackends[1:] {
		t.Run(b.name, func(t *testing.T) {
			url := b.url(t)
			opts := map[string]Options{"default": DefaultOptions(), "other": DefaultOptions()}
			a1, err := OpenAliases(url, opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer a1.Close()
			a2, err := OpenAliases(url, opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer a2.Close()
			ctx := context.Background()
			d1, _ := a1.Get("default")
			d2, _ := a2.Get("default")
			o2, _ := a2.Get("other")
			d1.Set(ctx, "k", json.RawMessage("1"), Default())
			if _, found, _ := d2.Get(ctx, "k"); !found {
				t.Errorf("second instance's default misses k")
			}
			if _, found, _ := o2.Get(ctx, "k"); found {
				t.Errorf("second instance's other alias sees default's k")
			}
		})
	}
}
