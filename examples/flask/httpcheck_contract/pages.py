"""views/cached, views/uncached, views/fragment (feature "views").

views/cached is the view under Flask-Caching's cache.cached(timeout=ttl,
query_string=True) on the "default" alias, applied per request because ttl
comes from the query: the key is the path and the query's parameters.
views/fragment renders a template whose sidebar is inside Flask-Caching's
Jinja2 tag {% cache ttl, "httpcheck_sidebar", user %}, which uses the Cache
bound to the app's Jinja environment.

Flask-Caching keeps the response on the server and says nothing about it to
HTTP caches; the contract wants Cache-Control: max-age and Expires, as
Django's cache_page sends them. Unless HTTPCHECK_CONTRACT_PLAIN, the adapter
sets both, with Werkzeug's properties, on the response it stores.
"""

import time
from datetime import datetime, timezone

from flask import jsonify, render_template, request

from .api import MAX_SECONDS, BadInput, endpoint, plain, query_int


def _now():
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _render(store):
    """The view itself: counts its real executions for this URL."""
    return jsonify(renders=store.incr(("render", request.url)), rendered_at=_now())


def cached(cache, store):
    @endpoint("GET", no_store=False)
    def view():
        ttl = query_int("ttl", 1, MAX_SECONDS)
        if ttl is None:
            raise BadInput('missing query parameter "ttl" (whole seconds from 1 to %d)' % MAX_SECONDS)

        def render():
            response = _render(store)
            if not plain():
                response.cache_control.max_age = ttl
                response.expires = time.time() + ttl
            return response

        return cache.cached(timeout=ttl, query_string=True)(render)()

    return view


def uncached(store):
    @endpoint("GET")
    def view():
        return _render(store)

    return view


class _Counter:
    """{{ sidebar.renders() }} counts renders of the cached block for a user:
    it runs only when {% cache %} misses."""

    def __init__(self, store, key):
        self.store, self.key = store, key

    def renders(self):
        return self.store.incr(self.key)


def fragment(store):
    @endpoint("GET")
    def view():
        user = request.args.get("user", "")
        if not user:
            raise BadInput('missing query parameter "user"')
        if len(user.encode("utf-8")) > 256:
            raise BadInput('"user" is longer than 256 bytes')
        ttl = query_int("ttl", 1, MAX_SECONDS, default=500)
        return render_template(
            "httpcheck_contract/fragment.html",  # .html: autoescaped
            user=user,
            ttl=ttl,
            sidebar=_Counter(store, ("sidebar", user)),
            content_renders=store.incr(("content", user)),
        )

    return view
