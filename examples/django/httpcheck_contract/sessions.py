"""session/* (features "sessions" and "auth").

Everything goes through the project's SessionMiddleware and SESSION_ENGINE:
request.session[...], set_expiry, get_expiry_age, flush; and through
django.contrib.auth: login (which rotates the key with cycle_key, or flushes
when another user was logged in), get_user and logout (a flush).
"""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.http import JsonResponse

from .api import MAX_SECONDS, BadInput, endpoint, member, only_members, read_json, whole_number

# Keys Django keeps in the session for itself: login's (_auth_user_id,
# _auth_user_backend, _auth_user_hash) and set_expiry's (_session_expiry).
# The data endpoints neither show nor touch them, or session/set
# {"key": "_auth_user_id", ...} would log anyone in.
_RESERVED = ("_auth_", "_session_")


def _session(request):
    session = getattr(request, "session", None)
    if session is None:
        raise BadInput("sessions are not enabled: add SessionMiddleware to MIDDLEWARE", 404)
    return session


def _key(value):
    if not isinstance(value, str) or not value:
        raise BadInput('"key" must be a non-empty string')
    if value.startswith(_RESERVED):
        raise BadInput('key "%s" is reserved for Django (%s...)' % (value, "..., ".join(_RESERVED)))
    return value


def _data(session):
    return {k: v for k, v in session.items() if not k.startswith(_RESERVED)}


@endpoint("POST")
def set_value(request):
    body = read_json(request)
    only_members(body, "key", "value")
    key = _key(member(body, "key", "string"))
    _session(request)[key] = member(body, "value", "any")
    return JsonResponse({})


@endpoint("GET")
def get_value(request):
    key = _key(request.GET.get("key", ""))
    session = _session(request)
    found = key in session
    return JsonResponse({"key": key, "found": found, "value": session[key] if found else None})


@endpoint("POST")
def delete_value(request):
    body = read_json(request)
    only_members(body, "key")
    key = _key(member(body, "key", "string"))
    session = _session(request)
    found = key in session
    if found:
        del session[key]
    return JsonResponse({"deleted": found})


@endpoint("GET")
def all_values(request):
    return JsonResponse({"data": _data(_session(request))})


def _expiry_state(session):
    # get_expiry_age is the configured age (set_expiry's seconds, or
    # SESSION_COOKIE_AGE), not the time left since the last save.
    return {"seconds_left": session.get_expiry_age(), "at_browser_close": session.get_expire_at_browser_close()}


@endpoint("GET", "POST")
def expiry(request):
    session = _session(request)
    if request.method == "POST":
        body = read_json(request)
        only_members(body, "seconds")
        seconds = member(body, "seconds", "any")
        session.set_expiry(whole_number(seconds, "seconds", 0, MAX_SECONDS))
    return JsonResponse(_expiry_state(session))


@endpoint("POST")
def flush(request):
    _session(request).flush()
    return JsonResponse({})


# Login: users are created on first use, with an unusable password. This is a
# test hook that logs anyone in as anyone: never enable it in production.


def _user(name):
    User = get_user_model()
    field = User._meta.get_field(User.USERNAME_FIELD)
    if field.max_length and len(name) > field.max_length:
        raise BadInput('"user" is longer than %s allows (%d characters)' % (User.USERNAME_FIELD, field.max_length))
    user, created = User.objects.get_or_create(**{User.USERNAME_FIELD: name})
    if created:
        user.set_unusable_password()
        user.save()
    return user


@endpoint("POST")
def login(request):
    body = read_json(request)
    only_members(body, "user")
    name = member(body, "user", "string")
    if not name:
        raise BadInput('"user" must be a non-empty string')
    _session(request)
    backend = (getattr(settings, "AUTHENTICATION_BACKENDS", None) or ["django.contrib.auth.backends.ModelBackend"])[0]
    auth.login(request, _user(name), backend=backend)
    return JsonResponse({"user": name})


@endpoint("GET")
def whoami(request):
    _session(request)
    user = auth.get_user(request)  # request.user without needing AuthenticationMiddleware
    return JsonResponse({"user": user.get_username() if user.is_authenticated else None})


@endpoint("POST")
def logout(request):
    _session(request)
    auth.logout(request)
    return JsonResponse({})
