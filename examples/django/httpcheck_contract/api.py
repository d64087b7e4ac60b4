"""What every contract endpoint shares: the on/off switch, methods, JSON in
and out, and bad input answered 4xx with {"error": ...}, never 5xx."""

import json
from functools import wraps

from django.conf import settings
from django.http import Http404, JsonResponse
from django.http.request import RawPostDataException
from django.core.exceptions import RequestDataTooBig
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt


class BadInput(Exception):
    """Bad input from the client: answered with status and {"error": message}."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message, self.status = message, status


def error(message, status=400, **headers):
    response = JsonResponse({"error": message}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def enabled():
    """The contract is served only when the project says so, in so many words."""
    return getattr(settings, "HTTPCHECK_CONTRACT_ENABLED", False) is True


def plain():
    """HTTPCHECK_CONTRACT_PLAIN = True shows Django as it is: the app stops
    making up for what Django leaves to the project (cookie values are not
    encoded, answers get no Cache-Control, condition()'s 304 keeps only what
    Django gives it, cache keys memcached would refuse are only warned about).
    For comparison: docs/frameworks/django.md shows which checks that changes."""
    return getattr(settings, "HTTPCHECK_CONTRACT_PLAIN", False) is True


def endpoint(*methods, no_store=True):
    """Make a view a contract endpoint.

    - 404 unless HTTPCHECK_CONTRACT_ENABLED is True (checked on every request,
      not only when urls.py is imported);
    - 405 with Allow for other methods;
    - exempt from CSRF: the harness sends no token (docs/contract.md);
    - BadInput becomes a JSON 4xx;
    - with no_store, Cache-Control: no-store, so no cache between the harness
      and Django keeps per-client answers (cached views and resources set
      their own freshness instead).
    """
    allowed = set(methods)
    if "GET" in allowed:
        allowed.add("HEAD")

    def decorator(view):
        @wraps(view)
        def inner(request, *args, **kwargs):
            if not enabled():
                raise Http404("the httpcheck contract is not enabled")
            if request.method not in allowed:
                response = error("method %s not allowed here" % request.method, 405)
                response["Allow"] = ", ".join(sorted(allowed))
            else:
                try:
                    response = view(request, *args, **kwargs)
                except BadInput as e:
                    response = error(e.message, e.status)
            if no_store and not plain():
                patch_cache_control(response, no_store=True)
            return response

        return csrf_exempt(inner)

    return decorator


def _no_constants(name):
    raise ValueError("%s is not JSON" % name)


def read_body(request):
    """The request body, or a 413 over Django's DATA_UPLOAD_MAX_MEMORY_SIZE."""
    try:
        return request.body
    except RequestDataTooBig:
        raise BadInput("the body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE", 413)
    except RawPostDataException:  # the body was read as a form already
        raise BadInput("the body could not be read")


def read_json(request):
    """The request body as a JSON object; an empty body is {}."""
    raw = read_body(request)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError) as e:
        raise BadInput("the body is not valid JSON: %s" % e)
    if not isinstance(body, dict):
        raise BadInput("the body must be a JSON object, not %s" % type(body).__name__)
    return body


_MISSING = object()


def member(body, name, *types, required=True, default=_MISSING):
    """body[name], checked against JSON types ("string", "integer", "number",
    "object", "array", "any"); bool is never a number here."""
    if name not in body:
        if required:
            raise BadInput('missing member "%s"' % name)
        return default
    value = body[name]
    if "any" in types:
        return value
    for t in types:
        if (
            (t == "string" and isinstance(value, str))
            or (t == "integer" and isinstance(value, int) and not isinstance(value, bool))
            or (t == "object" and isinstance(value, dict))
            or (t == "array" and isinstance(value, list))
            or (t == "null" and value is None)
        ):
            return value
    raise BadInput('member "%s" must be %s, not %s' % (name, " or ".join(types), _json_type(value)))


def only_members(body, *names):
    """Refuse members an operation does not take ("ttl" for "timeout")."""
    extra = sorted(set(body) - set(names))
    if extra:
        raise BadInput("unknown member %s (this operation takes %s)" % (
            ", ".join('"%s"' % n for n in extra), ", ".join(names) or "none"))


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def whole_number(value, what, low=None, high=None):
    """A JSON number that is a whole number (300, 3e2, 300.0), as an int."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadInput("%s must be a whole number, not %s" % (what, _json_type(value)))
    if isinstance(value, float):
        if not value.is_integer():
            raise BadInput("%s must be a whole number of seconds, not %r" % (what, value))
        value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise BadInput("%s = %d is out of range (%s to %s)" % (what, value, low, high))
    return value


def query_int(request, name, low, high, default=None):
    """A query parameter that must be plain digits within [low, high]."""
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not raw.isascii():
        raise BadInput('%s "%s": want whole seconds from %d to %d' % (name, raw, low, high))
    value = int(raw)
    if not low <= value <= high:
        raise BadInput('%s "%s": want whole seconds from %d to %d' % (name, raw, low, high))
    return value


# 400 days: the longest lifetime a browser keeps (RFC 6265bis 4.1.2.1); the
# contract's upper bound for session lifetimes and view ttls.
MAX_SECONDS = 400 * 24 * 3600
