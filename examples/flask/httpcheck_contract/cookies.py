"""cookies/set, cookies/delete, cookies/get, cookies/all (feature "cookies").

Werkzeug's own calls: Response.set_cookie, Response.delete_cookie and
request.cookies. Two things are added, unless HTTPCHECK_CONTRACT_PLAIN:
values are percent-encoded on the way out and decoded on the way in (Werkzeug
would quote "a b" as "\"a b\"" and write "," ";" and non-ASCII bytes as octal
escapes), and a __Secure- or __Host- cookie is deleted with Secure, which
delete_cookie leaves to the caller and without which a browser ignores the
deletion. See docs/frameworks/flask.md.
"""

from urllib.parse import quote, unquote

from flask import jsonify, request
from werkzeug.http import parse_date

from .api import BadInput, endpoint, plain


def _encode(value):
    return value if plain() else quote(value, safe="")


def _decode(value):
    return value if plain() else unquote(value)


def _flag(name):
    return request.args.get(name, "").lower() in ("1", "true")


def _name():
    name = request.args.get("name", "")
    if not name:
        raise BadInput('missing query parameter "name"')
    return name


@endpoint("GET")
def set_cookie():
    q, name = request.args, _name()
    max_age = None
    if "max_age" in q:
        try:
            max_age = int(q["max_age"])
        except ValueError:
            raise BadInput('max_age "%s" is not an integer' % q["max_age"])
    expires = None
    if "expires" in q:
        expires = parse_date(q["expires"])
        if expires is None:
            raise BadInput('expires "%s" is not an HTTP-date' % q["expires"])
    response = jsonify(set=name)
    try:
        response.set_cookie(
            name,
            _encode(q.get("value", "")),  # percent-encoded: always cookie-octets
            max_age=max_age,  # Werkzeug adds the matching Expires
            expires=expires,
            path=q.get("path", "/"),  # Werkzeug's default path
            domain=q.get("domain") or None,
            secure=_flag("secure"),
            httponly=_flag("httponly"),
            samesite=q.get("samesite") or None,
        )
    except ValueError as e:  # SameSite other than Strict, Lax, None
        raise BadInput(str(e))
    return response


@endpoint("GET")
def delete_cookie():
    q, name = request.args, _name()
    response = jsonify(deleted=name)
    # Werkzeug sends Expires in 1970 and Max-Age=0; Secure only when asked.
    prefixed = name.lower().startswith(("__secure-", "__host-"))
    response.delete_cookie(name, path=q.get("path", "/"), domain=q.get("domain") or None,
                           secure=prefixed and not plain())
    return response


@endpoint("GET")
def get_cookie():
    name = _name()
    found = name in request.cookies  # two cookies of one name: the first one sent
    value = _decode(request.cookies[name]) if found else request.args.get("default")
    return jsonify(name=name, found=found, value=value)


@endpoint("GET")
def all_cookies():
    return jsonify(cookies={k: _decode(v) for k, v in request.cookies.items()})
