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
	"github.com/httpcheck/httpcheck/reports"
)

func define(id string, level reports.Level, title string, refs ...string) *check.Check {
	return check.Define(check.Check{ID: "cache/" + id, Level: level, Title: title, Refs: refs})
}

const (
	must     = reports.Must
	advisory = reports.Advisory
)

// The operations of the contract's table, each one's answer and effect.
var (
	setGet = define("set/get-returns-value", must, "set answers {} and get then answers found true with the value", "contract cache").
		Quoting(`"Values are any JSON and come back exactly as stored." (docs/contract.md, Cache API)`)
	setReplaces = define("set/replaces-value", must, "set on a key that holds a value replaces it", "contract cache")
	getDefault  = define("get/absent-answers-default", must, "get of an absent key answers found false with the default, or null without one", "contract cache").
			Quoting(`"On a miss, value is default (or null)." (docs/contract.md, Cache API)`)
	addAbsent = define("add/adds-when-absent", must, "add of an absent key answers added true and stores the value", "contract cache").
			Quoting(`"Stores only if the key is absent." (docs/contract.md, Cache API)`)
	addPresent = define("add/keeps-present", must, "add of a present key answers added false and leaves its value alone", "contract cache").
			Quoting(`"Stores only if the key is absent." (docs/contract.md, Cache API)`)
	// Django's LocMemCache and FileBasedCache answer true for an entry
	// that expired but was not yet culled: the contract does not say, so
	// the reference's choice is graded as advice.
	deleteExpired   = define("delete/expired-answers-false", advisory, "delete of a key whose entry expired answers deleted false: an expired entry is no entry", "contract cache")
	addExpired      = define("add/expired-is-absent", must, "add of a key whose entry expired answers added true: an expired entry is no entry", "contract cache")
	getOrSetAbsent  = define("get-or-set/stores-default", must, "get_or_set of an absent key answers the default and stores it", "contract cache")
	getOrSetPresent = define("get-or-set/keeps-present", must, "get_or_set of a present key answers the stored value and leaves it alone", "contract cache")
	getMany         = define("get-many/found-only", must, "get_many answers the values of the keys that were found, and only those", "contract cache")
	setManyStores   = define("set-many/stores-every-value", must, "set_many stores every value it was given, save those it names in failed", "contract cache")
	setManyFailed   = define("set-many/reports-failures", must, "set_many answers a failed list that names exactly the keys it did not store", "contract cache").
			Quoting(`"set_many's failed names exactly the keys that were not stored." (docs/contract.md, What the cache checks expect)`)
	deletePresent = define("delete/removes-present", must, "delete of a present key answers deleted true and removes it", "contract cache")
	deleteAbsent  = define("delete/absent-answers-false", must, "delete of an absent key answers deleted false, not an error", "contract cache")
	deleteMany    = define("delete-many/counts", must, "delete_many answers how many of the keys were present and removes them", "contract cache")
	incrDelta     = define("incr/adds-delta", must, "incr adds delta (1 when left out) and answers the new value, which get then reads", "contract cache")
	decrDelta     = define("decr/subtracts-delta", must, "decr subtracts delta (1 when left out); past zero it goes negative, or stops at 0 as memcached does", "contract cache")
	incrAbsent    = define("incr/absent-is-404", must, "incr and decr of an absent key answer 404 and do not create it", "contract cache").
			Quoting(`"incr/decr of an absent key answer 404 and leave the key absent." (docs/contract.md, What the cache checks expect)`)
	incrOverflow = define("incr/no-wraparound", must, "incr past 2^63-1 never wraps around: it answers an error or the exact sum, and get reads no wrapped value", "contract cache").
			Quoting(`"incr past 2^63-1 never wraps around: it answers an error (the reference's 400) or the exact sum, and the entry holds no wrapped value" (docs/contract.md, What the cache checks expect)`)
	incrAtomic   = define("incr/atomic", advisory, "concurrent increments of one key are all counted (Django promises this only where the backend has an atomic increment)", "contract cache")
	touchAnswers = define("touch/answers-whether-present", must, "touch answers touched true for a present key and false for an absent one", "contract cache")
	touchExtends = define("touch/extends", must, "touch gives an entry a new timeout: it outlives its old one", "contract cache")
	clearEmpties = define("clear/empties-alias", must, "clear answers {} and removes every entry of the alias", "contract cache")
)

