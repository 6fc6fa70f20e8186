"""CPU-heavy work off the eventlet hub: argon2 hashes, Pillow's re-encoding, pypdf's rewriting, QR
posters and spreadsheet exports.

A nameko process runs every worker as a green thread on one OS thread: a worker computing for a
second stops every other one (the gateway's ``/health``, the directory's other calls) for that
second. ``offloaded(work, ...)`` runs ``work`` in eventlet's pool of real threads (``eventlet.tpool``)
while the calling green thread waits and the others go on; argon2-cffi and Pillow's codecs release
the GIL, so two such jobs really use two cores.

The pool's threads run at a lower priority (``nice`` +10, Linux): when the cores are busy, the event
loop's thread is scheduled first, so the process keeps answering while it computes (argon2's own lane
threads inherit it).

Per process at most ``CPU_WORK_THREADS`` jobs run at once and at most ``CPU_WORK_QUEUE`` more wait
for a turn; one more is refused at once with ``TooBusy`` (429 with Retry-After), never queued without
end. The queue stays below a service's ``max_workers`` (10) so that waiting jobs can never hold every
worker: a health check or a read still finds one free.
"""
import os

from eventlet import patcher, tpool
from eventlet.semaphore import Semaphore

from shared.errors import TooBusy

DEFAULT_THREADS = 2
DEFAULT_QUEUE = 4
LOWER_PRIORITY = 10
_threads = patcher.original("threading")
_lowered = _threads.local()


def lowered(work, *args, **kwargs):
    """``work`` run at the pool's lower priority (set once per thread; a thread may always lower its own)."""
    if not getattr(_lowered, "done", False) and hasattr(os, "setpriority"):
        os.setpriority(os.PRIO_PROCESS, _threads.get_native_id(), LOWER_PRIORITY)
        _lowered.done = True
    return work(*args, **kwargs)


class CpuPool:
    """At most ``threads`` jobs running and ``queue`` waiting; called from green threads of the hub."""

    def __init__(self, threads, queue):
        self.threads, self.queue = threads, queue
        self.running = Semaphore(threads)
        self.admitted = 0

    def run(self, work, *args, **kwargs):
        # Green threads switch only when they wait, so this check and the count below cannot interleave.
        if self.admitted >= self.threads + self.queue:
            raise TooBusy("too much work at once; try again in a moment")
        self.admitted += 1
        try:
            with self.running:
                return tpool.execute(lowered, work, *args, **kwargs)
        finally:
            self.admitted -= 1


CPU = CpuPool(int(os.environ.get("CPU_WORK_THREADS", DEFAULT_THREADS)),
              int(os.environ.get("CPU_WORK_QUEUE", DEFAULT_QUEUE)))


def offloaded(work, *args, **kwargs):
    """``work(*args, **kwargs)`` computed in this process's pool (``CPU``), or ``TooBusy``."""
    return CPU.run(work, *args, **kwargs)
