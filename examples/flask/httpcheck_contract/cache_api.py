"""cache/{alias}/{op} (feature "cache"): calls on the Flask-Caching Cache the
alias names (Cache.set, get, has, add, get_many, set_many, delete,
delete_many, inc, dec, clear).

Flask-Caching speaks another dialect than the contract (which is Django's),
so some operations are two calls, and timeouts are translated: the
contract's null (never expires) is Flask-Caching's 0. Unless
HTTPCHECK_CONTRACT_PLAIN, the adapter also makes up for three things
Flask-Caching leaves to the app (docs/frameworks/flask.md):

- keys memcached would refuse are answered 400 (Flask-Caching's memcached
  backend silently treats them as misses; the others store them);
- a timeout of 0 or less expires the entry at once (Flask-Caching's 0 means
  never, and a negative timeout means different things per backend);
- incr/decr of an absent key is 404 (Flask-Caching's inc and dec create it).
"""

from flask import jsonify

from .api import BadInput, endpoint, member, only_members, plain, read_json, whole_number

_MISSING = object()


def _key(cache, value, what="key"):
    """The key, held to memcached's rule (at most 250 bytes, no spaces or
    control characters) with the backend's key_prefix added, as Flask-Caching's
    memcached and Redis backends add it."""
    if not isinstance(value, str):
        raise BadInput('"%s" must be a string' % what)
    if plain():
        return value
    full = (getattr(cache.cache, "key_prefix", None) or "") + value
    size = len(full.encode("utf-8"))
    if not value or size > 250:
        raise BadInput("invalid cache key %r: memcached takes 1 to 250 bytes, and with the prefix it has %d" % (value[:300], size))
    bad = next((c for c in full if ord(c) <= 0x20 or ord(c) == 0x7F), None)
    if bad is not None:
        raise BadInput("invalid cache key %r: memcached refuses the character U+%04X" % (value[:300], ord(bad)))
    return value


def _keys(cache, body, name="keys"):
    return [_key(cache, k, "keys[]") for k in member(body, name, "array")]


def _timeout(body):
    """Flask-Caching's timeout: None for the alias's default, 0 for never;
    _MISSING when the contract's timeout says the entry expires at once."""
    if "timeout" not in body:
        return None
    t = body["timeout"]
    if t is None:
        return 0
    t = whole_number(t, "timeout")
    if t <= 0 and not plain():
        return _MISSING
    return t


def _lookup(c, key):
    """cache.get, with has() to tell a stored null from a miss, as
    Flask-Caching's own cached(cache_none=True) does."""
    value = c.get(key)
    if value is None and not c.has(key):
        return _MISSING
    return value


def op_set(c, body):
    only_members(body, "key", "value", "timeout")
    key, value, timeout = _key(c, member(body, "key", "any")), member(body, "value", "any"), _timeout(body)
    if timeout is _MISSING:
        c.delete(key)
    else:
        c.set(key, value, timeout=timeout)
    return {}


def op_get(c, body):
    only_members(body, "key", "default")
    value = _lookup(c, _key(c, member(body, "key", "any")))
    if value is _MISSING:
        return {"found": False, "value": body.get("default")}
    return {"found": True, "value": value}


def op_add(c, body):
    only_members(body, "key", "value", "timeout")
    key, value, timeout = _key(c, member(body, "key", "any")), member(body, "value", "any"), _timeout(body)
    if timeout is _MISSING:  # added, and gone at once
        return {"added": _lookup(c, key) is _MISSING}
    return {"added": bool(c.add(key, value, timeout=timeout))}


def op_get_or_set(c, body):
    only_members(body, "key", "default", "timeout")
    key, default, timeout = _key(c, member(body, "key", "any")), member(body, "default", "any"), _timeout(body)
    value = _lookup(c, key)
    if value is not _MISSING:
        return {"value": value}
    if timeout is not _MISSING:
        c.add(key, default, timeout=timeout)
        value = _lookup(c, key)
    return {"value": default if value is _MISSING else value}


def op_get_many(c, body):
    only_members(body, "keys")
    keys = _keys(c, body)
    values = c.get_many(*keys)  # a list, None for a miss
    return {"values": {k: v for k, v in zip(keys, values) if v is not None or c.has(k)}}


def op_set_many(c, body):
    only_members(body, "values", "timeout")
    values, timeout = member(body, "values", "object"), _timeout(body)
    for k in values:
        _key(c, k, "values' keys")
    if timeout is _MISSING:
        for k in values:
            c.delete(k)
        return {"failed": []}
    stored = c.set_many(values, timeout=timeout)  # the keys it stored
    return {"failed": [k for k in values if k not in stored]}


def op_delete(c, body):
    only_members(body, "key")
    return {"deleted": bool(c.delete(_key(c, member(body, "key", "any"))))}


def op_delete_many(c, body):
    only_members(body, "keys")
    return {"deleted": len(c.delete_many(*_keys(c, body)))}  # the keys it deleted


def _incr(c, body, sign):
    only_members(body, "key", "delta")
    key = _key(c, member(body, "key", "any"))
    delta = whole_number(member(body, "delta", "any", required=False, default=1), "delta")
    if not plain() and not c.has(key):
        raise BadInput("cache: key not found: %r" % key, 404)
    try:
        # The Cache object proxies no inc or dec: they are the backend's.
        value = c.cache.inc(key, delta) if sign > 0 else c.cache.dec(key, delta)
    except TypeError as e:  # the value is not a number
        raise BadInput("cache: cannot add %d to the value of %r: %s" % (sign * delta, key, e))
    return {"value": value}


def op_incr(c, body):
    return _incr(c, body, 1)


def op_decr(c, body):
    return _incr(c, body, -1)


def op_touch(c, body):
    # Flask-Caching has no touch: the value is set again with the new timeout.
    only_members(body, "key", "timeout")
    key, timeout = _key(c, member(body, "key", "any")), _timeout(body)
    value = _lookup(c, key)
    if value is _MISSING:
        return {"touched": False}
    if timeout is _MISSING:
        c.delete(key)
    else:
        c.set(key, value, timeout=timeout)
    return {"touched": True}


def op_clear(c, body):
    only_members(body)
    c.clear()
    return {}


OPS = {
    "set": op_set,
    "get": op_get,
    "add": op_add,
    "get_or_set": op_get_or_set,
    "get_many": op_get_many,
    "set_many": op_set_many,
    "delete": op_delete,
    "delete_many": op_delete_many,
    "incr": op_incr,
    "decr": op_decr,
    "touch": op_touch,
    "clear": op_clear,
}


def cache_op(caches):
    """The view for cache/<alias>/<op>, over caches: alias -> Cache."""

    @endpoint("POST")
    def view(alias, op):
        if alias not in caches:
            raise BadInput('no cache alias "%s" (aliases: %s)' % (alias, ", ".join(caches)), 404)
        if op not in OPS:
            raise BadInput('no cache operation "%s" (operations: %s)' % (op, ", ".join(OPS)), 404)
        return jsonify(OPS[op](caches[alias], read_json()))

    return view
