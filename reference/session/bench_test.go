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
	for _, be := range testBackends {
		b.Run(be.name, func(b *testing.B) {
			c := clock.NewManual(tNow)
			s := be.open(b, c)
			ctx := context.Background()
			key, err := s.Create(ctx, benchData, tNow.Add(time.Hour))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, _, found, err := s.Load(ctx, key); !found || err != nil {
					b.Fatal(found, err)
				}
			}
		})
	}
}

func BenchmarkSave(b *testing.B) {
	for _, be := range testBackends {
		b.Run(be.name, func(b *testing.B) {
			c := clock.NewManual(tNow)
			s := be.open(b, c)
			ctx := context.Background()
			key, err := s.Create(ctx, benchData, tNow.Add(time.Hour))
			if err != nil {
				b.Fatal(err)
			}
			cookieBased := isCookieBased(s)
			for b.Loop() {
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
}
