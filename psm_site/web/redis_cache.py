"""Django's Redis cache backend, keeping one redis-py client rather than making one per call.

Django's backend makes a new `redis.Redis` client for every cache call, and redis-py builds
hundreds of response callbacks each time it makes one: about 0.5 ms a call, three times on every
page the cache serves. The client holds no connection of its own (its pool does, and the pool
starts again in a new process), so one can be kept and shared.

Django offers no option for this. `get_client` is the method its source names for a custom client
to override, and the override calls only that public method; the backend's one private name used
is `_class`, the client class it builds, for which it has no option. With one server (this site's
case) the first client is kept; with several (read replicas) each call picks a server, so
Django's own behaviour is left alone. Timeouts and the like are the backend's public OPTIONS
(psm_site/settings.py). Checked against Django 5.2 (tests/site/test_cache_outage.py).
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _KeptClient(RedisCacheClient):
    def __init__(self, servers, *args, **kwargs):
        super().__init__(servers, *args, **kwargs)
        self._kept = None if len(servers) == 1 else False  # False: never keep one

    def get_client(self, key=None, *, write=False):
        if self._kept is False:
            return super().get_client(key, write=write)
        if self._kept is None:
            self._kept = super().get_client(key, write=write)
        return self._kept


class KeptClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClient
