"""views/cached, views/uncached, views/fragment (feature "views").

views/cached is the view under django.views.decorators.cache.cache_page(ttl),
applied per request because ttl comes from the query; cache_page keys on the
full URL (scheme, host, path and query as sent). views/fragment renders a
template whose sidebar is inside Django's {% cache ttl sidebar user %} tag.
Both use the default cache alias, as Django does unless told otherwise.
"""

import os
from datetime import datetime, timezone

from django.http import HttpResponse, JsonResponse
from django.template import Context, Engine
from django.views.decorators.cache import cache_page

from .api import MAX_SECONDS, BadInput, endpoint, query_int
from .state import store


def _count(key):
    """Counts renders, keyed by URL or user, in state.store(): this process's
    memory (restarting from zero once 100,000 counters exist), or the cache
    alias HTTPCHECK_CONTRACT_STATE_CACHE names."""
    return store().incr(key)


def _now():
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _render(request):
    """The view itself: counts its real executions for this URL."""
    n = _count(("render", request.build_absolute_uri()))
    return JsonResponse({"renders": n, "rendered_at": _now()})


@endpoint("GET", no_store=False)
def cached(request):
    ttl = query_int(request, "ttl", 1, MAX_SECONDS)
    if ttl is None:
        raise BadInput('missing query parameter "ttl" (whole seconds from 1 to %d)' % MAX_SECONDS)
    return cache_page(ttl)(_render)(request)


@endpoint("GET")
def uncached(request):
    return _render(request)


# The fragment template is rendered by an engine of its own, so it works
# whatever the project's TEMPLATES say; {% cache %} is Django's tag from
# django.templatetags.cache, and autoescaping is on.
_engine = Engine(
    dirs=[os.path.join(os.path.dirname(__file__), "templates")],
    libraries={"cache": "django.templatetags.cache"},
)


class _Counter:
    """{{ sidebar.renders }} counts renders of the cached block for a user:
    it is evaluated only when {% cache %} misses."""

    def __init__(self, key):
        self.key = key

    def renders(self):
        return _count(self.key)


@endpoint("GET")
def fragment(request):
    user = request.GET.get("user", "")
    if not user:
        raise BadInput('missing query parameter "user"')
    if len(user.encode("utf-8")) > 256:
        raise BadInput('"user" is longer than 256 bytes')
    ttl = query_int(request, "ttl", 1, MAX_SECONDS, default=500)
    template = _engine.get_template("httpcheck_contract/fragment.html")
    html = template.render(Context({
        "user": user,
        "ttl": ttl,
        "sidebar": _Counter(("sidebar", user)),
        "content_renders": _count(("content", user)),
    }))
    return HttpResponse(html, content_type="text/html; charset=utf-8")
