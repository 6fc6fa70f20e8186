"""The world the authorization matrix acts in: the coordinator, member agencies A (the owner),
B (a stranger to A's resources) and C (a third party where an operation needs one), and the
factories that make, through the API, the resource a path parameter names.

A factory makes a resource on which A is the agency entitled to act, in the state the operation
acts on (an item to withdraw is a proposal, a delivery to replay has failed). Factories and bodies
are looked up by name; the matrix fails when an operation needs one that is missing here.
"""
import base64
import io
import itertools
import time
import uuid
from datetime import datetime, timedelta, timezone

import requests
from PIL import Image

from bakohumas.harness import Api, free_port
from tests.clock import wall_now

CATEGORY = "infrastruktur"  # seeded by the complaints service's migrations
FUTURE = datetime(2031, 3, 3, 1, 0, tzinfo=timezone.utc)
PAST = datetime(2021, 3, 1, 1, 0, tzinfo=timezone.utc)


def eventually(attempt, done, timeout=30, interval=0.3):
    """Repeat ``attempt()`` until ``done(answer)``: agencies reach each service by events, so a
    freshly registered agency is briefly unknown to calendar, distribution and complaints."""
    deadline = time.monotonic() + timeout
    while True:
        answer = attempt()
        if done(answer):
            return answer
        if time.monotonic() > deadline:
            detail = getattr(answer, "text", answer)
            raise AssertionError(f"not done within {timeout}s: {detail}")
        time.sleep(interval)


def succeeded(response):
    return response.status_code < 300


def created(attempt, timeout=30):
    """The JSON of a create that may need to wait for an agency to be known."""
    return eventually(attempt, succeeded, timeout).json()


class Form(dict):
    """A body sent form-encoded (Open311) rather than as JSON."""


class Upload(bytes):
    """A body sent as a file of its own type (the member list, a CSV) rather than as JSON."""
    content_type = "text/csv"


