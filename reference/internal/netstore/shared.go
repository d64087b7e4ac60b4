package netstore

import "sync"

// sharedByURL is the registry behind OpenRedis and OpenPostgres: one value
// (a client, a pool) per URL in this process, counted, so that the session
// store and every cache alias naming the same server share one set of
// connections, and the last of them to close closes it. Opening and
// closing happen under the registry's lock, so two stores opening the same
// URL at once never both connect.
type sharedByURL[T any] struct {
	mu     sync.Mutex
	values map[string]*T
	refs   map[string]int
}

func newSharedByURL[T any]() *sharedByURL[T] {
	return &sharedByURL[T]{values: map[string]*T{}, refs: map[string]int{}}
}

// acquire returns the value open for url, or the one open makes.
func (s *sharedByURL[T]) acquire(url string, open func() (*T, error)) (*T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.values[url]; ok {
		s.refs[url]++
		return v, nil
	}
	v, err := open()
	if err != nil {
		return nil, err
	}
	s.values[url], s.refs[url] = v, 1
	return v, nil
}

// release gives up one use of v, the value acquired for url; the last one
// closes it with close.
func (s *sharedByURL[T]) release(url string, v *T, close func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values[url] != v {
		return nil // released already
	}
	if s.refs[url]--; s.refs[url] > 0 {
		return nil
	}
	delete(s.values, url)
	delete(s.refs, url)
	return close()
}
