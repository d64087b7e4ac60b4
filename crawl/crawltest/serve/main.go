// Command serve serves the fixture site of crawl/crawltest on loopback,
// correct or with one of its faults, for trying and timing
// `httpcheck probe --crawl` by hand (docs/benchmarks.md):
//
//	go run ./crawl/crawltest/serve -addr 127.0.0.1:8099 &
//	httpcheck probe --crawl http://127.0.0.1:8099/ --max-pages 300
//
// -fault takes a fault's text, as crawltest names it; -list prints them.
// -write DIR writes the correct site as static files instead, for a web
// server to serve at -addr (docs/probe.md, "nginx's defaults").
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/httpcheck/httpcheck/crawl/crawltest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8099", "address to listen on")
	fault := flag.String("fault", "", "serve the site with this fault (see -list)")
	list := flag.Bool("list", false, "list the faults and exit")
	write := flag.String("write", "", "write the site as static files into this directory, to be served at -addr, and exit")
	flag.Parse()
	if *write != "" {
		if err := (crawltest.Site{}).WriteFiles(*write, *addr); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *list {
		for _, f := range crawltest.Faults {
			fmt.Println(f)
		}
		return
	}
	site := crawltest.Site{Fault: crawltest.Fault(*fault)}
	if *fault != "" && !site.Fault.Known() {
		fmt.Fprintf(os.Stderr, "serve: no fault %q (-list lists them)\n", *fault)
		os.Exit(2)
	}
	log.Printf("serving the fixture site (%d URLs) on http://%s/", len(site.Paths()), *addr)
	log.Fatal(http.ListenAndServe(*addr, site.Handler()))
}
