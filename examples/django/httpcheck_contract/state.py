"""Where the adapter keeps its own state: the resources and the render counters.

By default in this process's memory, which is right for one process (the
demo, runserver, one gunicorn worker). A deployment of several processes or
machines must share it, or a PUT reaches one worker and the GET another:
HTTPCHECK_CONTRACT_STATE_CACHE names a cache alias they share (Redis,
memcached, database, or file-based on one machine). Give it an alias of its
own, not one of HTTPCHECK_CONTRACT_CACHES: the cache checks clear those.
"""

import hashlib
import threading

from django.conf import settings
from django.core.cache import caches

_PREFIX = "httpcheck_contract:"


class _Memory:
    """A dict with a lock; at most `limit` resources, counters reset at 100,000."""

    limit = 10000

    def __init__(self):
        self._lock = threading.Lock()
        self._values = {}
        self._counters = {}

    def get(self, key):
        with self._lock:
            return self._values.get(key)

    def put(self, key, value):
        """Stores value; False when the store is full and key is new."""
        with self._lock:
            if key not in self._values and len(self._values) >= self.limit:
                return False
            self._values[key] = value
            return True

    def delete(self, key):
        with self._lock:
            return self._values.pop(key, None) is not None

    def incr(self, key):
        with self._lock:
            if key not in self._counters and len(self._counters) >= 100000:
                self._counters.clear()
            self._counters[key] = self._counters.get(key, 0) + 1
            return self._counters[key]


class _Cache:
    """The same in a shared cache alias: entries never expire (the cache may
    still cull them), counters are add() then incr()."""

    limit = None

    def __init__(self, alias):
        self.alias = alias

    @property
    def _c(self):
        return caches[self.alias]

    @staticmethod
    def _key(kind, key):
        return _PREFIX + kind + ":" + hashlib.sha256(repr(key).encode("utf-8")).hexdigest()

    def get(self, key):
        return self._c.get(self._key("v", key))

    def put(self, key, value):
        self._c.set(self._key("v", key), value, None)
        return True

    def delete(self, key):
        return bool(self._c.delete(self._key("v", key)))

    def incr(self, key):
        k = self._key("n", key)
        self._c.add(k, 0, None)
        try:
            return self._c.incr(k)
        except ValueError:  # culled in between
            self._c.add(k, 1, None)
            return 1


_memory = _Memory()


def store():
    alias = getattr(settings, "HTTPCHECK_CONTRACT_STATE_CACHE", None)
    return _Cache(alias) if alias else _memory
