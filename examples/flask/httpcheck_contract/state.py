"""Where the adapter keeps its own state: the resources and the render counters.

By default in this process's memory, which is right for one process (the
demo, flask run, one gunicorn worker). A deployment of several processes or
machines must share it, or a PUT reaches one worker and the GET another:
give blueprint(state_cache=...) a Flask-Caching Cache they all reach (Redis,
memcached, or FileSystemCache on one machine), one of its own, since the
cache checks clear the aliases they are given.
"""

import hashlib
import threading
from collections import OrderedDict

_PREFIX = "httpcheck_contract:"


class Memory:
    """At most `limit` resources, forgetting the one put longest ago; the
    counters restart from zero once 100,000 of them exist."""

    limit = 10000

    def __init__(self):
        self._lock = threading.Lock()
        self._values = OrderedDict()
        self._counters = {}

    def get(self, key):
        with self._lock:
            return self._values.get(key)

    def put(self, key, value):
        with self._lock:
            self._values.pop(key, None)
            self._values[key] = value
            while len(self._values) > self.limit:
                self._values.popitem(last=False)

    def delete(self, key):
        with self._lock:
            return self._values.pop(key, None) is not None

    def incr(self, key):
        with self._lock:
            if key not in self._counters and len(self._counters) >= 100000:
                self._counters.clear()
            self._counters[key] = self._counters.get(key, 0) + 1
            return self._counters[key]


class Shared:
    """The same in a Flask-Caching Cache: entries never expire (timeout 0),
    though the backend may cull them past its threshold."""

    def __init__(self, cache):
        self.cache = cache
        self._lock = threading.Lock()

    @staticmethod
    def _key(kind, key):
        return _PREFIX + kind + ":" + hashlib.sha256(repr(key).encode("utf-8")).hexdigest()

    def get(self, key):
        return self.cache.get(self._key("v", key))

    def put(self, key, value):
        self.cache.set(self._key("v", key), value, timeout=0)

    def delete(self, key):
        k = self._key("v", key)
        return self.cache.has(k) and bool(self.cache.delete(k))

    def incr(self, key):
        # Flask-Caching's inc would give the counter the default timeout;
        # across processes this read-and-write may lose a count.
        k = self._key("n", key)
        with self._lock:
            n = (self.cache.get(k) or 0) + 1
            self.cache.set(k, n, timeout=0)
            return n
