'use strict'
// The adapter's own tests: the switch, the manifest, and bad input answered
// 4xx with a JSON error, never 5xx. What the endpoints do with good input is
// graded by httpcheck itself (express_test.go runs every suite on the demo).
//
//   cd examples/express && node --test test/
const test = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const session = require('express-session')
const { LRUCache } = require('lru-cache')
const httpcheckContract = require('../httpcheck-contract')

// serve mounts express-session (with options.session) and the contract
// (with options) on a fresh app, under /httpcheck, and returns a fetch for
// paths under it.
async function serve (t, options) {
  const sessionOptions = { secret: 'test', resave: false, saveUninitialized: false, ...options.session }
  const app = express()
  app.use(session(sessionOptions))
  app.use('/httpcheck', httpcheckContract({ caches: { default: new LRUCache({ max: 10 }) }, ...options, session: sessionOptions }))
  const server = app.listen(0, '127.0.0.1')
  await new Promise(resolve => server.once('listening', resolve))
  t.after(() => server.close())
  const base = `http://127.0.0.1:${server.address().port}/httpcheck/`
  return (path, init = {}) => {
    if (init.json !== undefined) {
      init = { method: 'POST', ...init, headers: { 'Content-Type': 'application/json' }, body: typeof init.json === 'string' ? init.json : JSON.stringify(init.json) }
    }
    return fetch(base + path, init)
  }
}

async function assertError (response, status) {
  assert.equal(response.status, status, `${response.url}: ${await response.clone().text()}`)
  assert.match(response.headers.get('content-type'), /^application\/json/)
  assert.ok((await response.json()).error)
}

test('off unless enabled is exactly true', async t => {
  for (const enabled of [undefined, false, 1, 'true', 'yes']) {
    const get = await serve(t, { enabled })
    assert.equal((await get('manifest')).status, 404, String(enabled))
    assert.equal((await get('cookies/set?name=a')).headers.get('set-cookie'), null, String(enabled))
  }
})

test('the manifest reports the options', async t => {
  const get = await serve(t, { enabled: true, urls: { http: 'http://x.test/httpcheck/' } })
  const m = await (await get('manifest')).json()
  assert.equal(m.contract, 'httpcheck/1')
  assert.deepEqual(m.features, ['cookies', 'sessions', 'auth', 'cache', 'views', 'resources'])
  assert.equal(m.session.cookie_name, 'connect.sid')
  assert.equal(m.session.cookie_age, null) // no cookie.maxAge: null, never 0
  assert.equal(m.session.expire_at_browser_close, true)
  assert.equal(m.session.cookie_samesite, '')
  assert.equal(m.session.backend, 'MemoryStore')
  assert.deepEqual(m.cache.aliases.default, { timeout: null, max_entries: 10, cull_frequency: 10, library: 'lru-cache' })
  assert.equal(m.urls.http, 'http://x.test/httpcheck/')
  assert.equal((await get('manifest')).headers.get('cache-control'), 'no-store')

  const get2 = await serve(t, { enabled: true, session: { name: 'sid', cookie: { maxAge: 600000, sameSite: 'strict', secure: true } }, caches: {} })
  const m2 = await (await get2('manifest')).json()
  assert.deepEqual(m2.features, ['cookies', 'sessions', 'auth', 'resources'])
  assert.equal(m2.session.cookie_name, 'sid')
  assert.equal(m2.session.cookie_age, 600)
  assert.equal(m2.session.cookie_samesite, 'Strict')
})

test('unknown endpoints, aliases and operations are 404', async t => {
  const get = await serve(t, { enabled: true })
  await assertError(await get('nothing/here'), 404)
  await assertError(await get('cache/nosuch/get', { json: { key: 'k' } }), 404)
  await assertError(await get('cache/default/frobnicate', { json: {} }), 404)
  await assertError(await get('cache/default/__proto__', { json: {} }), 404)
  await assertError(await get('cache/default/incr', { json: { key: 'never-set' } }), 404)
  await assertError(await get('resources/never-put'), 404)
  await assertError(await get('resources/never-put', { method: 'DELETE' }), 404)
})

test('bad cookies are 400', async t => {
  const get = await serve(t, { enabled: true })
  for (const q of ['', '?name=', '?name=a&max_age=soon', '?name=a&max_age=1.5', '?name=a&expires=tomorrow',
    '?name=a&samesite=Sometimes', '?name=a%20b', '?name=a&name=b', '?name=a&domain=a%20b', '?name=a&path=%3B']) {
    await assertError(await get('cookies/set' + q), 400)
  }
  await assertError(await get('cookies/get'), 400)
  await assertError(await get('cookies/delete'), 400)
})

