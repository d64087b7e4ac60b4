"""httpcheck_contract: the httpcheck contract (httpcheck/1) for a Flask app.

    # app.py (a test or staging build only)
    import httpcheck_contract
    app.config["HTTPCHECK_CONTRACT_ENABLED"] = True
    app.register_blueprint(httpcheck_contract.blueprint(caches={"default": cache}),
                           url_prefix="/httpcheck")

Every endpoint does its work with Flask's own machinery (Response.set_cookie,
flask.session, Flask-Caching's Cache, cached and {% cache %}, Werkzeug's
make_conditional), so httpcheck grades what the app's Flask really does.
Unless HTTPCHECK_CONTRACT_ENABLED is True, every URL answers 404.
See README.md beside this package.

App config (all optional but the first):

HTTPCHECK_CONTRACT_ENABLED   True to serve the contract; anything else: 404.
HTTPCHECK_CONTRACT_URLS      {"http": URL, "https": URL}: the contract's base URL
                             per scheme, for the checks that need both.
HTTPCHECK_CONTRACT_SERVER    free text for the manifest's "server".
HTTPCHECK_CONTRACT_FEATURES  the features to declare; default: every feature
                             the app supports (never "clock").
HTTPCHECK_CONTRACT_CACHE_PER_INSTANCE
                             True when each process has its own cache; default:
                             True when an alias is a SimpleCache.
HTTPCHECK_CONTRACT_PLAIN     True: Flask as it is (api.plain).
"""

import importlib.metadata

import flask
from flask import Blueprint, current_app, jsonify, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

from . import cache_api, cookies, pages, resources, sessions
from .api import ALL_METHODS, endpoint, enabled, error, plain
from .state import Memory, Shared

CONTRACT = "httpcheck/1"
ALL_FEATURES = ("cookies", "sessions", "auth", "cache", "views", "resources")
_EXTENSION = "httpcheck_contract"


class Contract:
    """What blueprint() was given: the cache aliases and the adapter's store."""

    def __init__(self, caches, state_cache):
        self.caches = dict(caches or {})
        self.store = Shared(state_cache) if state_cache is not None else Memory()


def contract():
    return current_app.extensions[_EXTENSION]


def blueprint(caches=None, state_cache=None, name="httpcheck_contract"):
    """The contract's Blueprint; register it under a prefix such as /httpcheck.

    caches: alias -> flask_caching.Cache, the caches the cache API may reach.
        The cache checks write to them, cull the smallest and CLEAR one: list
        only caches that tests may empty. views/cached uses "default".
    state_cache: a Cache shared by every process of the deployment, where the
        adapter keeps its resources and render counters (default: memory).
    """
    c = Contract(caches, state_cache)
    bp = Blueprint(name, __name__, template_folder="templates")
    bp.record_once(lambda state: state.app.extensions.setdefault(_EXTENSION, c))

    @bp.before_request
    def switch():
        if not enabled():
            flask.abort(404)
        sessions.enforce_deadline()

    @bp.errorhandler(HTTPException)
    def http_error(e):  # abort(), 413 from MAX_CONTENT_LENGTH, bad JSON...
        response = error(e.description or e.name, e.code or 500)
        if not plain():
            response.cache_control.no_store = True
        return response

    def route(rule, name, view):  # every method: the views answer 405 themselves
        bp.add_url_rule(rule, name, view, methods=ALL_METHODS, provide_automatic_options=False)

    route("/manifest", "manifest", manifest)
    route("/cookies/set", "cookies_set", cookies.set_cookie)
    route("/cookies/delete", "cookies_delete", cookies.delete_cookie)
    route("/cookies/get", "cookies_get", cookies.get_cookie)
    route("/cookies/all", "cookies_all", cookies.all_cookies)
    route("/session/set", "session_set", sessions.set_value)
    route("/session/get", "session_get", sessions.get_value)
    route("/session/delete", "session_delete", sessions.delete_value)
    route("/session/all", "session_all", sessions.all_values)
    route("/session/expiry", "session_expiry", sessions.expiry)
    route("/session/flush", "session_flush", sessions.flush)
    route("/session/login", "session_login", sessions.login)
    route("/session/whoami", "session_whoami", sessions.whoami)
    route("/session/logout", "session_logout", sessions.logout)
    route("/cache/<alias>/<op>", "cache", cache_api.cache_op(c.caches))
    if "default" in c.caches:
        route("/views/cached", "views_cached", pages.cached(c.caches["default"], c.store))
    route("/views/uncached", "views_uncached", pages.uncached(c.store))
    route("/views/fragment", "views_fragment", pages.fragment(c.store))
    route("/resources/<rid>", "resource", resources.resource(c.store))
    route("/", "root", not_found)
    route("/<path:rest>", "not_found", not_found)
    return bp


