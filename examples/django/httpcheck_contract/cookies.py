"""cookies/set, cookies/delete, cookies/get, cookies/all (feature "cookies").

Django's own calls: HttpResponse.set_cookie, HttpResponse.delete_cookie and
request.COOKIES. Nothing is added to what Django writes, with one exception
the contract asks for: values are percent-encoded on the way out and decoded
on the way in, so that any string survives the trip (Django's SimpleCookie
would otherwise quote "a b" as "\"a b\"", escape "," and ";" as octal, and
cannot write characters beyond Latin-1 at all; see docs/frameworks/django.md).
With HTTPCHECK_CONTRACT_PLAIN the values go to Django as they are.
"""

from http.cookies import CookieError
from urllib.parse import quote, unquote

from django.http import JsonResponse
from django.utils.http import parse_http_date_safe

from .api import BadInput, endpoint, plain


def _encode(value):
    return value if plain() else quote(value, safe="")


def _decode(value):
    return value if plain() else unquote(value)


def _flag(request, name):
    return request.GET.get(name, "").lower() in ("1", "true")


def _name(request):
    """The query parameter "name", which cookies/set, delete and get require."""
    name = request.GET.get("name", "")
    if not name:
        raise BadInput('missing query parameter "name"')
    return name


@endpoint("GET")
def set_cookie(request):
    q, name = request.GET, _name(request)
    max_age = None
    if "max_age" in q:
        try:
            max_age = int(q["max_age"])
        except ValueError:
            raise BadInput('max_age "%s" is not an integer' % q["max_age"])
    expires = q.get("expires")
    if expires is not None and parse_http_date_safe(expires) is None:
        raise BadInput('expires "%s" is not an HTTP-date' % expires)
    response = JsonResponse({"set": name})
    try:
        response.set_cookie(
            name,
            _encode(q.get("value", "")),  # percent-encoded: always cookie-octets
            max_age=max_age,
            expires=expires,  # Django writes the string as given
            path=q.get("path", "/"),  # Django's default path
            domain=q.get("domain") or None,
            secure=_flag(request, "secure"),
            httponly=_flag(request, "httponly"),
            samesite=q.get("samesite") or None,
        )
    except (ValueError, CookieError) as e:  # an unknown SameSite, an illegal name
        raise BadInput(str(e))
    if plain():
        try:
            response.cookies[name].OutputString().encode("latin-1")
        except UnicodeEncodeError as e:
            # WSGI headers are Latin-1: wsgiref fails half-way through the
            # header section (the client waits for the rest), gunicorn and
            # others fail the request. Say so, as the 500 it is.
            return JsonResponse({"error": "Django wrote a Set-Cookie the WSGI server cannot send: %s" % e}, status=500)
    return response


@endpoint("GET")
def delete_cookie(request):
    q, name = request.GET, _name(request)
    response = JsonResponse({"deleted": name})
    try:
        # Django sends Max-Age=0 and an Expires in 1970, and Secure for
        # __Secure- and __Host- names.
        response.delete_cookie(name, path=q.get("path", "/"), domain=q.get("domain") or None)
    except CookieError as e:
        raise BadInput(str(e))
    return response


@endpoint("GET")
def get_cookie(request):
    q, name = request.GET, _name(request)
    found = name in request.COOKIES
    value = _decode(request.COOKIES[name]) if found else q.get("default")
    return JsonResponse({"name": name, "found": found, "value": value})


@endpoint("GET")
def all_cookies(request):
    return JsonResponse({"cookies": {k: _decode(v) for k, v in request.COOKIES.items()}})
