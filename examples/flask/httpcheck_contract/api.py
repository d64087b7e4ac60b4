"""What every contract endpoint shares: the on/off switch, methods, JSON in and
out, and bad input answered 4xx with {"error": ...}, never 5xx."""

from functools import wraps

from flask import current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

# 400 days: the longest lifetime a browser keeps (RFC 6265bis 4.1.2.1); the
# contract's upper bound for session lifetimes and view ttls.
MAX_SECONDS = 400 * 24 * 3600


class BadInput(Exception):
    """Bad input from the client: answered with status and {"error": message}."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message, self.status = message, status


def error(message, status=400):
    response = jsonify(error=message)
    response.status_code = status
    return response


def enabled():
    """The contract is served only when the app says so, in so many words."""
    return current_app.config.get("HTTPCHECK_CONTRACT_ENABLED", False) is True


def plain():
    """HTTPCHECK_CONTRACT_PLAIN = True shows Flask as it is: the adapter stops
    making up for what Flask, Werkzeug and Flask-Caching leave to the app (see
    README.md, "How the endpoints use Flask"). For comparison only."""
    return current_app.config.get("HTTPCHECK_CONTRACT_PLAIN", False) is True


ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def endpoint(*methods, no_store=True):
    """Make a view a contract endpoint: 405 with Allow for other methods,
    BadInput as a JSON 4xx, and (with no_store, unless plain) Cache-Control:
    no-store, so that no cache between the harness and Flask keeps
    per-client answers. Cached views and resources set their own freshness."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorator(view):
        @wraps(view)
        def inner(*args, **kwargs):
            if request.method not in allowed:
                response = error("method %s not allowed here" % request.method, 405)
                response.headers["Allow"] = ", ".join(sorted(allowed))
            else:
                try:
                    response = current_app.make_response(view(*args, **kwargs))
                except BadInput as e:
                    response = error(e.message, e.status)
            if no_store and not plain():
                response.cache_control.no_store = True
            return response

        return inner

    return decorator


def _no_constants(name):
    raise ValueError("%s is not JSON" % name)


def read_body():
    """The request body, or 413 beyond MAX_CONTENT_LENGTH. Werkzeug 2.2
    applies that limit to form data only, not to get_data or get_json."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    data = request.get_data(cache=True)
    if limit is not None and len(data) > limit:  # a chunked body says no length
        raise RequestEntityTooLarge()
    return data


def read_json():
    """The request body as a JSON object, parsed by the app's JSON provider;
    an empty body is {}. NaN and Infinity are not JSON, so they are refused."""
    raw = read_body()
    if not raw.strip():
        return {}
    try:
        body = current_app.json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError) as e:
        raise BadInput("the body is not valid JSON: %s" % e)
    if not isinstance(body, dict):
        raise BadInput("the body must be a JSON object, not %s" % json_type(body))
    return body


_MISSING = object()


def member(body, name, *types, required=True, default=_MISSING):
    """body[name], checked against JSON types ("string", "integer", "object",
    "array", "any"); a boolean is never a number here."""
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
        ):
            return value
    raise BadInput('member "%s" must be %s, not %s' % (name, " or ".join(types), json_type(value)))


def only_members(body, *names):
    """Refuse members an operation does not take ("ttl" for "timeout")."""
    extra = sorted(set(body) - set(names))
    if extra:
        raise BadInput("unknown member %s (this operation takes %s)" % (
            ", ".join('"%s"' % n for n in extra), ", ".join(names) or "none"))


def json_type(value):
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
        raise BadInput("%s must be a whole number, not %s" % (what, json_type(value)))
    if isinstance(value, float):
        if not value.is_integer():
            raise BadInput("%s must be a whole number of seconds, not %r" % (what, value))
        value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise BadInput("%s = %d is out of range (%s to %s)" % (what, value, low, high))
    return value


def query_int(name, low, high, default=None):
    """A query parameter that must be plain digits within [low, high]."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadInput('%s "%s": want whole seconds from %d to %d' % (name, raw, low, high))
    return int(raw)