@endpoint(*ALL_METHODS)
def not_found(rest=""):
    return error("no contract endpoint %s" % request.path, 404)


@endpoint("GET")
def manifest():
    return jsonify(build_manifest())


def versions():
    """"Flask 2.2.2, Werkzeug 2.2.2, Flask-Caching 2.0.2", as installed."""
    out = []
    for name in ("Flask", "Werkzeug", "Flask-Caching"):
        try:
            out.append("%s %s" % (name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            pass
    return ", ".join(out)


def _sessions_work(app):
    return not app.session_interface.is_null_session(session)


def _fragment_cache(app):
    """The Cache that {% cache %} uses: the last one initialised on the app
    with its Jinja2 extension (Flask-Caching's with_jinja2_ext=True)."""
    return getattr(app.jinja_env, "_template_fragment_cache", None)


def features(app):
    explicit = app.config.get("HTTPCHECK_CONTRACT_FEATURES")
    if explicit is not None:
        return [f for f in explicit if f in ALL_FEATURES]
    out = ["cookies"]
    if _sessions_work(app):
        out += ["sessions", "auth"]
    caches = contract().caches
    if caches:
        out.append("cache")
    if "default" in caches and _fragment_cache(app) is not None:
        out.append("views")
    out.append("resources")
    return out


def _alias(cache):
    """An alias as Flask-Caching runs it: the backend's own values."""
    backend = cache.cache
    timeout = backend.default_timeout
    return {
        "timeout": timeout or None,  # Flask-Caching's 0: never expires
        # cachelib culls past _threshold (SimpleCache treats 0 as 500;
        # FileSystemCache as no limit).
        # FileSystemCache as no limit). They cull the entries that expire
        # soonest until the threshold is met, not a fraction as Django's
        # cull_frequency does, so that is left out.
        "max_entries": getattr(backend, "_threshold", 0) or 0,
        "backend": type(backend).__module__ + "." + type(backend).__name__,
    }


def _per_instance(app, caches):
    explicit = app.config.get("HTTPCHECK_CONTRACT_CACHE_PER_INSTANCE")
    if explicit is not None:
        return bool(explicit)
    return any(type(c.cache).__name__ == "SimpleCache" for c in caches.values())


def _session_settings(app):
    iface = app.session_interface
    # session.permanent as the app's own before_request hooks have left it
    # for this request, which carried no session: Flask's default is False, a
    # cookie without a lifetime; apps that want one set it in a hook.
    permanent = session.permanent
    samesite = iface.get_cookie_samesite(app)
    return {
        "cookie_name": iface.get_cookie_name(app),
        # The server refuses a cookie signed longer ago than this, permanent
        # or not; a permanent session's cookie carries it as Expires.
        "cookie_age": int(app.permanent_session_lifetime.total_seconds()),
        "expire_at_browser_close": not permanent,
        "save_every_request": bool(permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]),
        "cookie_secure": bool(iface.get_cookie_secure(app)),
        "cookie_httponly": bool(iface.get_cookie_httponly(app)),
        "cookie_samesite": samesite or "",
        "cookie_path": iface.get_cookie_path(app),
        "cookie_domain": iface.get_cookie_domain(app) or None,
        "backend": "signed_cookies" if isinstance(iface, SecureCookieSessionInterface)
        else type(iface).__module__ + "." + type(iface).__name__,
    }


def _hosts(app):
    name = app.config.get("SERVER_NAME")  # set: Flask routes only that host
    trusted = getattr(app.request_class, "trusted_hosts", None)
    names = [name.rsplit(":", 1)[0]] if name else []
    names += [h.lstrip(".") for h in trusted or () if h.lstrip(".")]
    return {"any_host": not name and not trusted, "names": names}


def build_manifest():
    app = current_app
    feats = features(app)
    m = {
        "contract": CONTRACT,
        "server": app.config.get("HTTPCHECK_CONTRACT_SERVER")
        or "%s (httpcheck_contract)" % versions(),
        "features": feats,
        "hosts": _hosts(app),
    }
    urls = app.config.get("HTTPCHECK_CONTRACT_URLS")
    if urls:
        m["urls"] = {k: v for k, v in urls.items() if k in ("http", "https") and v}
    if "sessions" in feats:
        m["session"] = _session_settings(app)
    if "cache" in feats:
        caches = contract().caches
        m["cache"] = {"aliases": {a: _alias(c) for a, c in caches.items()},
                      "per_instance": _per_instance(app, caches)}
    return m
