'use strict'
// resources/{id}: PUT, GET, HEAD, DELETE. GET and HEAD answer with res.send,
// which answers 304 itself when req.fresh says the client's copy is current
// (If-None-Match, else If-Modified-Since, through the `fresh` package). The
// ETag is made by the `etag` package, as Express's own `etag` setting makes
// it: a hash of the content, so it changes whenever the content does.
//
// Express evaluates no other precondition: If-Match and If-Unmodified-Since
// (on every method), and If-None-Match on PUT, are this file's own code,
// following RFC 9110 13.2.2. With `plain` they are not evaluated at all.
const express = require('express')
const etag = require('etag')
const { MAX_SECONDS, BadInput, query } = require('./util')

const ID = /^[A-Za-z0-9._~-]{1,200}$/
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const LIMIT = 10000

// The entity-tags of an If-Match or If-None-Match list ("*" is ["*"]).
const tags = header => header.split(',').map(t => t.trim()).filter(Boolean)
const opaque = t => t.replace(/^W\//, '')
const strongMatch = (list, tag) => !!tag && !tag.startsWith('W/') && tags(list).some(t => t === '*' || t === tag)
const weakMatch = (list, tag) => !!tag && tags(list).some(t => t === '*' || opaque(t) === opaque(tag))
const seconds = date => Math.floor(date / 1000)

// 412 when a precondition fails; r is the current representation or
// undefined. If-None-Match on GET and HEAD is res.send's (a 304), not here.
function preconditionFails (req, r) {
  const im = req.get('If-Match')
  const ius = req.get('If-Unmodified-Since')
  if (im !== undefined) {
    if (!r || !(im.trim() === '*' || strongMatch(im, r.etag))) return true
  } else if (ius !== undefined && r && !isNaN(Date.parse(ius))) {
    if (!r.lastModified || seconds(r.lastModified) > seconds(Date.parse(ius))) return true
  }
  const inm = req.get('If-None-Match')
  if (inm !== undefined && req.method !== 'GET' && req.method !== 'HEAD' && r) {
    if (inm.trim() === '*' || weakMatch(inm, r.etag)) return true
  }
  return false
}

function putOptions (req) {
  const validators = query(req, 'validators') || 'both'
  if (!['both', 'etag', 'last-modified', 'none'].includes(validators)) throw new BadInput(`validators "${validators}": want both, etag, last-modified or none`)
  const maxAge = query(req, 'max_age')
  if (maxAge !== undefined && (!/^[0-9]{1,9}$/.test(maxAge) || +maxAge > MAX_SECONDS)) throw new BadInput(`max_age "${maxAge}": want whole seconds from 0 to ${MAX_SECONDS}`)
  const flag = name => {
    const v = query(req, name) || '0'
    if (v !== '0' && v !== '1') throw new BadInput(`${name} "${v}": want 0 or 1`)
    return v === '1'
  }
  const directives = (query(req, 'cache_control') || '').split(',').map(d => d.trim()).filter(Boolean)
  for (const d of directives) {
    const [name, value] = d.split(/=(.*)/s)
    if (!TOKEN.test(name) || name.toLowerCase() === 'max-age' || (value !== undefined && !TOKEN.test(value.replace(/^"(.*)"$/, '$1')))) {
      throw new BadInput(`cache_control "${d}": want directives such as no-store, no-cache, private`)
    }
  }
  return { validators, maxAge: maxAge === undefined ? undefined : +maxAge, expires: flag('expires'), weak: flag('weak'), directives }
}

module.exports = function resources (opts) {
  const r = express.Router()
  const stored = new Map() // id -> representation, in the order put
  const check = opts.plain ? () => false : preconditionFails

  r.param('id', (req, res, next, id) => {
    if (!ID.test(id) || id === '.' || id === '..') return next(new BadInput(`resource id "${id}": want 1 to 200 characters of A-Z a-z 0-9 . _ ~ -`))
    next()
  })

  r.put('/:id', express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
    const o = putOptions(req)
    const old = stored.get(req.params.id)
    if (check(req, old)) return res.status(412).json({ error: 'a precondition failed' })
    const content = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    const type = req.get('Content-Type') || 'application/octet-stream'
    const same = old && old.type === type && old.content.equals(content)
    const rep = { ...o, content, type, etag: etag(content, { weak: o.weak }), lastModified: same ? old.lastModified : new Date(seconds(Date.now()) * 1000) }
    stored.delete(req.params.id)
    stored.set(req.params.id, rep)
    if (stored.size > LIMIT) stored.delete(stored.keys().next().value) // forget the one put longest ago
    if (rep.validators !== 'last-modified' && rep.validators !== 'none') res.set('ETag', rep.etag)
    if (rep.validators !== 'etag' && rep.validators !== 'none') res.set('Last-Modified', rep.lastModified.toUTCString())
    res.status(old ? 200 : 201).json({ created: !old, id: req.params.id })
  })

  r.get('/:id', (req, res) => {
    const rep = stored.get(req.params.id)
    if (!rep) throw new BadInput(`no resource "${req.params.id}"`, 404)
    if (rep.validators === 'both' || rep.validators === 'etag') res.set('ETag', rep.etag)
    if (rep.validators === 'both' || rep.validators === 'last-modified') res.set('Last-Modified', rep.lastModified.toUTCString())
    const cc = [...(rep.maxAge !== undefined ? [`max-age=${rep.maxAge}`] : []), ...rep.directives]
    if (cc.length) res.set('Cache-Control', cc.join(', '))
    if (rep.expires) res.set('Expires', new Date(Date.now() + (rep.maxAge || 0) * 1000).toUTCString())
    res.vary('Accept-Encoding').set('Content-Location', req.originalUrl.split('?')[0])
    if (check(req, rep)) return res.status(412).json({ error: 'a precondition failed' })
    res.type(rep.type).send(rep.content) // 304 when req.fresh
  })

  r.delete('/:id', (req, res) => {
    const rep = stored.get(req.params.id)
    if (!rep) throw new BadInput(`no resource "${req.params.id}"`, 404)
    if (check(req, rep)) return res.status(412).json({ error: 'a precondition failed' })
    stored.delete(req.params.id)
    res.status(204).end()
  })
  return r
}
