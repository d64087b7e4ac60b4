"""The adapter's own tests: the switch, the manifest, and bad input answered 4xx
with a JSON error, never 5xx. What the endpoints do with good input is graded
by httpcheck itself (examples/flask/flask_test.go runs every suite against
the demo).

    cd examples/flask && python3 -m unittest httpcheck_contract.tests
"""

import json
import os
import tempfile
import unittest
from datetime import timedelta

from flask import Flask, session
from flask_caching import Cache

from . import api, blueprint

BASE = "/httpcheck/"


def make_app(**config):
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", HTTPCHECK_CONTRACT_ENABLED=True, **config)
    caches = {
        "default": Cache(app, config={"CACHE_TYPE": "SimpleCache"}),
        "disk": Cache(app, with_jinja2_ext=False, config={"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": tempfile.mkdtemp()}),
        "small": Cache(app, with_jinja2_ext=False, config={"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 20}),
    }
    app.register_blueprint(blueprint(caches=caches), url_prefix="/httpcheck")
    return app


class Switch(unittest.TestCase):
    def test_off_unless_true(self):
        for value in (None, False, 1, "yes", "True"):
            app = make_app()
            if value is None:
                del app.config["HTTPCHECK_CONTRACT_ENABLED"]
            else:
                app.config["HTTPCHECK_CONTRACT_ENABLED"] = value
            client = app.test_client()
            with app.test_request_context():
                self.assertFalse(api.enabled(), value)
            for path in ("manifest", "cookies/set?name=a", "nothing/here", ""):
                r = client.get(BASE + path)
                self.assertEqual(r.status_code, 404, (value, path))
                self.assertNotIn("Set-Cookie", r.headers)

    def test_on(self):
        self.assertEqual(make_app().test_client().get(BASE + "manifest").status_code, 200)


class Manifest(unittest.TestCase):
    def test_reports_the_config(self):
        m = make_app().test_client().get(BASE + "manifest").get_json()
        self.assertEqual(m["contract"], "httpcheck/1")
        self.assertNotIn("clock", m["features"])
        self.assertEqual(m["session"]["cookie_name"], "session")
        self.assertEqual(m["session"]["cookie_age"], 31 * 24 * 3600)
        self.assertTrue(m["session"]["expire_at_browser_close"])
        self.assertEqual(m["session"]["backend"], "signed_cookies")
        self.assertEqual(m["session"]["cookie_samesite"], "")
        self.assertEqual(set(m["cache"]["aliases"]), {"default", "disk", "small"})
        self.assertEqual(m["cache"]["aliases"]["small"]["max_entries"], 20)
        self.assertTrue(m["cache"]["per_instance"])  # SimpleCache: one store per process
        self.assertEqual(m["hosts"], {"any_host": True, "names": []})

    def test_follows_the_app(self):
        app = make_app(PERMANENT_SESSION_LIFETIME=timedelta(minutes=10), SESSION_COOKIE_SAMESITE="Strict",
                       SESSION_COOKIE_DOMAIN="example.test", SERVER_NAME="example.test",
                       HTTPCHECK_CONTRACT_FEATURES=["cookies", "sessions", "clock"])

        @app.before_request
        def permanent():
            session.permanent = True

        m = app.test_client().get(BASE + "manifest", base_url="http://example.test").get_json()
        self.assertEqual(m["features"], ["cookies", "sessions"])  # never clock
        s = m["session"]
        self.assertEqual((s["cookie_age"], s["cookie_samesite"], s["cookie_domain"]), (600, "Strict", "example.test"))
        self.assertFalse(s["expire_at_browser_close"])
        self.assertTrue(s["save_every_request"])
        self.assertEqual(m["hosts"], {"any_host": False, "names": ["example.test"]})

    def test_no_secret_key_no_sessions(self):
        app = make_app()
        app.config["SECRET_KEY"] = None
        client = app.test_client()
        self.assertNotIn("sessions", client.get(BASE + "manifest").get_json()["features"])
        self.assertEqual(client.post(BASE + "session/set", json={"key": "k", "value": 1}).status_code, 404)


class BadInput(unittest.TestCase):
    def setUp(self):
        self.app = make_app(MAX_CONTENT_LENGTH=1000)
        self.client = self.app.test_client()

    def post(self, path, body):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.post(BASE + path, data=data, content_type="application/json")

    def assertError(self, response, status, no_store=True):
        self.assertEqual(response.status_code, status, response.data[:300])
        self.assertTrue(response.get_json()["error"])
        if no_store:  # not the cached views and resources, which set their own
            self.assertEqual(response.headers["Cache-Control"], "no-store")

    def test_unknown_endpoint_and_method(self):
        self.assertError(self.client.get(BASE + "nothing/here"), 404)
        r = self.client.delete(BASE + "cookies/set")
        self.assertError(r, 405)
        self.assertIn("GET", r.headers["Allow"])

    def test_cookies(self):
        for q in ("", "?name=a&max_age=soon", "?name=a&expires=tomorrow", "?name=a&samesite=Sometimes"):
            self.assertError(self.client.get(BASE + "cookies/set" + q), 400)
        self.assertError(self.client.get(BASE + "cookies/get"), 400)
        self.assertError(self.client.get(BASE + "cookies/delete"), 400)

    def test_sessions(self):
        for body in ("{", "[]", '{"key": "k", "value": NaN}', {"value": 1}, {"key": 7, "value": 1}, {"key": "k"},
                     {"key": "", "value": 1}, {"key": "_httpcheck_user", "value": "x"}, {"key": "_permanent", "value": True},
                     {"key": "k", "value": 1, "extra": 2}):
            self.assertError(self.post("session/set", body), 400)
        self.assertError(self.client.get(BASE + "session/get?key=_httpcheck_expiry"), 400)
        for seconds in ("60", -1, 1.5, 10 ** 12, None, True):
            self.assertError(self.post("session/expiry", {"seconds": seconds}), 400)
        for body in ({}, {"user": ""}, {"user": 5}):
            self.assertError(self.post("session/login", body), 400)
        self.assertError(self.post("session/set", {"key": "k", "value": "x" * 2000}), 413)

    def test_cache(self):
        self.assertError(self.post("cache/nosuch/get", {"key": "k"}), 404)
        self.assertError(self.post("cache/default/frobnicate", {}), 404)
        self.assertError(self.post("cache/default/incr", {"key": "never-set"}), 404)
        self.assertEqual(self.post("cache/default/get", {"key": "never-set"}).get_json(), {"found": False, "value": None})
        for op, body in (("set", '{"key": "k", "value": 1'), ("set", "[1]"), ("set", {"key": 7, "value": 1}),
                         ("set", {"value": 1}), ("set", {"key": "k", "value": 1, "ttl": 5}),
                         ("set", {"key": "k", "value": 1, "timeout": 1.5}), ("set", {"key": "k", "value": 1, "timeout": "5"}),
                         ("set", {"key": "has space", "value": 1}), ("set", {"key": "x" * 251, "value": 1}),
                         ("get", {"key": "tab\there"}), ("get_many", {"keys": "k"}), ("set_many", {"values": [1]}),
                         ("incr", {"key": "k", "delta": "one"})):
            self.assertError(self.post("cache/default/" + op, body), 400)
        self.post("cache/default/set", {"key": "word", "value": "abc"})
        self.assertError(self.post("cache/default/incr", {"key": "word"}), 400)

    def test_views(self):
        for q in ("", "?ttl=0", "?ttl=-1", "?ttl=1.5", "?ttl=abc", "?ttl=%d" % (api.MAX_SECONDS + 1)):
            self.assertError(self.client.get(BASE + "views/cached" + q), 400, no_store=False)
        self.assertError(self.client.get(BASE + "views/fragment"), 400)
        self.assertError(self.client.get(BASE + "views/fragment?user=u&ttl=0"), 400)

    def test_resources(self):
        def put(path):
            return self.client.put(BASE + path, data=b"x", content_type="text/plain")

        self.assertError(put("resources/bad%20id"), 400, no_store=False)
        self.assertError(put("resources/" + "a" * 201), 400, no_store=False)
        for q in ("validators=some", "max_age=-1", "max_age=soon", "expires=2", "weak=yes",
                  "cache_control=no%20store", "cache_control=max-age=5"):
            self.assertError(put("resources/r1?" + q), 400, no_store=False)
        self.assertError(self.client.get(BASE + "resources/never-put"), 404, no_store=False)
        self.assertError(self.client.delete(BASE + "resources/never-put"), 404, no_store=False)
        self.assertError(self.client.put(BASE + "resources/big", data=b"x" * 1001, content_type="text/plain"), 413)
        self.assertEqual(put("resources/r2").status_code, 201)
        self.assertEqual(put("resources/r2").status_code, 200)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    unittest.main()
