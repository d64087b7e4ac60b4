package crawl

import (
	"bufio"
	"bytes"
	"net/url"
	"strings"
)

// robots is the group of a robots.txt that applies to the crawl (RFC 9309):
// the group naming httpcheck-crawl, or else the group for *. A nil robots
// allows everything (no robots.txt, or one that could not be read: RFC
// 9309 §2.3.1.3 lets a crawler fetch everything after a 4xx).
type robots struct {
	rules    []robotsRule
	sitemaps []string
}

type robotsRule struct {
	allow bool
	path  string
}

// allows applies the longest matching rule, Allow winning a tie (RFC 9309
// §2.2.2). The "*" and "$" patterns are matched as RFC 9309 §2.2.3 says.
func (r *robots) allows(u *url.URL) bool {
	if r == nil {
		return true
	}
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	best, allowed := -1, true
	for _, rule := range r.rules {
		if !robotsMatch(rule.path, path) {
			continue
		}
		if n := len(rule.path); n > best || (n == best && rule.allow) {
			best, allowed = n, rule.allow
		}
	}
	return allowed
}

// robotsMatch matches a robots.txt path pattern: a prefix, where "*" is any
// run of characters and a final "$" anchors the end.
func robotsMatch(pattern, path string) bool {
	if pattern == "" {
		return false
	}
	anchored := strings.HasSuffix(pattern, "$")
	pattern = strings.TrimSuffix(pattern, "$")
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(path, parts[0]) {
		return false
	}
	rest := path[len(parts[0]):]
	for _, p := range parts[1:] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return !anchored || rest == "" || strings.HasSuffix(pattern, "*")
}

// parseRobots reads the groups of a robots.txt and keeps the one for
// agent, or else the one for *, and every Sitemap line.
func parseRobots(body []byte, agent string) *robots {
	var own, all robots
	var sitemaps []string
	var agents []string
	inRules := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
		switch key {
		case "user-agent":
			if inRules {
				agents, inRules = nil, false
			}
			agents = append(agents, strings.ToLower(value))
		case "allow", "disallow":
			inRules = true
			rule := robotsRule{allow: key == "allow", path: value}
			for _, a := range agents {
				switch {
				case a == "*":
					all.rules = append(all.rules, rule)
				case strings.Contains(agent, a):
					own.rules = append(own.rules, rule)
				}
			}
		case "sitemap":
			sitemaps = append(sitemaps, value)
		}
	}
	r := &all
	if len(own.rules) > 0 {
		r = &own
	}
	r.sitemaps = sitemaps
	return r
}

// readRobots fetches /robots.txt of the origin, unless told to ignore it.
// Its Sitemap lines are read even then.
func (c *crawler) readRobots() {
	u := c.origin.ResolveReference(&url.URL{Path: "/robots.txt"}).String()
	page, body := c.fetch(u)
	if !page.OK() {
		return
	}
	r := parseRobots(body, userAgent)
	if c.opt.IgnoreRobots {
		r.rules = nil
	}
	c.robots = r
}
