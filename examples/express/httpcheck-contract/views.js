'use strict'
// views/cached, uncached, fragment. Express has no page cache and no fragment
// cache: both are a few lines on the default lru-cache alias, the way an
// Express app caches a route or a piece of a page.
const express = require('express')
const escapeHtml = require('escape-html')
const { MAX_SECONDS, BadInput, required, seconds } = require('./util')

// Render counters, keyed by URL or user; they restart from zero past 100,000.
const counters = new Map()
function count (k) {
  if (!counters.has(k) && counters.size >= 100000) counters.clear()
  counters.set(k, (counters.get(k) || 0) + 1)
  return counters.get(k)
}

const fullURL = req => `${req.protocol}://${req.get('host')}${req.originalUrl}`

// cachePage(ttl) caches a route's 200 answers for ttl seconds, keyed on the
// method and the full URL, as Django's cache_page: a hit is the stored body
// with the stored headers, Age, and the Cache-Control and Expires the miss had.
// The key has a space, so no key of the cache API (which refuses spaces) can
// name a page.
function cachePage (cache, ttlOf) {
  return (req, res, next) => {
    const ttl = ttlOf(req)
    const key = `page ${req.method === 'HEAD' ? 'GET' : req.method} ${fullURL(req)}`
    const hit = cache.get(key)
    if (hit) {
      res.set(hit.headers).set('Age', String(Math.floor((Date.now() - hit.at) / 1000)))
      return res.send(hit.body)
    }
    res.set('Cache-Control', `max-age=${ttl}`).set('Expires', new Date(Date.now() + ttl * 1000).toUTCString())
    const send = res.send
    res.send = function (b) { // res.json ends here too, with the JSON text
      const cc = String(res.get('Cache-Control') || '')
      if (res.statusCode === 200 && (typeof b === 'string' || Buffer.isBuffer(b)) && !res.get('Set-Cookie') && !/private|no-store/.test(cc)) {
        cache.set(key, { body: b, headers: { 'Content-Type': res.get('Content-Type'), 'Cache-Control': cc, Expires: res.get('Expires') }, at: Date.now() }, { ttl: ttl * 1000 })
      }
      return send.call(this, b)
    }
    next()
  }
}

module.exports = function views (opts) {
  const r = express.Router()
  const cache = opts.caches.default
  const render = (req, res) => res.json({ renders: count('render ' + fullURL(req)), rendered_at: new Date().toISOString() })
  const ttl = req => {
    const t = seconds(req, 'ttl', 1, MAX_SECONDS)
    if (t === undefined) throw new BadInput(`missing query parameter "ttl" (whole seconds from 1 to ${MAX_SECONDS})`)
    return t
  }

  r.get('/cached', cachePage(cache, ttl), render)
  r.get('/uncached', render)

  r.get('/fragment', (req, res) => {
    const user = required(req, 'user')
    if (Buffer.byteLength(user) > 256) throw new BadInput('"user" is longer than 256 bytes')
    const t = seconds(req, 'ttl', 1, MAX_SECONDS, 500)
    // The sidebar is cached per user for t seconds; its counter runs only on a miss.
    const fragmentKey = `fragment sidebar ${user}`
    let sidebar = cache.get(fragmentKey)
    if (sidebar === undefined) {
      sidebar = `<section id="sidebar" data-user="${escapeHtml(user)}" data-renders="${count('sidebar ' + user)}">
<h2>Sidebar for ${escapeHtml(user)}</h2>
<p>Cached for ${t} seconds per user in lru-cache.</p>
</section>`
      cache.set(fragmentKey, sidebar, { ttl: t * 1000 })
    }
    res.type('html').send(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>httpcheck fragment</title></head>
<body>
${sidebar}
<main id="content" data-renders="${count('content ' + user)}">
<p>Rendered on every request.</p>
</main>
</body>
</html>
`)
  })
  return r
}

module.exports.cachePage = cachePage
