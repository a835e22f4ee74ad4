"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's backend makes a new `redis.Redis` client for every cache call, and redis-py builds
hundreds of response callbacks each time it makes one: about 0.5 ms a call, three times on every
page the cache serves. The client holds no connection of its own (its pool does, and the pool
starts again in a new process), so one can be kept and shared.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _KeptClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class KeptClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClients
