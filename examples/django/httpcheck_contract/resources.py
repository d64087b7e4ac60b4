"""resources/{id} (feature "resources"): PUT, GET, HEAD, DELETE.

Preconditions are Django's: django.views.decorators.http.condition with an
etag_func and a last_modified_func evaluates If-Match, If-Unmodified-Since,
If-None-Match and If-Modified-Since (django.utils.cache.get_conditional_response)
before the view runs, and answers 304 or 412 without running it.

Because condition() answers 304 without calling the view, anything the view
would set (Cache-Control, Expires, Vary, Content-Location) would be missing
from the 304. So the freshness headers are set by a decorator *outside*
condition(), which sees the 200 and the 304 alike: the same arrangement as
stacking @cache_control / @vary_on_headers above @condition.
"""

import hashlib
import re
import time
from datetime import datetime, timezone
from functools import wraps

from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import condition

from .api import MAX_SECONDS, BadInput, endpoint, error, plain, read_body
from .state import store

_ID = re.compile(r"^[A-Za-z0-9._~-]{1,200}$")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class Resource:
    def __init__(self, body, content_type, validators, max_age, expires, weak, directives, last_modified):
        self.body, self.content_type = body, content_type
        self.validators, self.max_age, self.expires, self.weak = validators, max_age, expires, weak
        self.directives = directives
        self.last_modified = last_modified  # whole seconds since the epoch
        digest = hashlib.sha256(content_type.encode("utf-8") + b"\0" + body).hexdigest()[:24]
        self.tag = ('W/"%s"' if weak else '"%s"') % digest

    def same_content(self, other):
        return other is not None and other.body == self.body and other.content_type == self.content_type


# The representations live in state.store(): this process's memory, or the
# cache alias HTTPCHECK_CONTRACT_STATE_CACHE names.


def _get(rid):
    return store().get(("resource", rid))


def _etag(request, rid):
    r = _get(rid)
    return r.tag if r and r.validators in ("both", "etag") else None


def _last_modified(request, rid):
    r = _get(rid)
    if r and r.validators in ("both", "last-modified"):
        return datetime.fromtimestamp(r.last_modified, timezone.utc)
    return None


def _set_freshness(request, response, r):
    """What GET carries beside the validators."""
    if r.max_age is not None:
        patch_cache_control(response, max_age=r.max_age)
    for name, value in r.directives:
        patch_cache_control(response, **{name.replace("-", "_"): value if value is not None else True})
    if r.expires:
        response["Expires"] = http_date(time.time() + (r.max_age or 0))
    patch_vary_headers(response, ("Accept-Encoding",))
    response["Content-Location"] = request.path


def _freshness(view):
    """Sets the freshness headers on the 200 and on condition()'s 304 alike
    (see the module's doc); with HTTPCHECK_CONTRACT_PLAIN the view sets them
    itself, under condition(), as a view usually would."""

    @wraps(view)
    def inner(request, rid):
        if not _ID.match(rid):
            raise BadInput('resource id "%s": want 1 to 200 characters of A-Z a-z 0-9 . _ ~ -' % rid)
        response = view(request, rid)
        r = _get(rid)
        if request.method in ("GET", "HEAD") and response.status_code in (200, 304) and r is not None and not plain():
            _set_freshness(request, response, r)
        return response

    return inner


def _put_options(request):
    q = request.GET
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
    return validators, max_age, flags["expires"], flags["weak"], directives


@endpoint("GET", "PUT", "DELETE", no_store=False)
@_freshness
@condition(etag_func=_etag, last_modified_func=_last_modified)
def resource(request, rid):
    if request.method == "PUT":
        return _put(request, rid)
    if request.method == "DELETE":
        if not store().delete(("resource", rid)):
            return error('no resource "%s"' % rid, 404)
        return HttpResponse(status=204)
    r = _get(rid)
    if r is None:
        return error('no resource "%s"' % rid, 404)
    # condition() adds ETag and Last-Modified to GET and HEAD answers.
    response = HttpResponse(r.body, content_type=r.content_type)
    if plain():
        _set_freshness(request, response, r)
    return response


def _put(request, rid):
    validators, max_age, expires, weak, directives = _put_options(request)
    content_type = request.META.get("CONTENT_TYPE") or "application/octet-stream"
    body = read_body(request)
    old = _get(rid)
    r = Resource(body, content_type, validators, max_age, expires, weak, directives, int(time.time()))
    if r.same_content(old):
        r.last_modified = old.last_modified  # an identical PUT changes nothing
    if not store().put(("resource", rid), r):
        return error("%d resources are stored already" % store().limit, 507)
    response = JsonResponse({"created": old is None, "id": rid}, status=201 if old is None else 200)
    # condition() sets validators on safe methods only: a PUT answers its own.
    if validators in ("both", "etag"):
        response["ETag"] = r.tag
    if validators in ("both", "last-modified"):
        response["Last-Modified"] = http_date(r.last_modified)
    return response
