"""The adapter's own tests: the switch, and bad input answered 4xx with a JSON
error, never 5xx. What the endpoints do with good input is graded by httpcheck
itself (examples/django/django_test.go runs every suite against the demo).

    cd examples/django/demo && python3 manage.py test httpcheck_contract
"""

import json

from django.conf import settings
from django.test import TestCase, override_settings
from django.urls import reverse

from . import api, conf

BASE = "/httpcheck/"


class Switch(TestCase):
    def test_off_unless_true(self):
        with self.settings():
            del settings.HTTPCHECK_CONTRACT_ENABLED
            self.assertFalse(api.enabled())
        for value in (False, None, 1, "yes", "True"):
            with self.settings(HTTPCHECK_CONTRACT_ENABLED=value):
                self.assertFalse(api.enabled(), value)
                self.assertEqual(self.client.get(BASE + "manifest").status_code, 404, value)
                self.assertEqual(self.client.get(BASE + "cookies/set?name=a").status_code, 404, value)

    def test_on(self):
        self.assertTrue(api.enabled())
        self.assertEqual(reverse("httpcheck_contract:manifest"), BASE + "manifest")


class Manifest(TestCase):
    def test_reports_the_settings(self):
        m = self.client.get(BASE + "manifest").json()
        self.assertEqual(m["contract"], "httpcheck/1")
        self.assertNotIn("clock", m["features"])
        self.assertEqual(m["session"]["cookie_name"], settings.SESSION_COOKIE_NAME)
        self.assertEqual(m["session"]["backend"], settings.SESSION_ENGINE.rsplit(".", 1)[-1])
        self.assertEqual(set(m["cache"]["aliases"]), set(settings.HTTPCHECK_CONTRACT_CACHES))
        self.assertEqual(m["cache"]["aliases"]["small"]["max_entries"], 20)
        self.assertTrue(m["hosts"]["any_host"])

    @override_settings(
        SESSION_COOKIE_AGE=600, SESSION_COOKIE_SAMESITE=None, SESSION_COOKIE_DOMAIN=".example.test",
        ALLOWED_HOSTS=[".example.test", "shop.example"], HTTPCHECK_CONTRACT_CACHES=["small"],
        HTTPCHECK_CONTRACT_FEATURES=["cookies", "sessions", "clock"], HTTPCHECK_CONTRACT_CACHE_PER_INSTANCE=None,
    )
    def test_follows_overrides(self):
        m = conf.manifest()
        self.assertEqual(m["features"], ["cookies", "sessions"])  # never clock
        self.assertEqual(m["session"]["cookie_age"], 600)
        self.assertEqual(m["session"]["cookie_samesite"], "")
        self.assertEqual(m["session"]["cookie_domain"], ".example.test")
        self.assertEqual(m["hosts"], {"any_host": False, "names": ["example.test", "shop.example"]})
        self.assertEqual(conf.cache_aliases(), ["small"])
        self.assertTrue(conf.per_instance())  # LocMemCache: one store per process


class BadInput(TestCase):
    def post(self, path, body, content_type="application/json"):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.post(BASE + path, data, content_type=content_type)

    def assertError(self, response, status):
        self.assertEqual(response.status_code, status, response.content[:300])
        self.assertTrue(response.json()["error"])

    def test_unknown_endpoint_and_method(self):
        self.assertError(self.client.get(BASE + "nothing/here"), 404)
        r = self.client.delete(BASE + "cookies/set")
        self.assertError(r, 405)
        self.assertIn("GET", r["Allow"])

    def test_cookies(self):
        self.assertError(self.client.get(BASE + "cookies/set"), 400)
        self.assertError(self.client.get(BASE + "cookies/set?name=a&max_age=soon"), 400)
        self.assertError(self.client.get(BASE + "cookies/set?name=a&expires=tomorrow"), 400)
        self.assertError(self.client.get(BASE + "cookies/set?name=a&samesite=Sometimes"), 400)
        self.assertError(self.client.get(BASE + "cookies/set?name=a%20b"), 400)  # SimpleCookie: illegal key
        self.assertError(self.client.get(BASE + "cookies/get"), 400)
        self.assertError(self.client.get(BASE + "cookies/delete"), 400)

    def test_sessions(self):
        for body in ("{", "[]", {"value": 1}, {"key": 7, "value": 1}, {"key": "k"}, {"key": "", "value": 1},
                     {"key": "_auth_user_id", "value": "1"}, {"key": "k", "value": 1, "extra": 2}):
            self.assertError(self.post("session/set", body), 400)
        self.assertError(self.client.get(BASE + "session/get?key=_session_expiry"), 400)
        for seconds in ("60", -1, 1.5, 10 ** 12, None, True):
            self.assertError(self.post("session/expiry", {"seconds": seconds}), 400)
        for body in ({}, {"user": ""}, {"user": 5}, {"user": "x" * 151}):
            self.assertError(self.post("session/login", body), 400)

    def test_cache(self):
        self.assertError(self.post("cache/nosuch/get", {"key": "k"}), 404)
        self.assertError(self.post("cache/default/frobnicate", {}), 404)
        self.assertError(self.post("cache/default/incr", {"key": "never-set"}), 404)
        self.assertEqual(self.post("cache/default/get", {"key": "never-set"}).json(), {"found": False, "value": None})
        for op, body in (("set", '{"key": "k", "value": 1'), ("set", "[1]"), ("set", {"key": 7, "value": 1}),
                         ("set", {"value": 1}), ("set", {"key": "k", "value": 1, "ttl": 5}),
                         ("set", {"key": "k", "value": 1, "timeout": 1.5}), ("set", {"key": "k", "value": 1, "timeout": "5"}),
                         ("set", {"key": "has space", "value": 1}), ("set", {"key": "x" * 300, "value": 1}),
                         ("get_many", {"keys": "k"}), ("set_many", {"values": [1]}), ("incr", {"key": "k", "delta": "one"}),
                         ("set", '{"key": "k", "value": NaN}')):
            self.assertError(self.post("cache/default/" + op, body), 400)
        self.post("cache/default/set", {"key": "word", "value": "abc"})
        self.assertError(self.post("cache/default/incr", {"key": "word"}), 400)

    def test_views(self):
        for q in ("", "?ttl=0", "?ttl=-1", "?ttl=1.5", "?ttl=abc", "?ttl=%d" % (api.MAX_SECONDS + 1)):
            self.assertError(self.client.get(BASE + "views/cached" + q), 400)
        self.assertError(self.client.get(BASE + "views/fragment"), 400)
        self.assertError(self.client.get(BASE + "views/fragment?user=u&ttl=0"), 400)

    def test_resources(self):
        put = lambda path: self.client.put(BASE + path, b"x", content_type="text/plain")  # noqa: E731
        self.assertError(put("resources/bad%20id"), 400)
        self.assertError(put("resources/" + "a" * 201), 400)
        for q in ("validators=some", "max_age=-1", "max_age=soon", "expires=2", "weak=yes", "cache_control=no%20store",
                  "cache_control=max-age=5"):
            self.assertError(put("resources/r1?" + q), 400)
        self.assertError(self.client.get(BASE + "resources/never-put"), 404)
        self.assertError(self.client.delete(BASE + "resources/never-put"), 404)
        with self.settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10):
            self.assertError(self.client.put(BASE + "resources/big", b"x" * 11, content_type="text/plain"), 413)
            self.assertError(self.post("session/set", {"key": "k", "value": "0123456789"}), 413)
        self.assertEqual(put("resources/r2").status_code, 201)
        self.assertEqual(put("resources/r2").status_code, 200)
