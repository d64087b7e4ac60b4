"""cache/{alias}/{op} (feature "cache"): one call on caches[alias] per request.

Django's exceptions become the contract's statuses: incr/decr of an absent key
(ValueError) is 404; a value that cannot be incremented (TypeError) and a key
memcached would refuse (InvalidCacheKey, or the CacheKeyWarning that other
backends only warn with) are 400. Anything else is the backend's fault and is
left to Django (500).
"""

from django.core.cache import InvalidCacheKey, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.http import JsonResponse

from .api import BadInput, endpoint, member, only_members, plain, read_json, whole_number
from .conf import cache_aliases

try:  # Django 3.2 and later
    from django.core.cache.backends.base import memcache_key_warnings
except ImportError:  # pragma: no cover
    from django.core.cache.backends.base import MEMCACHE_MAX_KEY_LENGTH

    def memcache_key_warnings(key):
        if len(key) > MEMCACHE_MAX_KEY_LENGTH:
            yield "Cache key will cause errors if used with memcached: %r (longer than %s)" % (key, MEMCACHE_MAX_KEY_LENGTH)
        if any(ord(c) < 33 or ord(c) == 127 for c in key):
            yield "Cache key contains characters that will cause errors if used with memcached: %r" % key


_MISSING = object()


def _key(cache, value, what="key"):
    """A key, held to the rule Django applies to every key it makes: the key
    after KEY_PREFIX and VERSION are added (make_key) is what memcached must
    accept. Django's non-memcached backends only warn (CacheKeyWarning);
    the contract wants a 400, as memcached's InvalidCacheKey would give."""
    if not isinstance(value, str):
        raise BadInput('"%s" must be a string' % what)
    if plain():  # Django's own rule: a CacheKeyWarning, and the key is used
        return value
    for warning in memcache_key_warnings(cache.make_key(value)):
        raise BadInput("invalid cache key: %s" % warning)
    return value


def _keys(cache, body, name="keys"):
    keys = member(body, name, "array")
    return [_key(cache, k, "keys[]") for k in keys]


def _timeout(body):
    """Absent: the alias's default (DEFAULT_TIMEOUT); null: never; else seconds."""
    if "timeout" not in body:
        return DEFAULT_TIMEOUT
    t = body["timeout"]
    if t is None:
        return None
    return whole_number(t, "timeout")


def _delta(body):
    return whole_number(member(body, "delta", "any", required=False, default=1), "delta")


def op_set(c, body):
    only_members(body, "key", "value", "timeout")
    key, value = _key(c, member(body, "key", "any")), member(body, "value", "any")
    c.set(key, value, _timeout(body))
    return {}


def op_get(c, body):
    only_members(body, "key", "default")
    key = _key(c, member(body, "key", "any"))
    value = c.get(key, _MISSING)
    if value is _MISSING:
        return {"found": False, "value": body.get("default")}
    return {"found": True, "value": value}


def op_add(c, body):
    only_members(body, "key", "value", "timeout")
    key, value = _key(c, member(body, "key", "any")), member(body, "value", "any")
    return {"added": bool(c.add(key, value, _timeout(body)))}


def op_get_or_set(c, body):
    only_members(body, "key", "default", "timeout")
    key, default = _key(c, member(body, "key", "any")), member(body, "default", "any")
    return {"value": c.get_or_set(key, default, _timeout(body))}


def op_get_many(c, body):
    only_members(body, "keys")
    return {"values": c.get_many(_keys(c, body))}


def op_set_many(c, body):
    only_members(body, "values", "timeout")
    values = member(body, "values", "object")
    for k in values:
        _key(c, k, "values' keys")
    failed = c.set_many(values, _timeout(body))
    return {"failed": list(failed or [])}


def op_delete(c, body):
    only_members(body, "key")
    return {"deleted": bool(c.delete(_key(c, member(body, "key", "any"))))}


def op_delete_many(c, body):
    # Django's delete_many answers nothing, so get_many counts first.
    only_members(body, "keys")
    keys = _keys(c, body)
    present = c.get_many(keys)
    c.delete_many(keys)
    return {"deleted": len(present)}


def _incr(c, body, sign):
    only_members(body, "key", "delta")
    key, delta = _key(c, member(body, "key", "any")), _delta(body)
    try:
        value = c.incr(key, delta) if sign > 0 else c.decr(key, delta)
    except ValueError as e:  # Django: "Key ... not found"
        raise BadInput("cache: %s" % e, 404)
    except TypeError as e:  # the value is not a number
        raise BadInput("cache: cannot add %d to the value of %s: %s" % (sign * delta, key, e))
    return {"value": value}


def op_incr(c, body):
    return _incr(c, body, 1)


def op_decr(c, body):
    return _incr(c, body, -1)


def op_touch(c, body):
    only_members(body, "key", "timeout")
    return {"touched": bool(c.touch(_key(c, member(body, "key", "any")), _timeout(body)))}


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


@endpoint("POST")
def cache_op(request, alias, op):
    aliases = cache_aliases()
    if alias not in aliases:
        raise BadInput('no cache alias "%s" (aliases: %s)' % (alias, ", ".join(aliases)), 404)
    if op not in OPS:
        raise BadInput('no cache operation "%s" (operations: %s)' % (op, ", ".join(OPS)), 404)
    body = read_json(request)
    try:
        return JsonResponse(OPS[op](caches[alias], body))
    except InvalidCacheKey as e:  # memcached backends raise it themselves
        raise BadInput("invalid cache key: %s" % e)
