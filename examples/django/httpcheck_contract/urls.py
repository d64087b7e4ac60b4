"""Mount with path("httpcheck/", include("httpcheck_contract.urls")).

Without HTTPCHECK_CONTRACT_ENABLED = True there are no routes at all, and
each view checks the setting again on every request.
"""

from django.http import JsonResponse
from django.urls import path, re_path

from . import cache_api, cookies, pages, resources, sessions
from .api import enabled, endpoint
from .conf import manifest as build_manifest

app_name = "httpcheck_contract"


@endpoint("GET")
def manifest(request):
    return JsonResponse(build_manifest())


@endpoint("GET", "POST", "PUT", "DELETE", "PATCH")
def not_found(request, rest=""):
    return JsonResponse({"error": "no contract endpoint %s" % request.path}, status=404)


urlpatterns = []
if enabled():
    urlpatterns = [
        path("manifest", manifest, name="manifest"),
        path("cookies/set", cookies.set_cookie),
        path("cookies/delete", cookies.delete_cookie),
        path("cookies/get", cookies.get_cookie),
        path("cookies/all", cookies.all_cookies),
        path("session/set", sessions.set_value),
        path("session/get", sessions.get_value),
        path("session/delete", sessions.delete_value),
        path("session/all", sessions.all_values),
        path("session/expiry", sessions.expiry),
        path("session/flush", sessions.flush),
        path("session/login", sessions.login),
        path("session/whoami", sessions.whoami),
        path("session/logout", sessions.logout),
        path("cache/<str:alias>/<str:op>", cache_api.cache_op),
        path("views/cached", pages.cached),
        path("views/uncached", pages.uncached),
        path("views/fragment", pages.fragment),
        path("resources/<str:rid>", resources.resource),
        re_path(r"^(?P<rest>.*)$", not_found),
    ]
