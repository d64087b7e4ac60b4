"""The demo app: a stock Flask app with Flask-Caching and the httpcheck
contract mounted under /httpcheck/. Everything that varies comes from the
environment, so one app serves every configuration the tests try:

HTTPCHECK_DEMO_CACHE_DIR      directory of the FileSystemCache aliases
HTTPCHECK_DEMO_DEFAULT_CACHE  SimpleCache (default) or FileSystemCache: the
                              "default" alias, which the cached views use
HTTPCHECK_DEMO_STATE_CACHE    1: keep the adapter's resources and counters in a
                              FileSystemCache of their own (as several processes
                              would need) instead of in memory
HTTPCHECK_DEMO_HTTP_URL       base URL of the contract over http  } set by serve.py;
HTTPCHECK_DEMO_HTTPS_URL      base URL of the contract over https } https also makes
                                                                    the session cookie Secure
HTTPCHECK_DEMO_SAMESITE       SESSION_COOKIE_SAMESITE (default Lax; "" for Flask's default, none)
HTTPCHECK_DEMO_SECRET_KEY     SECRET_KEY (default: a fixed key: this is a demo)
HTTPCHECK_DEMO_PLAIN          1: HTTPCHECK_CONTRACT_PLAIN, Flask as it is
"""

import os
import sys
import tempfile

from flask import Flask
from flask_caching import Cache

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # httpcheck_contract
import httpcheck_contract  # noqa: E402

env = os.environ.get


def create_app():
    app = Flask(__name__)
    https = env("HTTPCHECK_DEMO_HTTPS_URL")
    app.config.update(
        SECRET_KEY=env("HTTPCHECK_DEMO_SECRET_KEY", "httpcheck demo: not a secret, never use it outside the demo"),
        # Flask's security considerations recommend these three; Secure only
        # when the demo serves https, as a staging deployment does.
        SESSION_COOKIE_SECURE=bool(https),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE=env("HTTPCHECK_DEMO_SAMESITE", "Lax") or None,
        MAX_CONTENT_LENGTH=1 << 20,  # 1 MiB, as the reference allows
        HTTPCHECK_CONTRACT_ENABLED=True,
        HTTPCHECK_CONTRACT_URLS={k: v for k, v in (("http", env("HTTPCHECK_DEMO_HTTP_URL")), ("https", https)) if v},
        HTTPCHECK_CONTRACT_PLAIN=env("HTTPCHECK_DEMO_PLAIN") == "1",
        # One process: its memory caches are shared by every request.
        HTTPCHECK_CONTRACT_CACHE_PER_INSTANCE=False,
    )

    # Three aliases, as the reference server has: Flask-Caching's defaults
    # (300 s, threshold 500) in memory or on disk, one on disk, and a small
    # one whose culling the checks can watch. Only the default alias binds
    # the {% cache %} tag of the app's templates (with_jinja2_ext).
    cache_dir = env("HTTPCHECK_DEMO_CACHE_DIR") or tempfile.mkdtemp(prefix="httpcheck-flask-demo-")

    def on_disk(name):
        return {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": os.path.join(cache_dir, name)}

    default_type = env("HTTPCHECK_DEMO_DEFAULT_CACHE", "SimpleCache")
    caches = {
        "default": Cache(app, config=on_disk("default") if default_type == "FileSystemCache" else {"CACHE_TYPE": "SimpleCache"}),
        "secondary": Cache(app, with_jinja2_ext=False, config=on_disk("secondary")),
        "small": Cache(app, with_jinja2_ext=False, config={"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 20}),
    }
    state = None
    if env("HTTPCHECK_DEMO_STATE_CACHE") == "1":
        state = Cache(app, with_jinja2_ext=False, config=dict(on_disk("state"), CACHE_THRESHOLD=100000))
    app.config["HTTPCHECK_CONTRACT_SERVER"] = "httpcheck Flask demo (%s; default cache %s)" % (
        httpcheck_contract.versions(), default_type)

    if app.config["HTTPCHECK_CONTRACT_ENABLED"] is True:
        app.register_blueprint(httpcheck_contract.blueprint(caches=caches, state_cache=state), url_prefix="/httpcheck")
    return app
