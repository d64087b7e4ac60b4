'use strict'
// cache/{alias}/{op}: one call on the app's own lru-cache instance per
// request, with Django's operations (the contract's cache API is Django's)
// written as the few lines each takes on lru-cache.
const express = require('express')
const { BadInput, body, wholeNumber } = require('./util')

// A key memcached would take: at most 250 bytes, no spaces or control
// characters. lru-cache takes any key, so code tested against it could
// break on memcached or be refused by a Django service sharing the cache;
// the contract wants a 400.
function checkKey (opts, k, what = 'key') {
  if (typeof k !== 'string') throw new BadInput(`"${what}" must be a string`)
  if (opts.plain) return k
  if (!k) throw new BadInput(`"${what}" is empty`)
  if (Buffer.byteLength(k) > 250) throw new BadInput(`${what} "${k.slice(0, 40)}...": longer than 250 bytes, which memcached refuses`)
  if (/[\x00-\x20\x7f]/.test(k)) throw new BadInput(`${what} ${JSON.stringify(k)} holds a space or a control character, which memcached refuses`)
  return k
}

// The contract's timeout, as lru-cache's set options: absent, the alias's
// default ttl; null, never (lru-cache's ttl 0); seconds, milliseconds. Zero
// or less expires at once: lru-cache would read 0 as "never", so the entry is
// deleted instead of stored.
function ttl (b) {
  if (!('timeout' in b)) return {}
  if (b.timeout === null) return { ttl: 0 }
  const s = wholeNumber(b.timeout, '"timeout"')
  return s > 0 ? { ttl: s * 1000 } : null
}

const present = (c, k) => c.has(k) // false for an expired entry too

function store (c, k, v, options) {
  if (options === null) c.delete(k)
  else c.set(k, v, options)
}

function add (c, k, delta) {
  if (!present(c, k)) throw new BadInput(`cache: key not found: ${JSON.stringify(k)}`, 404)
  const v = c.get(k)
  if (!Number.isSafeInteger(v) || !Number.isSafeInteger(v + delta)) throw new BadInput(`cache: cannot add ${delta} to ${JSON.stringify(v)}`)
  c.set(k, v + delta, { noUpdateTTL: true }) // keeps the entry's expiry
  return { value: v + delta }
}

const ops = {
  set: (c, b, key) => { store(c, key(b.key), member(b, 'value'), ttl(b)); return {} },
  get: (c, b, key) => { const k = key(b.key); return present(c, k) ? { found: true, value: c.get(k) } : { found: false, value: b.default ?? null } },
  add: (c, b, key) => {
    const k = key(b.key); const v = member(b, 'value'); const t = ttl(b)
    if (present(c, k)) return { added: false }
    store(c, k, v, t)
    return { added: true }
  },
  get_or_set: (c, b, key) => {
    const k = key(b.key); const v = member(b, 'default'); const t = ttl(b)
    if (present(c, k)) return { value: c.get(k) }
    store(c, k, v, t)
    return { value: v }
  },
  get_many: (c, b, key) => ({ values: Object.fromEntries(keys(b, key).filter(k => present(c, k)).map(k => [k, c.get(k)])) }),
  set_many: (c, b, key) => {
    const values = member(b, 'values')
    if (values === null || typeof values !== 'object' || Array.isArray(values)) throw new BadInput('"values" must be an object')
    Object.keys(values).forEach(k => key(k, 'values\' keys'))
    const t = ttl(b)
    for (const [k, v] of Object.entries(values)) store(c, k, v, t)
    return { failed: [] }
  },
  delete: (c, b, key) => ({ deleted: c.delete(key(b.key)) }),
  delete_many: (c, b, key) => ({ deleted: keys(b, key).filter(k => c.delete(k)).length }),
  incr: (c, b, key) => add(c, key(b.key), delta(b)),
  decr: (c, b, key) => add(c, key(b.key), -delta(b)),
  touch: (c, b, key) => {
    const k = key(b.key); const t = ttl(b)
    if (!present(c, k)) return { touched: false }
    store(c, k, c.get(k), t)
    return { touched: true }
  },
  clear: c => { c.clear(); return {} }
}

// The members each operation takes; any other is refused ("ttl" for "timeout").
const members = {
  set: ['key', 'value', 'timeout'], get: ['key', 'default'], add: ['key', 'value', 'timeout'],
  get_or_set: ['key', 'default', 'timeout'], get_many: ['keys'], set_many: ['values', 'timeout'],
  delete: ['key'], delete_many: ['keys'], incr: ['key', 'delta'], decr: ['key', 'delta'],
  touch: ['key', 'timeout'], clear: []
}

function member (b, name) {
  if (!(name in b)) throw new BadInput(`missing member "${name}"`)
  return b[name]
}

function keys (b, key) {
  const ks = member(b, 'keys')
  if (!Array.isArray(ks)) throw new BadInput('"keys" must be an array')
  if (ks.length > 1000) throw new BadInput('at most 1000 keys at once')
  return ks.map(k => key(k, 'keys[]'))
}

const delta = b => 'delta' in b ? wholeNumber(b.delta, '"delta"') : 1

module.exports = function cache (opts) {
  const r = express.Router()
  r.post('/:alias/:op', (req, res) => {
    const c = Object.hasOwn(opts.caches, req.params.alias) && opts.caches[req.params.alias]
    if (!c) throw new BadInput(`no cache alias "${req.params.alias}" (aliases: ${Object.keys(opts.caches).join(', ')})`, 404)
    const op = Object.hasOwn(ops, req.params.op) && ops[req.params.op]
    if (!op) throw new BadInput(`no cache operation "${req.params.op}" (operations: ${Object.keys(ops).join(', ')})`, 404)
    const b = body(req, ...members[req.params.op])
    res.json(op(c, b, (k, what) => checkKey(opts, k, what)))
  })
  return r
}

// What the manifest says about an alias: lru-cache's own settings.
module.exports.describe = c => ({
  timeout: c.ttl ? c.ttl / 1000 : null,
  max_entries: c.max || 0,
  // lru-cache evicts the least recently used entry, one at a time: 1/max of them.
  cull_frequency: c.max || 0,
  library: 'lru-cache'
})
