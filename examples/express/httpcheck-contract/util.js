'use strict'
// What every endpoint shares: bad input is a JSON 4xx, never a 5xx.

// 400 days: the longest a browser keeps a cookie (RFC 6265bis 4.1.2.1), the
// contract's bound for session lifetimes and view ttls.
const MAX_SECONDS = 400 * 24 * 3600

class BadInput extends Error {
  constructor (message, status = 400) {
    super(message)
    this.status = status
  }
}

// One query parameter as a string, or undefined; Express 5's query parser
// makes ?a=1&a=2 an array, which no endpoint takes.
function query (req, name) {
  const v = req.query[name]
  if (v !== undefined && typeof v !== 'string') throw new BadInput(`query parameter "${name}" is given more than once`)
  return v
}

function required (req, name) {
  const v = query(req, name)
  if (!v) throw new BadInput(`missing query parameter "${name}"`)
  return v
}

// A query parameter of plain digits within [low, high].
function seconds (req, name, low, high, fallback) {
  const raw = query(req, name)
  if (raw === undefined) return fallback
  if (!/^[0-9]{1,12}$/.test(raw) || +raw < low || +raw > high) {
    throw new BadInput(`${name} "${raw}": want whole seconds from ${low} to ${high}`)
  }
  return +raw
}

// The JSON body as an object (express.json() parsed it; no body is {}).
function body (req, ...members) {
  const b = req.body === undefined ? {} : req.body
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new BadInput('the body must be a JSON object')
  const extra = Object.keys(b).filter(k => !members.includes(k))
  if (extra.length) throw new BadInput(`unknown member "${extra[0]}" (this operation takes ${members.join(', ') || 'none'})`)
  return b
}

function wholeNumber (value, what, low = -Infinity, high = Infinity) {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new BadInput(`${what} must be a whole number`)
  if (value < low || value > high) throw new BadInput(`${what} = ${value} is out of range (${low} to ${high})`)
  return value
}

module.exports = { MAX_SECONDS, BadInput, query, required, seconds, body, wholeNumber }