class World:
    def __init__(self, stack):
        self.url = stack.url
        made = stack.bootstrap()
        self.coordinator = self.client(made["api_key"], made["agency_id"])
        self.a, self.b, self.c = (self.register(tag) for tag in ("A", "B", "C"))
        self.keys = {"coordinator": made["api_key"], "A": self.a.key, "B": self.b.key}
        spare = self.ok(self.coordinator.post(f"/api/v1/agencies/{self.a.agency_id}/keys", json={"label": "spare"}))
        assert Api(self.url, spare["api_key"]).get("/api/v1/me").status_code == 200
        self.ok(self.coordinator.delete(f"/api/v1/agencies/{self.a.agency_id}/keys/{spare['id']}"))
        self.keys["revoked"] = spare["api_key"]
        self.reporter_secrets = {}
        self.shared = {}  # by operation: the path parameters of the calls refused at the gateway
        self.serial = itertools.count(1)
        self.unreachable_hook = f"http://127.0.0.1:{free_port()}/hook"

    def client(self, key, agency_id):
        client = Api(self.url, key)
        client.agency_id, client.key = agency_id, key
        return client

    @staticmethod
    def ok(response):
        assert response.status_code < 300, f"{response.request.method} {response.request.url}: {response.text}"
        return response.json()

    def register(self, tag, kind="opd"):
        agency = self.ok(self.coordinator.post("/api/v1/agencies", json={
            "name": f"Dinas Matriks {tag}", "short_name": f"MTX-{tag}-{uuid.uuid4().hex[:6].upper()}",
            "kind": kind}))
        key = self.ok(self.coordinator.post(f"/api/v1/agencies/{agency['id']}/keys", json={"label": "matrix"}))
        return self.client(key["api_key"], agency["id"])

    def unique(self):
        return next(self.serial)

    # --- calendar ------------------------------------------------------------------------------

    def calendar_item(self, lead, supporting=(), state="scheduled", past=False):
        """An item of ``lead``'s in a slot of its own (so that scheduling never clashes)."""
        start = (PAST if past else FUTURE) + timedelta(hours=3 * self.unique())
        item = created(lambda: lead.post("/api/v1/calendar/items", json={
            "kind": "forum", "title": "Rapat koordinasi kehumasan", "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(), "timezone": "Asia/Makassar",
            "supporting_agency_ids": [agency.agency_id for agency in supporting]}))
        if state == "scheduled":
            self.ok(self.coordinator.post(f"/api/v1/calendar/items/{item['id']}/schedule", json={}))
        return item["id"]

    # --- distribution --------------------------------------------------------------------------

    def content(self, author, published=False, co_issuers=(), kind="news"):
        body = {"type": kind, "headline": "Siaran pers kegiatan forum", "language": "id",
                "co_issuers": [agency.agency_id for agency in co_issuers]}
        if kind == "clarification":
            body["claim"] = {"text": "Kabar bohong tentang jalan tol"}
        item = created(lambda: author.post("/api/v1/content", json=body))
        if published:
            self.ok(author.post(f"/api/v1/content/{item['id']}/publish", json={}))
        return item["id"]

    def subscription(self, owner):
        filters = {"types": ["clarification"], "agencies": [owner.agency_id]}
        made = owner.post("/api/v1/subscriptions", json={"url": self.unreachable_hook, "filters": filters})
        return self.ok(made)["id"]

    def failed_delivery(self, owner, subscription_id):
        """A clarification reaches the subscription's unreachable hook; one attempt fails it."""
        self.content(owner, published=True, kind="clarification")
        return eventually(lambda: owner.get(f"/api/v1/subscriptions/{subscription_id}/deliveries?state=failed"),
                          lambda response: response.ok and response.json()["items"]).json()["items"][0]["id"]

    def amplification(self, author, asked):
        item_id = self.content(author, published=True)
        deadline = (wall_now() + timedelta(days=2)).isoformat()
        return created(lambda: author.post(f"/api/v1/content/{item_id}/amplification-requests", json={
            "deadline": deadline, "members": [agency.agency_id for agency in asked]}))["id"]

    # --- complaints ----------------------------------------------------------------------------

    def file_complaint(self, target=None, files=()):
        accepted = self.ok(requests.post(self.url + "/api/v1/complaints", timeout=15, json={
            "channel": "qr", "text": "Jalan berlubang di depan pasar", "category": CATEGORY,
            "anonymous": True, "target_agency_id": (target or self.a).agency_id, "files": list(files)}))
        self.reporter_secrets[accepted["tracking_number"]] = accepted["reporter_secret"]
        return accepted["tracking_number"]

    def complaint_of(self, handler, files=()):
        """A complaint with ``handler``, filed by a citizen at its desk (QR code), with ``files``.

        Until the complaints service knows the agency, such a complaint goes to triage: the
        coordinator assigns it then (what it does for every complaint in triage)."""
        number = self.file_complaint(handler, files)
        found = eventually(lambda: self.coordinator.get("/api/v1/complaints", params={"limit": 500}),
                           lambda response: any(c["tracking_number"] == number for c in response.json()["complaints"]))
        complaint = next(c for c in found.json()["complaints"] if c["tracking_number"] == number)
        if complaint["agency_id"] != handler.agency_id:
            for status, extra in (("verified", {}), ("assigned", {"agency_id": handler.agency_id})):
                self.ok(self.coordinator.post(f"/api/v1/complaints/{complaint['id']}/status",
                                              json={"status": status, **extra}))
        return complaint["id"]

    def forwarded_complaint(self, holder, to):
        complaint_id = self.complaint_of(holder)
        self.ok(holder.post(f"/api/v1/complaints/{complaint_id}/forward",
                            json={"to_agency_id": to.agency_id, "reason": "bukan wewenang kami"}))
        return complaint_id

    def category(self):
        return self.ok(self.coordinator.post("/api/v1/complaints/categories", json={
            "code": f"matriks_{self.unique()}_{uuid.uuid4().hex[:6]}", "name_id": "Kategori uji",
            "name_en": "Test category"}))["code"]

    def rule_body(self):
        return {"category": CATEGORY, "region_code": "99.99", "agency_id": self.c.agency_id}

    # --- information requests ------------------------------------------------------------------

    def information_request(self, holder):
        """A request to ``holder`` filed at its desk (with its key): ``(id, registration number)``."""
        number = created(lambda: holder.post("/api/v1/information/requests",
                                             json=information_body(holder.agency_id)))["registration_number"]
        listed = self.ok(holder.get("/api/v1/information/requests", params={"limit": 500}))["requests"]
        return next(r["id"] for r in listed if r["registration_number"] == number), number

    def refused_request(self, holder):
        request_id, number = self.information_request(holder)
        self.ok(holder.post(f"/api/v1/information/requests/{request_id}/decision", json=REFUSAL))
        return request_id, number

    def objected_request(self, holder, answered=False):
        request_id, number = self.refused_request(holder)
        self.ok(requests.post(f"{self.url}/api/v1/information/track/{number}/objection", timeout=15, json={
            "identity_number": IDENTITY_NUMBER, "grounds": ["refused"], "reason": "Informasi ini terbuka"}))
        if answered:
            self.ok(holder.post(f"/api/v1/information/requests/{request_id}/objection/answer",
                                json={"outcome": "dismissed", "answer": "Tetap dikecualikan"}))
        return request_id

    def forwarded_request(self, holder, to):
        request_id, _ = self.information_request(holder)
        self.ok(holder.post(f"/api/v1/information/requests/{request_id}/forward",
                            json={"to_agency_id": to.agency_id, "reason": "Data itu dipegang instansi lain"}))
        return request_id

    def dip_entry(self, owner):
        return created(lambda: owner.post("/api/v1/information/dip", json={
            "class": "berkala", "title": f"Laporan keuangan {self.unique()}"}))["id"]


