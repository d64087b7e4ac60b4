package origin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client scripts an origin over its control endpoint.
type Client struct {
	base    *url.URL // the origin's base URL
	token   string
	http    *http.Client
	timeout time.Duration
}

// NewClient returns a client for the origin at base (its base URL, as
// Instance.URL) with token ("" for a loopback origin without one).
func NewClient(base, token string, timeout time.Duration) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("origin URL %q: want http://HOST:PORT/", base)
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/"
	u.RawQuery, u.Fragment = "", ""
	return &Client{base: u, token: token, timeout: timeout,
		http: &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4, DisableCompression: true}}}, nil
}

// URL is the origin's base URL.
func (c *Client) URL() string { return c.base.String() }

// Close releases idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Register adds a script and returns its id and path prefix.
func (c *Client) Register(ctx context.Context, rs []Response) (id, path string, err error) {
	var answer struct {
		ID   string `json:"id"`
		Path string `json:"path"`
	}
	err = c.call(ctx, http.MethodPost, "scripts", map[string]any{"responses": rs}, http.StatusCreated, &answer)
	return answer.ID, answer.Path, err
}

// Hits returns the requests script id has answered so far.
func (c *Client) Hits(ctx context.Context, id string) ([]Hit, error) {
	var answer struct {
		Hits []Hit `json:"hits"`
	}
	err := c.call(ctx, http.MethodGet, "scripts/"+url.PathEscape(id)+"/hits", nil, http.StatusOK, &answer)
	return answer.Hits, err
}

// Clock reads the origin's clock, and whether it is virtual.
func (c *Client) Clock(ctx context.Context) (now time.Time, virtual bool, err error) {
	var answer struct {
		Now     time.Time `json:"now"`
		Virtual bool      `json:"virtual"`
	}
	err = c.call(ctx, http.MethodGet, "clock", nil, http.StatusOK, &answer)
	return answer.Now, answer.Virtual, err
}

// Advance moves a virtual origin clock forward by d.
func (c *Client) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	var answer struct {
		Now time.Time `json:"now"`
	}
	err := c.call(ctx, http.MethodPost, "clock/advance", map[string]float64{"seconds": d.Seconds()}, http.StatusOK, &answer)
	return answer.Now, err
}

// call sends one control request and decodes the answer into out.
func (c *Client) call(ctx context.Context, method, path string, in any, want int, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader = http.NoBody
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	u := c.base.JoinPath(strings.TrimPrefix(ControlPrefix, "/"), path)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("the harness origin: %s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("the harness origin: %s %s: reading the answer: %w", method, u, err)
	}
	if resp.StatusCode != want {
		var e struct {
			Error string `json:"error"`
		}
		json.Unmarshal(data, &e)
		if e.Error == "" {
			e.Error = fmt.Sprintf("%.200q", data)
		}
		return &ControlError{Status: resp.StatusCode, Msg: fmt.Sprintf("the harness origin: %s %s answered %s: %s", method, u, resp.Status, e.Error)}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the harness origin: %s %s: %v", method, u, err)
	}
	return nil
}

// ControlError is an origin that answered, but refused: a wrong token, an
// address it does not trust, or not an httpcheck origin at all.
type ControlError struct {
	Status int
	Msg    string
}

func (e *ControlError) Error() string { return e.Msg }
