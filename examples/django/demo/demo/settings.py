"""Settings of the demo project: a stock Django project with the httpcheck
contract mounted under /httpcheck/. Everything that varies comes from the
environment, so one project serves every configuration the tests try:

HTTPCHECK_DEMO_DB              SQLite file (default: demo.sqlite3 in the temp dir)
HTTPCHECK_DEMO_CACHE_DIR       directory of the file-based cache alias
HTTPCHECK_DEMO_SESSION_ENGINE  db (default), signed_cookies, cached_db, cache, file,
                               or a dotted path
HTTPCHECK_DEMO_HTTP_URL        base URL of the contract over http  } set by serve.py;
HTTPCHECK_DEMO_HTTPS_URL       base URL of the contract over https } https also makes
                                                                     the session cookie Secure
HTTPCHECK_DEMO_SECRET_KEY      SECRET_KEY (default: a fixed key: this is a demo)
HTTPCHECK_DEMO_PLAIN           1: HTTPCHECK_CONTRACT_PLAIN, Django as it is (see the app's api.plain)
HTTPCHECK_DEMO_CACHES          the aliases the cache API serves (default: default,secondary,small)
HTTPCHECK_DEMO_STATE_CACHE     1: keep the adapter's resources and counters in a file-based alias
                               "state" (as several processes would need) instead of in memory
"""

import os
import tempfile

import django

env = os.environ.get

DEBUG = False
SECRET_KEY = env("HTTPCHECK_DEMO_SECRET_KEY", "httpcheck demo: not a secret, never use it outside the demo")
ALLOWED_HOSTS = ["*"]  # the cookie-scoping checks send virtual Host names
ROOT_URLCONF = "demo.urls"
WSGI_APPLICATION = "demo.wsgi.application"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "httpcheck_contract",
]

# startproject's middleware, minus messages (no templates use it).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env("HTTPCHECK_DEMO_DB", os.path.join(tempfile.gettempdir(), "httpcheck-demo.sqlite3")),
    }
}

# Three aliases, as the reference server has: Django's defaults (300 s,
# 300 entries, cull 1/3) in memory and on disk, and a small one whose culling
# the checks can watch. Each LocMemCache needs a LOCATION of its own, or
# aliases share one store.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "httpcheck-default",
    },
    "secondary": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env("HTTPCHECK_DEMO_CACHE_DIR", os.path.join(tempfile.gettempdir(), "httpcheck-demo-cache")),
    },
    "small": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "httpcheck-small",
        "OPTIONS": {"MAX_ENTRIES": 20},
    },
}

# The adapter's own state, shared through a cache of its own when asked.
if env("HTTPCHECK_DEMO_STATE_CACHE") == "1":
    CACHES["state"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": CACHES["secondary"]["LOCATION"] + "-state",
        "OPTIONS": {"MAX_ENTRIES": 100000},
    }
    HTTPCHECK_CONTRACT_STATE_CACHE = "state"

_engine = env("HTTPCHECK_DEMO_SESSION_ENGINE", "db")
SESSION_ENGINE = _engine if "." in _engine else "django.contrib.sessions.backends." + _engine

HTTPCHECK_CONTRACT_ENABLED = True
HTTPCHECK_CONTRACT_SERVER = "httpcheck Django demo (Django %s, SESSION_ENGINE %s)" % (django.get_version(), SESSION_ENGINE)
HTTPCHECK_CONTRACT_URLS = {k: v for k, v in (("http", env("HTTPCHECK_DEMO_HTTP_URL")),
                                             ("https", env("HTTPCHECK_DEMO_HTTPS_URL"))) if v}
HTTPCHECK_CONTRACT_PLAIN = env("HTTPCHECK_DEMO_PLAIN") == "1"
# The aliases the cache checks may write to and clear: never "state".
HTTPCHECK_CONTRACT_CACHES = env("HTTPCHECK_DEMO_CACHES", "default,secondary,small").split(",")
# One process (serve.py or runserver): its memory caches are shared by every request.
HTTPCHECK_CONTRACT_CACHE_PER_INSTANCE = False

# A staging deployment is served over https; so is the demo when serve.py
# gets a certificate, and then the session cookie is Secure, as it should be.
SESSION_COOKIE_SECURE = bool(env("HTTPCHECK_DEMO_HTTPS_URL"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # 4xx answers are the contract working; 5xx are logged as errors.
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"},
                "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
