"""httpcheck_contract: the httpcheck contract (httpcheck/1) for a Django project.

Mount it under a prefix in the project's urls.py and turn it on with a setting:

    # settings.py (staging or test settings only)
    INSTALLED_APPS += ["httpcheck_contract"]
    HTTPCHECK_CONTRACT_ENABLED = True

    # urls.py
    path("httpcheck/", include("httpcheck_contract.urls")),

Every endpoint does its work with Django's own machinery (set_cookie,
request.session, login/logout, caches[alias], cache_page, {% cache %},
condition), so httpcheck grades what the project's Django really does.
Without HTTPCHECK_CONTRACT_ENABLED = True every URL answers 404.
See README.md beside this package.
"""
