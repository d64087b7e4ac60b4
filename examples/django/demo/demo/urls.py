from django.conf import settings
from django.urls import include, path

urlpatterns = []

# The contract only in builds that turn it on: never in production.
if getattr(settings, "HTTPCHECK_CONTRACT_ENABLED", False) is True:
    urlpatterns.append(path("httpcheck/", include("httpcheck_contract.urls")))
