'use strict'
// The httpcheck contract (docs/contract.md) for an Express app: a sub-app to
// mount under a prefix of a test or staging build. NEVER IN PRODUCTION: it lets
// anyone set cookies, write to and clear your caches, and log in as anyone.
//
//   app.use(session(sessionOptions))            // your express-session
//   if (process.env.HTTPCHECK_CONTRACT === 'on') {
//     app.use('/httpcheck', httpcheckContract({ enabled: true, session: sessionOptions, caches }))
//   }
//
// Options:
//   enabled   must be exactly true, or every request goes on to the app (404)
//   session   the options object given to express-session, for the manifest
//   caches    {alias: LRUCache}: the caches the cache API may write to and CLEAR;
//             "default" also holds the cached views and fragments
//   urls      {http, https}: the contract's base URL per scheme you serve
//   server    free text for the manifest's "server"
//   features  the features to declare (default: all that the options allow)
//   plain     true: Express as it is, without what this adapter makes up for
//             (docs/frameworks/express.md); for comparison only
const express = require('express')
const { Cookie, MemoryStore } = require('express-session')
const { BadInput } = require('./util')

const FEATURES = ['cookies', 'sessions', 'auth', 'cache', 'views', 'resources']

function manifest (opts, req) {
  const m = { contract: 'httpcheck/1', server: opts.server || `Express ${require('express/package.json').version} (httpcheck contract)`, features: opts.features, hosts: { any_host: true, names: [] } }
  if (opts.urls) m.urls = opts.urls
  if (opts.features.includes('sessions')) {
    // The cookie express-session made for this request from the options
    // (or, where it made none, would make).
    const s = opts.session || {}
    const c = req.session ? req.session.cookie : new Cookie(typeof s.cookie === 'function' ? s.cookie(req) : s.cookie)
    const age = c.originalMaxAge == null ? null : Math.round(c.originalMaxAge / 1000)
    m.session = {
      cookie_name: s.name || s.key || 'connect.sid',
      cookie_age: age, // null: no maxAge, so no lifetime, in the cookie or on the server
      expire_at_browser_close: age === null,
      save_every_request: Boolean(s.rolling),
      cookie_secure: c.secure === true,
      cookie_httponly: Boolean(c.httpOnly),
      cookie_samesite: c.sameSite ? { true: 'Strict' }[c.sameSite] || c.sameSite[0].toUpperCase() + c.sameSite.slice(1).toLowerCase() : '',
      cookie_path: c.path || '/',
      cookie_domain: c.domain || null,
      backend: (req.sessionStore || s.store || { constructor: MemoryStore }).constructor.name // MemoryStore, RedisStore...
    }
  }
  if (opts.features.includes('cache')) {
    const { describe } = require('./cache')
    m.cache = { aliases: Object.fromEntries(Object.entries(opts.caches).map(([a, c]) => [a, describe(c)])), per_instance: opts.perInstance ?? true }
  }
  return m
}

module.exports = function httpcheckContract (options = {}) {
  if (options.enabled !== true) return (req, res, next) => next()
  const caches = options.caches || {}
  const opts = { plain: options.plain === true, ...options, caches }
  const can = { sessions: !!options.session, auth: !!options.session, cache: Object.keys(caches).length > 0, views: !!caches.default }
  opts.features = (options.features || FEATURES).filter(f => FEATURES.includes(f) && can[f] !== false)

  const app = express()
  // Express adds a weak ETag of the body to every res.send; the resources
  // send exactly the validators they were stored with instead.
  if (!opts.plain) app.set('etag', false)
  app.use((req, res, next) => {
    // Per-client answers: no cache in between may keep them. The cached
    // views and the resources carry the freshness they test.
    if (!opts.plain && !/^\/(views\/cached|resources\/)/.test(req.path)) res.set('Cache-Control', 'no-store')
    next()
  })
  app.use(express.json({ limit: '1mb' })) // JSON bodies; a body that isn't JSON is a 400

  app.get('/manifest', (req, res) => res.json(manifest(opts, req)))
  const mount = (feature, path, make) => { if (opts.features.includes(feature)) app.use(path, make(opts)) }
  mount('cookies', '/cookies', require('./cookies'))
  mount('sessions', '/session', require('./sessions'))
  mount('cache', '/cache', require('./cache'))
  mount('views', '/views', require('./views'))
  mount('resources', '/resources', require('./resources'))

  app.use((req, res) => res.status(404).json({ error: `no contract endpoint ${req.method} ${req.originalUrl}` }))
  app.use((err, req, res, next) => { // bad input is a JSON 4xx; anything else the 500 it is
    const status = err instanceof BadInput || (err.status >= 400 && err.status < 500) ? err.status : 500
    if (status === 500) console.error(err)
    res.status(status).json({ error: err.message })
  })
  return app
}
