"""Pickers benchmark: with 3,000 agencies in the directory, the search a picker asks as one types,
as the public complaint form asks it (``/pilih/instansi?q=``) and as the console's htmx picker asks
it (signed in, the field's own parameter), and the API's ``GET /api/v1/agencies?q=``, at
concurrency 1 and 10, beside the nameko HTTP→RPC echo ceiling and the authenticated directory read
(``GET /api/v1/agencies/{id}``) of the same run. Target: each search answers within 2x the
directory read (its throughput at least 0.5x the read's).

The 3,000 agencies go straight into the directory's tables as the directory writes them (an agency
and the words of its names; its stored detail is built on the first read), the paths take turns for
several rounds in a rotating order and the table shows each path's median, as ``bench console`` does.
"""
import uuid
from datetime import datetime, timezone
from urllib.parse import quote

from bakohumas.harness import LocalStack
from bench.common import asked_once, rounds_beside_read, table
from bench.console import ADMIN_EMAIL, ECHO, READ, signed_in_cookie
from services.directory import models
from services.directory.domain.details import set_search_words
from shared.db import Store
from shared.schemas import name_key

AGENCIES = 3000
CONCURRENCY = (1, 10)
TARGET = 0.5
KINDS = ("opd", "polri", "tni", "kementerian", "bumn")


def seed(store):
    """AGENCIES agencies, named as a real forum's units are; answers the id of one near the end."""
    now = datetime.now(timezone.utc)
    with store.unit_of_work() as uow:
        for number in range(AGENCIES):
            short_name = f"UNIT-{number:04d}"
            agency = models.Agency(id=str(uuid.uuid4()), name=f"Kantor Pelayanan Wilayah {number:04d} Kecamatan "
                                   f"{('Soreang', 'Ujung', 'Bacukiki', 'Lapadde')[number % 4]}",
                                   short_name=short_name, short_name_key=name_key(short_name),
                                   kind=KINDS[number % len(KINDS)], role="member", active=True,
                                   region_code=f"73.72.{number % 40 + 1:02d}", created_at=now, updated_at=now)
            set_search_words(agency)
            uow.session.add(agency)
    with store.reading() as session:
        return session.query(models.Agency.id).filter_by(short_name="UNIT-2999").scalar()


def measure(seconds, rounds):
    stack = LocalStack().start()
    try:
        made = stack.bootstrap(admin_email=ADMIN_EMAIL)
        auth = {"Authorization": f"Bearer {made['api_key']}"}
        store = Store(f"sqlite:///{stack.data_dir / 'directory.db'}", models)
        last = seed(store)
        store.dispose()
        cookie = {"Cookie": signed_in_cookie(stack, made), "HX-Request": "true"}
        typed = quote("wilayah 2999")
        paths = {ECHO: (None, {}),
                 READ: (f"{stack.url}/api/v1/agencies/{last}", auth),
                 "GET /pilih/instansi?q= (public form)": (f"{stack.url}/pilih/instansi?untuk=instansi&q={typed}", {}),
                 "GET /pilih/instansi (console htmx)": (
                     f"{stack.url}/pilih/instansi?untuk=agency_id&jenis=radio&agency_id-cari={typed}", cookie),
                 "GET /api/v1/agencies?q=": (f"{stack.url}/api/v1/agencies?q={typed}&limit=10", auth)}
        asked_once(paths, lambda label, text: label == READ or last in text)
        rows = rounds_beside_read(paths, CONCURRENCY, seconds, rounds, ECHO, READ, TARGET)
    finally:
        stack.stop()
    return rows


def main(options):
    seconds, rounds = (3, 1) if "--quick" in options else (4, 3)
    rows = measure(seconds, rounds)
    print(f"{AGENCIES:,} agencies; median of {rounds} round(s) of {seconds} s per path; target: each search "
          f">= {TARGET}x the directory read's throughput (answers within 2x)")
    table(rows, ["path", "c", "rps", "p50_ms", "p99_ms", "non_2xx", "x echo", "x read", "target"])
