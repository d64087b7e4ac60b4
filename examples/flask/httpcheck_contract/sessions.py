"""session/* (features "sessions" and "auth").

Everything goes through flask.session, whatever the app's session_interface
is (Flask's default keeps the session in a cookie signed with SECRET_KEY):
session[key], session.permanent, session.clear(). Flask has no login of its
own, so login and logout are what Flask's tutorial does (flaskr's auth
blueprint): the user id in the session, session.clear() to log out.

Flask has no per-session lifetime either: session.permanent picks between a
browser-session cookie and PERMANENT_SESSION_LIFETIME for every session. So,
unless HTTPCHECK_CONTRACT_PLAIN, session/expiry also keeps a deadline in the
session (signed like the rest), and the blueprint's before_request empties a
session whose deadline has passed. The cookie's own lifetime cannot follow
it without replacing the session interface (docs/frameworks/flask.md).
"""

import time

from flask import current_app, jsonify, request, session

from .api import MAX_SECONDS, BadInput, endpoint, member, only_members, plain, read_json, whole_number

# Keys beginning with "_" belong to Flask (_permanent, _flashes), to its
# extensions (Flask-Login's _user_id, _fresh) and to this adapter (below):
# the data endpoints neither show nor touch them, or session/set
# {"key": "_httpcheck_user", ...} would log anyone in.
USER = "_httpcheck_user"
DEADLINE = "_httpcheck_expiry"  # seconds since the epoch


def _session():
    if current_app.session_interface.is_null_session(session):
        raise BadInput("sessions are not available: the app has no SECRET_KEY", 404)
    return session


def _key(value):
    if not isinstance(value, str) or not value:
        raise BadInput('"key" must be a non-empty string')
    if value.startswith("_"):
        raise BadInput('key "%s" is reserved: keys beginning with "_" belong to Flask and its extensions' % value)
    return value


def enforce_deadline():
    """before_request: a session past the deadline session/expiry gave it is
    emptied (and its cookie deleted), however old the cookie replayed."""
    if plain() or DEADLINE not in session:
        return
    if session[DEADLINE] <= time.time():
        session.clear()


@endpoint("POST")
def set_value():
    body = read_json()
    only_members(body, "key", "value")
    key = _key(member(body, "key", "string"))
    _session()[key] = member(body, "value", "any")
    return {}


@endpoint("GET")
def get_value():
    key = _key(request.args.get("key", ""))
    s = _session()
    found = key in s
    return jsonify(key=key, found=found, value=s.get(key))


@endpoint("POST")
def delete_value():
    body = read_json()
    only_members(body, "key")
    key = _key(member(body, "key", "string"))
    s = _session()
    found = key in s
    s.pop(key, None)
    return jsonify(deleted=found)


@endpoint("GET")
def all_values():
    s = _session()
    return jsonify(data={k: s[k] for k in list(s) if not k.startswith("_")})


def _expiry_state(s):
    if DEADLINE in s:
        left = max(0, round(s[DEADLINE] - time.time()))
    else:  # what the server accepts: a cookie signed at most this long ago
        left = int(current_app.permanent_session_lifetime.total_seconds())
    return {"seconds_left": left, "at_browser_close": not s.permanent}


@endpoint("GET", "POST")
def expiry():
    s = _session()
    if request.method == "POST":
        body = read_json()
        only_members(body, "seconds")
        seconds = whole_number(member(body, "seconds", "any"), "seconds", 0, MAX_SECONDS)
        s.permanent = seconds > 0  # Flask's only per-session choice
        if seconds > 0 and not plain():
            s[DEADLINE] = time.time() + seconds
        else:
            s.pop(DEADLINE, None)
    return jsonify(_expiry_state(s))


@endpoint("POST")
def flush():
    _session().clear()
    return {}


# Login, as Flask's tutorial does it, minus the password: a test hook that
# logs anyone in as anyone. Never enable it in production.


@endpoint("POST")
def login():
    body = read_json()
    only_members(body, "user")
    user = member(body, "user", "string")
    if not user:
        raise BadInput('"user" must be a non-empty string')
    s = _session()
    if s.get(USER) not in (None, user):
        s.clear()  # another user's data never carries over (the tutorial always clears)
    # The contract keeps the data a session held before login. A signed
    # cookie gets a new value with any change, so the key changes anyway.
    s[USER] = user
    return jsonify(user=user)


@endpoint("GET")
def whoami():
    return jsonify(user=_session().get(USER))


@endpoint("POST")
def logout():
    _session().clear()
    return {}