IDENTITY_NUMBER = "7372010190010001"
REFUSAL = {"decision": "refused", "note": "Dikecualikan",
           "exemption": {"article": "h", "consequence_test": "Membuka data pribadi pegawai"}}


def information_body(agency_id):
    return {"agency_id": agency_id, "identity_number": IDENTITY_NUMBER,
            "requester": {"name": "Pemohon Matriks", "address": "Jl. Matriks 1", "email": "pemohon@example.org"},
            "information": "Daftar anggaran kehumasan", "purpose": "Penelitian", "obtain": "soft_copy",
            "delivery": "email"}


# --- path parameters: name -> factory(world, operation, params so far) ---------------------------

def agency_id(world, operation, params):
    method, path = operation
    if "/accounts" in path:
        return world.a.agency_id
    if path.endswith("/deactivate"):
        return world.register(f"D{world.unique()}").agency_id
    if path.endswith("/reactivate"):
        throwaway = world.register(f"R{world.unique()}").agency_id
        world.ok(world.coordinator.post(f"/api/v1/agencies/{throwaway}/deactivate"))
        return throwaway
    return world.a.agency_id


def key_id(world, operation, params):
    issued = world.coordinator.post(f"/api/v1/agencies/{world.a.agency_id}/keys", json={"label": "matrix"})
    return world.ok(issued)["id"]


def account_id(world, operation, params):
    """A person of A's, invited (by the coordinator) for the call to act on."""
    return world.ok(world.coordinator.post(f"/api/v1/agencies/{world.a.agency_id}/accounts", json={
        "name": "Petugas Matriks", "email": f"petugas-{uuid.uuid4().hex[:8]}@matriks.example.go.id"}))["account"]["id"]


