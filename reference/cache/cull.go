package cache

// Culling keeps a cache within Options.MaxEntries (Django's _cull in
// django/core/cache/backends/{locmem,filebased,db}.py). Each backend runs
// the same steps in its own storage, just before it stores a key it does
// not hold yet:
//
//  1. if fewer than MaxEntries entries are stored (fresh or expired), stop;
//  2. drop every expired entry;
//  3. if fewer than MaxEntries remain, stop;
//  4. remove cullCount of the rest, in the backend's eviction order (least
//     recently used for memory; soonest to expire for file and SQLite).
//
// The new entry then makes at most MaxEntries.

// cullCount returns how many of count entries step 4 removes, given that
// count >= maxEntries: count/cullFrequency as in Django, or everything when
// cullFrequency is 0, but never fewer than it takes to leave room for one
// more entry. Django stops at count/cullFrequency, which is 0 when count <
// cullFrequency (MaxEntries 2, CullFrequency 3): the cache then grows past
// MaxEntries with every new key.
func cullCount(count, maxEntries, cullFrequency int) int {
	if cullFrequency == 0 {
		return count
	}
	return max(count/cullFrequency, count-maxEntries+1)
}
