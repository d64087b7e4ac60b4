package httpcache

import "testing"

// A stored complete 200 answers single byte ranges in a shared cache
// (ranges.go); everything else about a range goes to the origin.
var tenBytes = reply{header: []string{"Cache-Control: max-age=600", `ETag: "r1"`}, body: "0123456789"}

var rangeTests = []scenario{
	{name: "RFC9110 14.2 a single range of a stored response is served from storage as a 206", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{tenBytes}, want: "network 200 0123456789"},
		{req: "GET /r", header: []string{"Range: bytes=2-5"}, want: "cache 206 2345 Content-Range=bytes 2-5/10", show: []string{"Content-Range"}},
		{req: "GET /r", header: []string{"Range: bytes=7-"}, want: "cache 206 789 Content-Range=bytes 7-9/10", show: []string{"Content-Range"}},
		{req: "GET /r", header: []string{"Range: bytes=-3"}, want: "cache 206 789 Content-Range=bytes 7-9/10", show: []string{"Content-Range"}},
		{req: "GET /r", header: []string{"Range: bytes=8-100"}, want: "cache 206 89 Content-Range=bytes 8-9/10", show: []string{"Content-Range"}},
	}},
	{name: "RFC9530 2 a 206 from storage carries no digest of the whole content", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=600", "Content-Digest: sha-256=:AAAA:", "Repr-Digest: sha-256=:AAAA:"}, body: "0123456789"}}, want: "network 200 0123456789"},
		{req: "GET /r", header: []string{"Range: bytes=0-1"}, want: "cache 206 01 Content-Digest= Repr-Digest=sha-256=:AAAA:", show: []string{"Content-Digest", "Repr-Digest"}},
	}},
	{name: "RFC9110 13.1.5 If-Range with the stored strong entity-tag gets the range, another gets the whole response", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{tenBytes}, want: "network 200 0123456789"},
		{req: "GET /r", header: []string{"Range: bytes=0-1", `If-Range: "r1"`}, want: "cache 206 01"},
		{req: "GET /r", header: []string{"Range: bytes=0-1", `If-Range: "r0"`}, want: "cache 200 0123456789"},
		{req: "GET /r", header: []string{"Range: bytes=0-1", `If-Range: W/"r1"`}, want: "cache 200 0123456789"},
		{req: "GET /r", header: []string{"Range: bytes=0-1", "If-Range: Thu, 01 Jan 2026 00:00:00 GMT"}, want: "cache 200 0123456789"},
	}},
	{name: "RFC9110 14.2 several ranges, an unsatisfiable one or another unit go to the origin", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{tenBytes}, want: "network 200 0123456789"},
		{req: "GET /r", header: []string{"Range: bytes=0-1, 4-5"}, origin: []reply{{body: "from origin"}}, want: "network 200 from origin"},
		{req: "GET /r", header: []string{"Range: bytes=10-"}, origin: []reply{{body: "from origin"}}, want: "network 200 from origin"},
		{req: "GET /r", header: []string{"Range: items=0-1"}, origin: []reply{{body: "from origin"}}, want: "network 200 from origin"},
	}},
	{name: "RFC9111 4 a stale stored response is not sliced: the range goes to the origin", shared: true, steps: []step{
		{req: "GET /r", origin: []reply{{header: []string{"Cache-Control: max-age=1"}, body: "0123456789"}}, want: "network 200 0123456789"},
		{at: 3 * s, req: "GET /r", header: []string{"Range: bytes=0-1"}, origin: []reply{{body: "from origin"}}, want: "network 200 from origin"},
	}},
	{name: "RFC9110 14.2 a private cache forwards every range request", steps: []step{
		{req: "GET /r", origin: []reply{tenBytes}, want: "network 200 0123456789"},
		{req: "GET /r", header: []string{"Range: bytes=2-5"}, origin: []reply{{body: "from origin"}}, want: "network 200 from origin"},
	}},
}

func TestRFC9110Ranges(t *testing.T) { run(t, rangeTests) }