def item_id(world, operation, params):
    """``item_id`` names a content item under /content and a calendar item under /calendar."""
    method, path = operation
    if path.startswith("/api/v1/content/"):
        if path.endswith("/approve"):  # C's joint release with A, awaiting A's approval
            return world.content(world.c, co_issuers=[world.a])
        published = path.endswith(("/correct", "/withdraw", "/amplification-requests"))
        return world.content(world.a, published=published)
    if path.endswith("/participation"):  # C leads, A supports and answers for its part
        return world.calendar_item(world.c, supporting=[world.a])
    if path.endswith(("/schedule", "/decline", "/withdraw")):
        return world.calendar_item(world.a, state="proposed")
    return world.calendar_item(world.a, past=path.endswith("/held"))


def subscription_id(world, operation, params):
    return world.subscription(world.a)


def delivery_id(world, operation, params):
    return world.failed_delivery(world.a, params["subscription_id"])


def request_id(world, operation, params):
    """An amplification request, or (Open311) a service request, i.e. a complaint."""
    method, path = operation
    if path.startswith("/api/v1/information/"):
        if path.endswith(("/forward/accept", "/forward/refuse")):  # C proposes A as the holder
            return world.forwarded_request(world.c, to=world.a)
        if path.endswith(("/objection/answer", "/commission")):
            return world.objected_request(world.a, answered=path.endswith("/commission"))
        return world.information_request(world.a)[0]
    if path.startswith("/open311/"):
        return world.complaint_of(world.a)
    if path.endswith("/responses"):  # C asks A to re-share C's item
        return world.amplification(world.c, asked=[world.a])
    return world.amplification(world.a, asked=[world.c])


def a_photo():
    """A small PNG as the JSON intake takes a file."""
    output = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(output, "PNG")
    return {"filename": "foto.png", "content_type": "image/png", "data": base64.b64encode(output.getvalue()).decode()}


def complaint_id(world, operation, params):
    method, path = operation
    if path.endswith(("/forward/accept", "/forward/refuse")):  # C proposes A as the agency in charge
        return world.forwarded_complaint(world.c, to=world.a)
    if "/attachments/" in path:
        return world.complaint_of(world.a, files=[a_photo()])
    return world.complaint_of(world.a)


def registration_number(world, operation, params):
    if operation[1].endswith("/objection"):
        return world.refused_request(world.a)[1]
    return world.information_request(world.a)[1]


def attachment_id(world, operation, params):
    return world.ok(world.coordinator.get(f"/api/v1/complaints/{params['complaint_id']}"))["files"][0]["id"]


def tracking_number(world, operation, params):
    return world.file_complaint()


def feed_token(world, operation, params):
    return created(lambda: world.a.post(f"/api/v1/calendar/agencies/{world.a.agency_id}/feed-link"))["token"]


def rule_id(world, operation, params):
    return world.ok(world.coordinator.post("/api/v1/complaints/rules", json=world.rule_body()))["id"]


FACTORIES = {
    "agency_id": agency_id,
    "key_id": key_id,
    "account_id": account_id,
    "item_id": item_id,
    "subscription_id": subscription_id,
    "delivery_id": delivery_id,
    "request_id": request_id,
    "complaint_id": complaint_id,
    "attachment_id": attachment_id,
    "door": lambda world, operation, params: "qr",
    "tracking_number": tracking_number,
    "registration_number": registration_number,
    "entry_id": lambda world, operation, params: world.dip_entry(world.a),
    "token": lambda world, operation, params: (world.file_complaint() if operation[1].startswith("/open311/")
                                              else feed_token(world, operation, params)),
    "code": lambda world, operation, params: world.category(),
    "service_code": lambda world, operation, params: CATEGORY,
    "rule_id": rule_id,
}


def in_two_hours():
    start = FUTURE + timedelta(days=400)
    return {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}


# --- bodies of writes, by "METHOD /path": a body, a callable(world, params) -> body, or None
# (the operation takes no body). A valid body makes the service reach its authorization check.

