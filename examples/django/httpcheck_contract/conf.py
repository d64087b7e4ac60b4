"""The manifest: what this project's Django really does, read from its settings.

Settings of the app (all optional except the first):

HTTPCHECK_CONTRACT_ENABLED   True to serve the contract; anything else: 404.
HTTPCHECK_CONTRACT_URLS      {"http": URL, "https": URL}: the contract's base URL
                             per scheme, for the checks that need both.
HTTPCHECK_CONTRACT_SERVER    free text for the manifest's "server".
HTTPCHECK_CONTRACT_FEATURES  the features to declare; default: every feature the
                             project's settings support (never "clock").
HTTPCHECK_CONTRACT_CACHES    the cache aliases the cache API may reach (the checks
                             write to them and clear them); default: every alias
                             in CACHES.
HTTPCHECK_CONTRACT_CACHE_PER_INSTANCE
                             True when each process has its own cache (LocMemCache
                             behind several workers); default: True when an
                             exposed alias is a LocMemCache, so checks that read
                             back what they wrote are skipped rather than flaky.
HTTPCHECK_CONTRACT_STATE_CACHE
                             a cache alias shared by every process, for the
                             adapter's resources and render counters (state.py);
                             default: this process's memory.
HTTPCHECK_CONTRACT_PLAIN     True: Django as it is (api.plain).
"""

import django
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import caches
from django.utils.module_loading import import_string

CONTRACT = "httpcheck/1"

ALL_FEATURES = ("cookies", "sessions", "auth", "cache", "views", "resources")

# Backends whose entries Django culls at MAX_ENTRIES; for the others
# (memcached, Redis) Django passes no limit on, so the manifest says none.
_CULLING = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.db.DatabaseCache",
)


def _has_session_middleware():
    for path in settings.MIDDLEWARE or ():
        try:
            cls = import_string(path)
        except ImportError:
            continue
        if isinstance(cls, type) and issubclass(cls, SessionMiddleware):
            return True
    return False


def cache_aliases():
    """The aliases the cache API serves, in settings order."""
    names = getattr(settings, "HTTPCHECK_CONTRACT_CACHES", None)
    if names is None:
        names = list(settings.CACHES)
    return [n for n in names if n in settings.CACHES]


def _backend_path(alias):
    backend = settings.CACHES[alias].get("BACKEND", "")
    return backend


def per_instance():
    explicit = getattr(settings, "HTTPCHECK_CONTRACT_CACHE_PER_INSTANCE", None)
    if explicit is not None:
        return bool(explicit)
    aliases = set(cache_aliases()) | {"default"}
    return any(_backend_path(a).endswith("locmem.LocMemCache") for a in aliases if a in settings.CACHES)


def features():
    explicit = getattr(settings, "HTTPCHECK_CONTRACT_FEATURES", None)
    if explicit is not None:
        return [f for f in explicit if f in ALL_FEATURES]
    out = ["cookies"]
    if _has_session_middleware():
        out.append("sessions")
        if "django.contrib.auth" in settings.INSTALLED_APPS:
            out.append("auth")
    if cache_aliases():
        out.append("cache")
    if "default" in settings.CACHES:
        out.append("views")
    out.append("resources")
    return out


def _alias_settings(alias):
    """An alias as Django runs it: the backend instance's own values, which
    are the project's TIMEOUT and OPTIONS with Django's defaults filled in."""
    c = caches[alias]
    timeout = c.default_timeout  # None: never expire
    culls = _backend_path(alias) in _CULLING or any(
        isinstance(c, import_string(p)) for p in _CULLING)
    return {
        "timeout": timeout,
        "max_entries": c._max_entries if culls else 0,
        "cull_frequency": c._cull_frequency if culls else 0,
        "backend": _backend_path(alias),
    }


def _session_settings():
    samesite = settings.SESSION_COOKIE_SAMESITE
    return {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "cookie_age": settings.SESSION_COOKIE_AGE,
        "expire_at_browser_close": settings.SESSION_EXPIRE_AT_BROWSER_CLOSE,
        "save_every_request": settings.SESSION_SAVE_EVERY_REQUEST,
        "cookie_secure": bool(settings.SESSION_COOKIE_SECURE),
        "cookie_httponly": bool(settings.SESSION_COOKIE_HTTPONLY),
        "cookie_samesite": samesite if samesite else "",
        "cookie_path": settings.SESSION_COOKIE_PATH,
        "cookie_domain": settings.SESSION_COOKIE_DOMAIN or None,
        # The engine's module name: "db", "cached_db", "cache", "file",
        # "signed_cookies", or a project's own.
        "backend": settings.SESSION_ENGINE.rsplit(".", 1)[-1],
        "engine": settings.SESSION_ENGINE,
    }


def _hosts():
    allowed = list(settings.ALLOWED_HOSTS or ())
    names = []
    for h in allowed:
        h = h.lstrip(".")
        if h and h != "*" and not any(c in h for c in "/:@ *[]"):
            names.append(h)
    return {"any_host": "*" in allowed, "names": names}


def manifest():
    feats = features()
    m = {
        "contract": CONTRACT,
        "server": getattr(settings, "HTTPCHECK_CONTRACT_SERVER", None)
        or "Django %s (httpcheck_contract)" % django.get_version(),
        "features": feats,
        "hosts": _hosts(),
    }
    urls = getattr(settings, "HTTPCHECK_CONTRACT_URLS", None)
    if urls:
        m["urls"] = {k: v for k, v in urls.items() if k in ("http", "https") and v}
    if "sessions" in feats:
        m["session"] = _session_settings()
    if "cache" in feats:
        m["cache"] = {
            "aliases": {a: _alias_settings(a) for a in cache_aliases()},
            "per_instance": per_instance(),
        }
    return m
