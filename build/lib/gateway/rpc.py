"""RPC from the gateway with a bound: a service that is down turns into 503, never a hang.

nameko 2's in-service RPC proxy waits forever; here each call waits at most
``RPC_TIMEOUT`` seconds, and the request message itself expires after that time so
a service that comes back later does not act on a request its caller gave up on.
"""
import eventlet
from kombu.exceptions import OperationalError
from nameko.exceptions import UnknownService
from nameko.extensions import DependencyProvider
from nameko.rpc import ReplyListener, ServiceProxy

from gateway.errors import service_unavailable
from gateway.observe import RPC_TIMEOUTS

DEFAULT_TIMEOUT = 5.0
# A stale pooled connection (e.g. after the broker restarted) gets two quick retries, not nameko's
# default of seconds of back-off: a caller waiting on the gateway should hear 503 fast instead.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2, "interval_max": 0.5}


class ServiceCalls(DependencyProvider):
    rpc_reply_listener = ReplyListener()

    def setup(self):
        self.timeout = float(self.container.config.get("RPC_TIMEOUT") or DEFAULT_TIMEOUT)

    def get_dependency(self, worker_ctx):
        return Caller(worker_ctx, self.rpc_reply_listener, self.timeout)


class Caller:
    def __init__(self, worker_ctx, reply_listener, timeout):
        self.worker_ctx = worker_ctx
        self.reply_listener = reply_listener
        self.timeout = timeout

    def start(self, service, method, *args, timeout=None, **kwargs):
        """Send the request; return a function that waits for its answer (for calls in parallel)."""
        timeout = timeout or self.timeout
        proxy = ServiceProxy(self.worker_ctx, service, self.reply_listener,
                             expiration=timeout, retry=True, retry_policy=PUBLISH_RETRY)
        try:
            reply = getattr(proxy, method).call_async(*args, **kwargs)
        except (UnknownService, OperationalError, OSError):
            RPC_TIMEOUTS.labels(service).inc()
            raise service_unavailable([service]) from None

        def result():
            try:
                with eventlet.Timeout(timeout):
                    return reply.result()
            except eventlet.Timeout:
                RPC_TIMEOUTS.labels(service).inc()
                raise service_unavailable([service]) from None

        return result

    def __call__(self, service, method, *args, timeout=None, **kwargs):
        return self.start(service, method, *args, timeout=timeout, **kwargs)()
