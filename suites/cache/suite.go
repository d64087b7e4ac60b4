// Package cache is the cache API suite: what the contract's POST
// cache/{alias}/{op} does, operation by operation, as Django's low-level
// cache API does it (docs/contract.md, Cache API): answers and effects,
// timeouts and expiry on the target's clock, culling at max_entries,
// isolated aliases, portable keys and JSON values that round-trip.
//
// Every check makes up its own keys, so checks may share a target and its
// aliases. Two checks need an alias to themselves and are Serial: culling
// fills the alias with the fewest max_entries, and clear empties an alias
// other than "default" when the manifest lists one.
package cache

import (
	"github.com/httpcheck/httpcheck/harness/check"
)

var suite = check.NewSuite("cache")
