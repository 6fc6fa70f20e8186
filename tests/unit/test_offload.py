"""The pool for CPU-heavy work (shared/offload.py): bounded, refusing when full, and the hub free
while a job computes. No wall-clock threshold: a job waits for an OS-thread event that only another
green thread sets, so it sees it set only if that green thread ran while the job was in the pool."""
import io
import os

import eventlet
import pytest
from eventlet import patcher
from PIL import Image
from pypdf import PdfWriter

from services.directory.domain import credentials
from services.information.domain import numbers
from shared import offload, uploads
from shared.errors import TooBusy

threading = patcher.original("threading")
# How long a job waits for the green thread before it gives up (a failure, never a pass).
PATIENCE = 30


def watching(work, seen):
    """``work`` as a job that first notes in ``seen`` whether a green thread spawned now (before the job
    is sent to the pool) ran while the job was in its OS thread: only a free hub runs it."""
    green_ran = threading.Event()
    eventlet.spawn_n(green_ran.set)

    def job(*args, **kwargs):
        seen.append(green_ran.wait(PATIENCE))
        return work(*args, **kwargs)

    return job


def held_job(release):
    def job():
        release.wait(PATIENCE)
        return "done"
    return job


def test_a_job_runs_while_other_green_threads_go_on():
    pool, seen = offload.CpuPool(threads=1, queue=0), []
    assert pool.run(watching(lambda: 6 * 7, seen)) == 42
    assert seen == [True]


def test_a_full_pool_refuses_at_once_and_takes_work_again_when_free():
    pool = offload.CpuPool(threads=1, queue=1)
    release = threading.Event()
    first = eventlet.spawn(pool.run, held_job(release))
    waiting = eventlet.spawn(pool.run, held_job(release))
    eventlet.sleep(0)
    assert pool.admitted == 2
    with pytest.raises(TooBusy) as refused:
        pool.run(lambda: "one too many")
    assert refused.value.status == 429
    release.set()
    assert first.wait() == "done" and waiting.wait() == "done"
    assert pool.admitted == 0 and pool.run(lambda: "again") == "again"


def test_no_more_than_the_pool_s_threads_compute_at_once():
    pool = offload.CpuPool(threads=2, queue=3)
    release, lock = threading.Event(), threading.Lock()
    inside, most = [0], [0]

    def job():
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        release.wait(PATIENCE)
        with lock:
            inside[0] -= 1

    jobs = [eventlet.spawn(pool.run, job) for _ in range(5)]
    eventlet.sleep(0.05)  # lets every green thread reach the pool; the assertion does not depend on it
    release.set()
    for each in jobs:
        each.wait()
    assert most[0] <= 2


def test_an_error_in_a_job_reaches_its_caller_and_frees_its_place():
    pool = offload.CpuPool(threads=1, queue=0)
    with pytest.raises(ValueError):
        pool.run(int, "not a number")
    assert pool.admitted == 0


@pytest.fixture
def watched_pool(monkeypatch):
    """The process's pool replaced by one whose jobs report whether the hub ran meanwhile."""
    seen = []

    class Watched(offload.CpuPool):
        def run(self, work, *args, **kwargs):
            return super().run(watching(work, seen), *args, **kwargs)

    monkeypatch.setattr(offload, "CPU", Watched(threads=1, queue=0))
    return seen


def test_password_hashes_and_checks_run_in_the_pool(watched_pool):
    stored = credentials.hash_password("kata-sandi-panjang")
    assert credentials.password_matches(stored, "kata-sandi-panjang")
    assert not credentials.password_matches(None, "kata-sandi-panjang")
    assert watched_pool == [True, True, True]


def test_identity_hashes_run_in_the_pool(watched_pool):
    stored = numbers.hash_identity("7372012345678901")
    assert numbers.identity_matches(stored, "7372012345678901")
    assert watched_pool == [True, True]


def test_a_full_pool_refuses_a_sign_in_check(monkeypatch):
    monkeypatch.setattr(offload, "CPU", offload.CpuPool(threads=0, queue=0))
    with pytest.raises(TooBusy):
        credentials.password_matches(None, "kata-sandi-panjang")


def test_photos_and_pdfs_are_cleaned_in_the_pool(watched_pool):
    photo, document = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 60)).save(photo, "JPEG")
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(document)
    uploads.checked_files([(photo.getvalue(), "foto.jpg", "image/jpeg"), (document.getvalue(), "surat.pdf", "")])
    assert watched_pool == [True, True]


def test_the_pool_s_threads_compute_at_a_lower_priority_than_the_event_loop():
    def niceness():
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    assert offload.CpuPool(threads=1, queue=0).run(niceness) == min(niceness() + offload.LOWER_PRIORITY, 19)