test('bad session input is 400', async t => {
  const get = await serve(t, { enabled: true })
  for (const body of ['{', '[]', '"k"', { value: 1 }, { key: 7, value: 1 }, { key: 'k' }, { key: '', value: 1 },
    { key: '_auth_user', value: 'admin' }, { key: 'cookie', value: 1 }, { key: 'save', value: 1 }, { key: 'id', value: 1 },
    { key: 'constructor', value: 1 }, { key: 'k', value: 1, extra: 2 }]) {
    await assertError(await get('session/set', { json: body }), 400)
  }
  await assertError(await get('session/get'), 400)
  await assertError(await get('session/get?key=_session_expiry'), 400)
  await assertError(await get('session/get?key=a&key=b'), 400)
  for (const seconds of ['60', -1, 1.5, 1e12, null, true]) {
    await assertError(await get('session/expiry', { json: { seconds } }), 400)
  }
  for (const body of [{}, { user: '' }, { user: 5 }]) {
    await assertError(await get('session/login', { json: body }), 400)
  }
})

test('bad cache input is 400', async t => {
  const get = await serve(t, { enabled: true })
  assert.deepEqual(await (await get('cache/default/get', { json: { key: 'never-set' } })).json(), { found: false, value: null })
  for (const [op, body] of [['set', '{"key": "k", "value": 1'], ['set', [1]], ['set', { key: 7, value: 1 }], ['set', { value: 1 }],
    ['set', { key: 'k', value: 1, ttl: 5 }], ['set', { key: 'k', value: 1, timeout: 1.5 }], ['set', { key: 'k', value: 1, timeout: '5' }],
    ['set', { key: 'has space', value: 1 }], ['set', { key: 'x'.repeat(251), value: 1 }], ['set', { key: 'é'.repeat(126), value: 1 }],
    ['get_many', { keys: 'k' }], ['set_many', { values: [1] }], ['set_many', { values: { 'a b': 1 } }], ['incr', { key: 'k', delta: 'one' }],
    ['set', '{"key": "k", "value": NaN}']]) {
    await assertError(await get('cache/default/' + op, { json: body }), 400)
  }
  await get('cache/default/set', { json: { key: 'word', value: 'abc' } })
  await assertError(await get('cache/default/incr', { json: { key: 'word' } }), 400)
  await get('cache/default/set', { json: { key: 'big', value: Number.MAX_SAFE_INTEGER } })
  await assertError(await get('cache/default/incr', { json: { key: 'big' } }), 400)
})

test('bad view input is 400', async t => {
  const get = await serve(t, { enabled: true })
  for (const q of ['', '?ttl=0', '?ttl=-1', '?ttl=1.5', '?ttl=abc', '?ttl=34560001', '?ttl=1&ttl=2']) {
    await assertError(await get('views/cached' + q), 400)
  }
  await assertError(await get('views/fragment'), 400)
  await assertError(await get('views/fragment?user=u&ttl=0'), 400)
  await assertError(await get('views/fragment?user=' + 'x'.repeat(257)), 400)
})

test('bad resource input is 400, 412 or 413', async t => {
  const get = await serve(t, { enabled: true })
  const put = (path, body = 'x', headers = {}) => get(path, { method: 'PUT', body, headers: { 'Content-Type': 'text/plain', ...headers } })
  await assertError(await put('resources/bad%20id'), 400)
  await assertError(await put('resources/' + 'a'.repeat(201)), 400)
  await assertError(await put('resources/..'), 404) // fetch resolves it to /httpcheck/: no such endpoint
  for (const q of ['validators=some', 'max_age=-1', 'max_age=soon', 'expires=2', 'weak=yes', 'cache_control=no%20store', 'cache_control=max-age=5']) {
    await assertError(await put('resources/r1?' + q), 400)
  }
  await assertError(await put('resources/big', 'x'.repeat(1024 * 1024 + 1)), 413)
  await assertError(await get('session/set', { json: { key: 'k', value: 'x'.repeat(1024 * 1024) } }), 413)
  assert.equal((await put('resources/r2')).status, 201)
  assert.equal((await put('resources/r2')).status, 200)
  await assertError(await put('resources/r2', 'y', { 'If-None-Match': '*' }), 412)
  await assertError(await put('resources/r3', 'y', { 'If-Match': '*' }), 412)
})
