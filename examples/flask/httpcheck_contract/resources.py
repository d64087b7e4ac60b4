"""resources/{id} (feature "resources"): PUT, GET, HEAD, DELETE.

GET and HEAD are Werkzeug's: the response gets its validators with
Response.set_etag and Response.last_modified, its freshness with
Response.cache_control, expires, vary and content_location, and then
Response.make_conditional(request) answers If-None-Match and
If-Modified-Since with a 304 (which keeps ETag, Cache-Control, Expires, Vary
and Content-Location: Werkzeug strips only the other entity headers).

Werkzeug evaluates no precondition for PUT and DELETE, nor If-Match and
If-Unmodified-Since for GET, so the adapter does, in the order of RFC 9110
section 13.2.2, from the headers Werkzeug parses (request.if_match,
if_unmodified_since, if_none_match: ETags objects and datetimes).
"""

import hashlib
import re
import time
from datetime import datetime, timezone

from flask import Response, jsonify, request

from .api import MAX_SECONDS, BadInput, endpoint, error, read_body

_ID = re.compile(r"^[A-Za-z0-9._~-]{1,200}$")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _options():
    """PUT's query: which validators and freshness GET will send."""
    q = request.args
    validators = q.get("validators", "both")
    if validators not in ("both", "etag", "last-modified", "none"):
        raise BadInput('validators "%s": want both, etag, last-modified or none' % validators)
    max_age = None
    if "max_age" in q:
        raw = q["max_age"]
        if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_SECONDS:
            raise BadInput('max_age "%s": want whole seconds from 0 to %d' % (raw, MAX_SECONDS))
        max_age = int(raw)
    flags = {}
    for name in ("expires", "weak"):
        v = q.get(name, "0")
        if v not in ("0", "1"):
            raise BadInput('%s "%s": want 0 or 1' % (name, v))
        flags[name] = v == "1"
    directives = []
    for part in filter(None, (p.strip() for p in q.get("cache_control", "").split(","))):
        name, _, value = part.partition("=")
        name = name.strip().lower()
        if not _TOKEN.match(name) or name == "max-age" or (value and not _TOKEN.match(value.strip('"'))):
            raise BadInput('cache_control "%s": want directives such as no-store, no-cache, private' % part)
        directives.append((name, value or None))
    return {"validators": validators, "max_age": max_age, "expires": flags["expires"],
            "weak": flags["weak"], "directives": directives}


def _etag(r):
    """(opaque tag, weak), or None: a hash of the type and the content, so it
    changes exactly when the representation does."""
    if r is None or r["validators"] not in ("both", "etag"):
        return None
    digest = hashlib.sha256(r["content_type"].encode("utf-8") + b"\0" + r["body"]).hexdigest()[:24]
    return digest, r["weak"]


def _last_modified(r):
    if r is None or r["validators"] not in ("both", "last-modified"):
        return None
    return datetime.fromtimestamp(r["last_modified"], timezone.utc)


def _preconditions(r):
    """RFC 9110 13.2.2, steps 1 to 3, for the representation r (None when
    absent): the status that stops the request (412, or 304 for GET and HEAD),
    or None to go on. Step 4, If-Modified-Since, is make_conditional's."""
    tag, lm = _etag(r), _last_modified(r)
    if request.if_match:  # step 1: strong comparison
        if r is None or not (request.if_match.star_tag or (tag and not tag[1] and request.if_match.is_strong(tag[0]))):
            return 412
    elif request.if_unmodified_since and lm:  # step 2
        if lm > request.if_unmodified_since:
            return 412
    if request.if_none_match and r is not None:  # step 3: weak comparison
        if request.if_none_match.star_tag or (tag and request.if_none_match.contains_weak(tag[0])):
            return 304 if request.method in ("GET", "HEAD") else 412
    return None


def resource(store):
    """The view for resources/<rid>, keeping them in store (state.py)."""

    @endpoint("GET", "PUT", "DELETE", no_store=False)
    def view(rid):
        if not _ID.match(rid) or rid in (".", ".."):
            raise BadInput('resource id "%s": want 1 to 200 characters of A-Z a-z 0-9 . _ ~ -' % rid)
        return _answer(store, rid, store.get(("resource", rid)))

    return view


def _answer(store, rid, r):
    if request.method == "PUT":
        return _put(store, rid, r)
    if r is None:
        return error('no resource "%s"' % rid, 404)
    status = _preconditions(r)
    if status == 412:
        return Response(status=412)
    if request.method == "DELETE":
        store.delete(("resource", rid))
        return Response(status=204)
    response = Response(r["body"], content_type=r["content_type"])
    tag, lm = _etag(r), _last_modified(r)
    if tag:
        response.set_etag(*tag)
    if lm:
        response.last_modified = lm
    if r["max_age"] is not None:
        response.cache_control.max_age = r["max_age"]
    for name, value in r["directives"]:
        response.cache_control[name] = value
    if r["expires"]:
        response.expires = time.time() + (r["max_age"] or 0)
    response.vary.add("Accept-Encoding")
    response.content_location = request.path
    return response.make_conditional(request)  # 304 for If-None-Match, If-Modified-Since


def _put(store, rid, old):
    options = _options()
    if _preconditions(old) is not None:
        return Response(status=412)
    r = dict(options, body=read_body(), content_type=request.content_type or "application/octet-stream",
             last_modified=int(time.time()))
    if old is not None and (old["body"], old["content_type"]) == (r["body"], r["content_type"]):
        r["last_modified"] = old["last_modified"]  # an identical PUT changes nothing
    store.put(("resource", rid), r)
    response = jsonify(created=old is None, id=rid)
    response.status_code = 201 if old is None else 200
    tag, lm = _etag(r), _last_modified(r)
    if tag:
        response.set_etag(*tag)
    if lm:
        response.last_modified = lm
    return response
