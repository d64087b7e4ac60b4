package session

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/httpcheck/httpcheck/reference/clock"
)

// benchData is a typical logged-in session: a user, a CSRF token, a cart.
var benchData = map[string]json.RawMessage{
	"_auth_user_id": json.RawMessage(`"42"`),
	"csrf":          json.RawMessage(`"q8Zr4mTt0wKXc1nYbHq3vJpL6sDfGh2u"`),
	"cart":          json.RawMessage(`[{"sku":"book-1","qty":1},{"sku":"pen-7","qty":3}]`),
}

// BenchmarkLoad loads one live session; BenchmarkSave replaces it (for the
// signed store, which cannot Save, it signs a new token with Create).
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	benchLiveSession(b, func(b *testing.B, s Store, key string) {
		for b.Loop() {
			if _, _, found, err := s.Load(ctx, key); !found || err != nil {
				b.Fatal(found, err)
			}
		}
	})
}

func BenchmarkSave(b *testing.B) {
	ctx := context.Background()
	benchLiveSession(b, func(b *testing.B, s Store, key string) {
		cookieBased := isCookieBased(s)
		for b.Loop() {
			var err error
			if cookieBased {
				_, err = s.Create(ctx, benchData, tNow.Add(time.Hour))
			} else {
				err = s.Save(ctx, key, benchData, tNow.Add(time.Hour))
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchLiveSession runs bench on each backend, as a benchmark of its own,
// with the key of one live session holding benchData.
func benchLiveSession(b *testing.B, bench func(b *testing.B, s Store, key string)) {
	for _, be := range testBackends {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b, clock.NewManual(tNow))
			key, err := s.Create(context.Background(), benchData, tNow.Add(time.Hour))
			if err != nil {
				b.Fatal(err)
			}
			bench(b, s, key)
		})
	}
}