// Timeouts: omitted is the alias default, null never expires, zero or
// less expires at once.
var (
	expiryDefault = define("expiry/default-timeout", must, "an entry set without a timeout expires after the alias's default timeout from the manifest", "contract cache").
			Quoting(`"When timeout is left out, the alias's default from the manifest applies." (docs/contract.md, Cache API)`)
	expiryExplicit = define("expiry/explicit-timeout", must, "an entry set with a timeout of 2 seconds is gone once they pass", "contract cache").
			Quoting(`"Timeouts are in seconds. ... Entries expire on the target's clock." (docs/contract.md, Cache API)`)
	expiryLives = define("expiry/lives-until-timeout", must, "an entry outlives a wait shorter than its timeout", "contract cache").
			Quoting(`"Timeouts are in seconds. ... Entries expire on the target's clock." (docs/contract.md, Cache API)`)
	expiryNull = define("expiry/null-never-expires", must, "an entry set with timeout null outlives the alias's default timeout", "contract cache").
			Quoting(`"null means the entry never expires." (docs/contract.md, Cache API)`)
	expiryZero = define("expiry/zero-expires-at-once", must, "set with timeout 0 leaves the key absent, even when it held a value", "contract cache").
			Quoting(`"Zero or less means it expires at once, so a set with timeout: 0 leaves the key absent." (docs/contract.md, Cache API)`)
	expiryNegative = define("expiry/negative-expires-at-once", must, "set with a negative timeout leaves the key absent, even when it held a value", "contract cache").
			Quoting(`"Zero or less means it expires at once ..." (docs/contract.md, Cache API)`)
)

// Culling, aliases, keys and values.
var (
	cullMax = define("cull/within-max-entries", must, "an alias never holds more than its max_entries of the keys written to it", "contract cache").
		Quoting(`"Culling is checked on the alias with the fewest max_entries. The check writes one and a half times that many keys, and expects the alias never to hold more than max_entries of them ..." (docs/contract.md, What the cache checks expect)`)
	cullNewest = define("cull/keeps-newest", must, "culling never removes the key just written", "contract cache").
			Quoting(`"Culling is checked on the alias with the fewest max_entries. The check writes one and a half times that many keys, and expects the alias ... never to drop the key just written." (docs/contract.md, What the cache checks expect)`)
	aliasIsolated = define("aliases/isolated", must, "the same key in two aliases names two entries: set, delete and clear in one leave the other alone", "contract cache")
	aliasUnknown  = define("aliases/unknown-is-404", must, "an alias the manifest does not list answers 404 with a JSON error", "contract cache", "contract general").
			Quoting(`"It must be one of the aliases in the manifest's cache.aliases: an unknown alias or an unknown op gets 404." (docs/contract.md, Cache API)`)
	keyMaxLength = define("keys/max-length-accepted", must, "a key of 250 bytes, the longest memcached takes, is stored and read back", "contract cache").
			Quoting(`"A key of up to 250 bytes works." (docs/contract.md, What the cache checks expect)`)
	keyTooLong = define("keys/too-long-is-400", must, "a key longer than 250 bytes answers 400 with the reason, on every operation", "contract cache").
			Quoting(`"A longer key, or one with a space or a control character, gets 400 with a JSON error on every operation, before anything changes ..." (docs/contract.md, What the cache checks expect)`)
	keyControl = define("keys/control-characters-are-400", must, "a key holding a space or a control character answers 400 with the reason", "contract cache").
			Quoting(`"A longer key, or one with a space or a control character, gets 400 with a JSON error ..." (docs/contract.md, What the cache checks expect)`)
	valuesJSON = define("values/round-trip", must, "any JSON value (objects, arrays, strings with escapes, numbers, booleans, null) comes back as stored", "contract cache").
			Quoting(`"Values round-trip as JSON values: nested objects, escapes, null, large integers. Numbers are compared by value, so 1.0 for 1 is fine." (docs/contract.md, What the cache checks expect)`)
	badBody = define("input/bad-body-is-400", must, "a malformed body or a member of the wrong type answers 400 with a JSON error, never 5xx", "contract cache", "contract general").
		Quoting(`"All answers are 200 except for the errors: 400 for a malformed body or a field of the wrong type ..." (docs/contract.md, Cache API)`)
)