BODIES = {
    # Signed by Meta with the app secret, not a key: without WHATSAPP_APP_SECRET the door is closed (404).
    "POST /webhooks/whatsapp": None,
    "POST /api/v1/agencies": lambda world, params: {
        "name": "Kantor Imigrasi Parepare", "short_name": f"IMI-{uuid.uuid4().hex[:6]}", "kind": "imigrasi"},
    "PATCH /api/v1/agencies/{agency_id}": {"channels": {"instagram": "@humas_matriks"}},
    "POST /api/v1/agencies/import": Upload(b"Nama instansi,Singkatan,Jenis,Kode wilayah\n"
                                           b"Dinas Uji Matriks,MATRIKS-UJI,opd,73.72\n"),
    "POST /api/v1/agencies/{agency_id}/deactivate": None,
    "POST /api/v1/agencies/{agency_id}/reactivate": None,
    "POST /api/v1/agencies/{agency_id}/keys": {"label": "matrix"},
    "DELETE /api/v1/agencies/{agency_id}/keys/{key_id}": None,
    "POST /api/v1/agencies/{agency_id}/accounts": lambda world, params: {
        "name": "Petugas Matriks", "email": f"petugas-{uuid.uuid4().hex[:8]}@matriks.example.go.id"},
    "POST /api/v1/agencies/{agency_id}/accounts/{account_id}/deactivate": None,
    "POST /api/v1/agencies/{agency_id}/accounts/{account_id}/invite": None,

    "POST /api/v1/calendar/items": lambda world, params: {
        "kind": "media_visit", "title": "Kunjungan media", "timezone": "Asia/Jakarta",
        **{field: (FUTURE + timedelta(days=800, hours=3 * world.unique() + hours)).isoformat()
           for field, hours in (("start", 0), ("end", 1))}},
    "PATCH /api/v1/calendar/items/{item_id}": {"title": "Rapat koordinasi kehumasan (ruang baru)"},
    "POST /api/v1/calendar/items/{item_id}/schedule": {},
    "POST /api/v1/calendar/items/{item_id}/decline": {"reason": "bentrok dengan agenda pimpinan"},
    "POST /api/v1/calendar/items/{item_id}/withdraw": {"reason": "ditunda"},
    "POST /api/v1/calendar/items/{item_id}/cancel": {"reason": "pimpinan berhalangan"},
    "POST /api/v1/calendar/items/{item_id}/held": None,
    "POST /api/v1/calendar/items/{item_id}/participation": {"response": "confirmed"},
    "POST /api/v1/calendar/agencies/{agency_id}/feed-link": None,

    "POST /api/v1/content": {"type": "news", "headline": "Berita kegiatan", "language": "id"},
    "PATCH /api/v1/content/{item_id}": {"headline": "Berita kegiatan (revisi)"},
    "POST /api/v1/content/{item_id}/approve": {"version": 1},
    "POST /api/v1/content/{item_id}/publish": {},
    "POST /api/v1/content/{item_id}/correct": {"change_note": "nama pejabat diperbaiki"},
    "POST /api/v1/content/{item_id}/withdraw": {"reason": "terkirim sebelum waktunya"},
    "POST /api/v1/content/{item_id}/amplification-requests": lambda world, params: {
        "deadline": (wall_now() + timedelta(days=1)).isoformat(), "members": [world.c.agency_id]},
    "POST /api/v1/amplification-requests/{request_id}/responses": {"url": "https://instagram.com/p/matriks"},
    "POST /api/v1/subscriptions": lambda world, params: {
        "url": world.unreachable_hook, "filters": {"types": ["infographic"], "language": "en"}},
    "POST /api/v1/subscriptions/{subscription_id}/rotate-secret": None,
    "DELETE /api/v1/subscriptions/{subscription_id}": None,
    "POST /api/v1/subscriptions/{subscription_id}/deliveries/{delivery_id}/replay": None,

    "POST /api/v1/complaints": {"channel": "web", "text": "Lampu jalan mati", "category": CATEGORY,
                                "anonymous": True},
    "POST /api/v1/complaints/track/{tracking_number}": lambda world, params: {
        "reporter_secret": world.reporter_secrets[params["tracking_number"]], "action": "confirm"},
    "POST /api/v1/complaints/categories": lambda world, params: {
        "code": f"baru_{uuid.uuid4().hex[:8]}", "name_id": "Kategori baru", "name_en": "New category"},
    "PATCH /api/v1/complaints/categories/{code}": {"name_en": "Renamed category"},
    "DELETE /api/v1/complaints/categories/{code}": None,
    "POST /api/v1/complaints/rules": lambda world, params: world.rule_body(),
    "PUT /api/v1/complaints/rules/{rule_id}": lambda world, params: world.rule_body(),
    "DELETE /api/v1/complaints/rules/{rule_id}": None,
    "POST /api/v1/complaints/{complaint_id}/status": {"status": "verified"},
    "POST /api/v1/complaints/{complaint_id}/notes": {"text": "Sedang kami periksa.", "visibility": "internal"},
    "POST /api/v1/complaints/{complaint_id}/forward": lambda world, params: {
        "to_agency_id": world.c.agency_id, "reason": "bukan wewenang kami"},
    "POST /api/v1/complaints/{complaint_id}/forward/accept": {},
    "POST /api/v1/complaints/{complaint_id}/forward/refuse": {"reason": "bukan wewenang kami juga"},
    "POST /api/v1/complaints/{complaint_id}/forward/decide": lambda world, params: {
        "agency_id": world.c.agency_id, "reason": "diputuskan koordinator"},
    "POST /api/v1/information/requests": lambda world, params: information_body(world.a.agency_id),
    "POST /api/v1/information/track/{registration_number}/objection": {
        "identity_number": IDENTITY_NUMBER, "grounds": ["refused"], "reason": "Informasi ini terbuka"},
    "POST /api/v1/information/requests/{request_id}/extend": {"reason": "Dokumen di arsip pusat"},
    "POST /api/v1/information/requests/{request_id}/decision": REFUSAL,
    "POST /api/v1/information/requests/{request_id}/forward": lambda world, params: {
        "to_agency_id": world.c.agency_id, "reason": "Data itu dipegang instansi lain"},
    "POST /api/v1/information/requests/{request_id}/forward/accept": {},
    "POST /api/v1/information/requests/{request_id}/forward/refuse": {"reason": "Kami juga tidak memegangnya"},
    "POST /api/v1/information/requests/{request_id}/objection/answer": {
        "outcome": "dismissed", "answer": "Tetap dikecualikan"},
    "POST /api/v1/information/requests/{request_id}/commission": lambda world, params: {
        "filed_on": wall_now().isoformat(), "outcome": "pending"},
    "POST /api/v1/information/dip": {"class": "berkala", "title": "Laporan keuangan"},
    "PATCH /api/v1/information/dip/entries/{entry_id}": {"title": "Laporan keuangan (revisi)"},
    "DELETE /api/v1/information/dip/entries/{entry_id}": None,
    "POST /open311/v2/requests.json": Form(service_code=CATEGORY, description="Saluran air tersumbat"),
}

# --- required query parameters of reads, by "METHOD /path"

QUERIES = {
    "GET /api/v1/calendar/days": lambda world: {"from": in_two_hours()["start"], "to": in_two_hours()["end"]},
    "GET /api/v1/calendar/clashes": lambda world: {**in_two_hours(), "agencies": world.a.agency_id},
    "GET /api/v1/calendar/free-slots": lambda world: {
        "from": in_two_hours()["start"], "to": in_two_hours()["end"], "duration_minutes": 30,
        "agencies": world.a.agency_id},
    "GET /api/v1/information/reports": lambda world: {"year": wall_now().year},
    "GET /api/v1/information/reports/export": lambda world: {"year": wall_now().year,
                                                             "format": "xlsx"},
    "GET /api/v1/information/reports/forum": lambda world: {"year": wall_now().year},
    "GET /api/v1/information/reports/forum/export": lambda world: {"year": wall_now().year},
}
