'use strict'
// cookies/set, delete, get, all: res.cookie, res.clearCookie and req.cookies
// (cookie-parser). Express encodes values with encodeURIComponent and
// cookie-parser decodes them, so any string survives the trip as it is.
const express = require('express')
const cookieParser = require('cookie-parser')
const { BadInput, query, required } = require('./util')

module.exports = function cookies (opts) {
  const r = express.Router()
  r.use(cookieParser())
  const flag = (req, name) => ['1', 'true'].includes(query(req, name))

  r.get('/set', (req, res) => {
    const name = required(req, 'name')
    const o = { path: query(req, 'path') || '/', domain: query(req, 'domain'), secure: flag(req, 'secure'), httpOnly: flag(req, 'httponly') }
    const maxAge = query(req, 'max_age')
    if (maxAge !== undefined) {
      if (!/^-?[0-9]{1,15}$/.test(maxAge)) throw new BadInput(`max_age "${maxAge}" is not an integer`)
      o.maxAge = maxAge * 1000 // milliseconds
    }
    const expires = query(req, 'expires')
    if (expires !== undefined) {
      o.expires = new Date(expires)
      if (isNaN(o.expires)) throw new BadInput(`expires "${expires}" is not an HTTP-date`)
    }
    const sameSite = query(req, 'samesite')
    if (sameSite !== undefined) o.sameSite = sameSite
    try {
      res.cookie(name, query(req, 'value') || '', o)
    } catch (e) { // the cookie package refuses a name, domain, path or sameSite
      throw new BadInput(e.message)
    }
    res.json({ set: name })
  })

  r.get('/delete', (req, res) => {
    const name = required(req, 'name')
    const o = { path: query(req, 'path') || '/', domain: query(req, 'domain') }
    // A browser ignores a __Secure- or __Host- cookie without Secure, the
    // deletion included; clearCookie only sends what it is given.
    if (!opts.plain && /^__(secure|host)-/i.test(name)) o.secure = true
    try {
      res.clearCookie(name, o) // an Expires in 1970, no Max-Age
    } catch (e) {
      throw new BadInput(e.message)
    }
    res.json({ deleted: name })
  })

  r.get('/get', (req, res) => {
    const name = required(req, 'name')
    const found = Object.hasOwn(req.cookies, name)
    const fallback = query(req, 'default')
    res.json({ name, found, value: found ? req.cookies[name] : (fallback === undefined ? null : fallback) })
  })

  r.get('/all', (req, res) => res.json({ cookies: req.cookies }))
  return r
}
