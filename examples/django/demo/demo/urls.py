from django.conf import settings
from django.urls import include, path

urlpatterns = []

# The contract only in builds that turn it on (never in production).
if settings.HTTPCHECK_CONTRACT_ENABLED:
    urlpatterns.append(path("httpcheck/", include("httpcheck_contract.urls")))
