'use strict'
// The demo: a stock Express 5 app with express-session (MemoryStore), three
// lru-cache aliases and the httpcheck contract under /httpcheck/, served over
// http and, given a certificate, https from one process, so that both share
// its sessions, caches and resources.
//
//   node demo/server.js [--addr 127.0.0.1] [--http-port 0] [--https-port 0 --cert C --key K]
//
// Port 0 picks a free port. Once listening it prints one line,
// "serving http=URL [https=URL]", with the contract's base URLs, and it stops
// on SIGTERM or SIGINT. The environment picks the configuration:
//
//   HTTPCHECK_DEMO_SESSION  default: express-session's defaults (no maxAge, no SameSite)
//                           maxage:  cookie.maxAge two weeks and sameSite lax, as a
//                                    login session usually is
//   HTTPCHECK_DEMO_PLAIN    1: the contract's `plain` option, Express as it is
const fs = require('node:fs')
const http = require('node:http')
const https = require('node:https')
const { parseArgs } = require('node:util')
const express = require('express')
const session = require('express-session')
const { LRUCache } = require('lru-cache')
const httpcheckContract = require('../httpcheck-contract')

const { values: args } = parseArgs({
  options: {
    addr: { type: 'string', default: '127.0.0.1' },
    'http-port': { type: 'string', default: '0' },
    'https-port': { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    prefix: { type: 'string', default: '/httpcheck/' }
  }
})
const tls = args['https-port'] !== undefined
if (tls && !(args.cert && args.key)) throw new Error('--https-port needs --cert and --key')

// A staging deployment is served over https, and so its session cookie is
// Secure, as the demo's is when it serves https.
const sessionOptions = {
  secret: process.env.HTTPCHECK_DEMO_SECRET || 'httpcheck demo: not a secret, never use it outside the demo',
  resave: false, // MemoryStore implements touch()
  saveUninitialized: false, // no session, and no cookie, until something is stored
  cookie: { secure: tls }
}
if (process.env.HTTPCHECK_DEMO_SESSION === 'maxage') {
  Object.assign(sessionOptions.cookie, { maxAge: 14 * 24 * 3600 * 1000, sameSite: 'lax' })
}

// Three aliases, as the reference server has: 300 s and 300 entries (Django's
// defaults), and a small one whose culling the checks can watch.
const caches = {
  default: new LRUCache({ max: 300, ttl: 300 * 1000 }),
  secondary: new LRUCache({ max: 300, ttl: 300 * 1000 }),
  small: new LRUCache({ max: 20, ttl: 300 * 1000 })
}

const urls = {} // filled in once the servers listen
const app = express()
app.use(session(sessionOptions))
app.use(args.prefix.replace(/\/$/, ''), httpcheckContract({
  enabled: true,
  session: sessionOptions,
  caches,
  urls,
  perInstance: false, // one process serves every request
  plain: process.env.HTTPCHECK_DEMO_PLAIN === '1',
  server: `httpcheck Express demo (Express ${require('express/package.json').version}, express-session ${require('express-session/package.json').version}, ${process.env.HTTPCHECK_DEMO_SESSION || 'default'} session options${process.env.HTTPCHECK_DEMO_PLAIN === '1' ? ', plain' : ''})`
}))

const servers = { http: http.createServer(app) }
if (tls) servers.https = https.createServer({ cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key) }, app)
const ports = { http: args['http-port'], https: args['https-port'] }

Promise.all(Object.entries(servers).map(([scheme, srv]) => new Promise((resolve, reject) => {
  srv.once('error', reject)
  srv.listen(+ports[scheme], args.addr, () => {
    urls[scheme] = `${scheme}://${args.addr}:${srv.address().port}${args.prefix}`
    resolve()
  })
}))).then(() => {
  console.log('serving ' + Object.entries(urls).map(([s, u]) => `${s}=${u}`).join(' '))
}, err => {
  console.error(err.message)
  process.exit(1)
})

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    for (const srv of Object.values(servers)) srv.close()
    for (const srv of Object.values(servers)) srv.closeAllConnections()
    process.exit(0)
  })
}
