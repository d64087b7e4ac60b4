// Package reporttest tells the markup report.html.tmpl writes from markup
// that came from the data it renders. The report shows what a target sent;
// a target that can add an element, an attribute or a link to the page can
// run script in the reader's browser. The reports package's own tests and
// the CLI's hostile-target tests both judge a rendered page with it, so the
// template's vocabulary is written down once, here.
package reporttest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// Elements is every element the template writes.
var Elements = []string{
	"html", "head", "meta", "title", "style", "body", "header", "main", "section", "nav", "ul", "li",
	"h1", "h2", "h3", "h4", "h5", "p", "span", "code", "pre", "br", "a", "div",
	"dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
	"article", "details", "summary", "blockquote",
	"script", "label", "input", "select", "option", "button", // the filter and its script
}

// Attributes is every attribute the template writes.
var Attributes = []string{"lang", "charset", "name", "content", "http-equiv", "class", "id", "href", "rel", "scope", "title", "role",
	"data-state", "data-level", "data-suite", "data-baseline", "aria-label", "aria-live", "hidden", // what the filter reads, and says
	"for", "type", "placeholder", "autocomplete", "value", // the filter's controls
	"data-type", "data-key", "disabled", // the site view's table: what its filter and sorting read, buttons the script enables
}

// AllowedHref reports whether href is one the template makes: an anchor
// within the page, or an RFC section.
func AllowedHref(href string) bool {
	return strings.HasPrefix(href, "#") ||
		strings.HasPrefix(href, "https://www.rfc-editor.org/rfc/rfc") ||
		strings.HasPrefix(href, "https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis")
}

// Foreign describes every piece of doc the template could not have
// written: an element or attribute outside its vocabulary, a link that is
// not an anchor or an RFC, a script beyond the template's one. An empty
// result means the data stayed text.
func Foreign(doc *goquery.Document) []string {
	var found []string
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		n := s.Get(0)
		if !slices.Contains(Elements, n.Data) {
			found = append(found, fmt.Sprintf("a <%s> element", n.Data))
		}
		for _, a := range n.Attr {
			if !slices.Contains(Attributes, a.Key) {
				found = append(found, fmt.Sprintf("<%s %s=%q>", n.Data, a.Key, a.Val))
			}
			if a.Key == "href" && !AllowedHref(a.Val) {
				found = append(found, fmt.Sprintf("a link to %q", a.Val))
			}
		}
	})
	if n := doc.Find("script").Length(); n > 1 {
		found = append(found, fmt.Sprintf("%d <script> elements where the template writes one", n))
	}
	return found
}
