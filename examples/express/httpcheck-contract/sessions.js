'use strict'
// session/* and login: the app's own express-session middleware, through
// req.session[key], req.session.cookie.maxAge, req.session.regenerate() and
// req.session.destroy().
const express = require('express')
const { MAX_SECONDS, BadInput, body, wholeNumber } = require('./util')

// Where login keeps the user, and (as Django's _session_expiry) the expiry
// session/expiry asked for. The data endpoints neither show nor touch keys
// with these prefixes, or session/set {"key": "_auth_user", ...} would log
// anyone in.
const USER = '_auth_user'
const EXPIRY = '_session_expiry'
const reserved = k => k.startsWith('_auth_') || k.startsWith('_session_')

// The keys a client may use: not express-session's own (cookie, id, req,
// save, regenerate...), not Object.prototype's, not the reserved ones.
function key (sess, k) {
  if (typeof k !== 'string' || !k) throw new BadInput('"key" must be a non-empty string')
  if (reserved(k) || k === 'cookie' || (k in sess && !Object.prototype.propertyIsEnumerable.call(sess, k))) {
    throw new BadInput(`key "${k}" is reserved for express-session or login`)
  }
  return k
}

function data (sess) {
  return Object.fromEntries(Object.entries(sess).filter(([k]) => k !== 'cookie' && !reserved(k)))
}

// The callbacks of express-session, as promises.
const call = (sess, method) => new Promise((resolve, reject) => sess[method](err => err ? reject(err) : resolve()))

module.exports = function sessions (opts) {
  const r = express.Router()
  r.use((req, res, next) => {
    if (!req.session) return next(new BadInput('no session: mount express-session before the httpcheck contract', 404))
    if (!opts.plain) res.vary('Cookie') // the answer depends on the session cookie
    next()
  })

  r.post('/set', (req, res) => {
    const b = body(req, 'key', 'value')
    const k = key(req.session, b.key)
    if (!('value' in b)) throw new BadInput('missing member "value"')
    req.session[k] = b.value
    res.json({})
  })

  r.get('/get', (req, res) => {
    const k = key(req.session, req.query.key)
    const found = Object.hasOwn(req.session, k)
    res.json({ key: k, found, value: found ? req.session[k] : null })
  })

  r.post('/delete', (req, res) => {
    const k = key(req.session, body(req, 'key').key)
    const found = Object.hasOwn(req.session, k)
    delete req.session[k]
    res.json({ deleted: found })
  })

  r.get('/all', (req, res) => res.json({ data: data(req.session) }))

  // cookie.maxAge reads the milliseconds really left; null (no Expires) is a
  // cookie that lasts until the browser closes.
  const expiry = cookie => ({ seconds_left: cookie.expires ? Math.max(0, Math.round(cookie.maxAge / 1000)) : null, at_browser_close: !cookie.expires })
  r.get('/expiry', (req, res) => res.json(expiry(req.session.cookie)))
  r.post('/expiry', (req, res) => {
    const n = wholeNumber(body(req, 'seconds').seconds, '"seconds"', 0, MAX_SECONDS)
    req.session.cookie.maxAge = n > 0 ? n * 1000 : null
    // express-session sends the cookie again only when the session's data
    // changed: keep the expiry in the data, as Django does.
    if (!opts.plain) req.session[EXPIRY] = n
    res.json(expiry(req.session.cookie))
  })

  r.post('/flush', async (req, res) => {
    await call(req.session, 'destroy')
    res.json({})
  })

  // Login: anyone, as anyone, without a password. Never in production.
  r.post('/login', async (req, res) => {
    const user = body(req, 'user').user
    if (typeof user !== 'string' || !user) throw new BadInput('"user" must be a non-empty string')
    const before = req.session[USER]
    const kept = before === undefined || before === user ? data(req.session) : {} // another user's data never carries over
    // regenerate() makes the new session's cookie from the middleware's
    // options: a lifetime session/expiry gave the old one is carried across.
    const expiry = !opts.plain && EXPIRY in req.session && { [EXPIRY]: req.session[EXPIRY], maxAge: req.session.cookie.expires ? req.session.cookie.maxAge : null }
    await call(req.session, 'regenerate') // a new session id; the old one is destroyed
    Object.assign(req.session, kept, { [USER]: user })
    if (expiry) {
      req.session.cookie.maxAge = expiry.maxAge
      req.session[EXPIRY] = expiry[EXPIRY]
    }
    res.json({ user })
  })

  r.get('/whoami', (req, res) => res.json({ user: req.session[USER] ?? null }))

  r.post('/logout', async (req, res) => {
    await call(req.session, 'destroy')
    res.json({})
  })
  return r
}
