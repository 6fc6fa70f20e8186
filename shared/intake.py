"""A complaint's intake, shared by the gateway (which gives the tracking number and queues the
complaint) and the complaints service (which stores it): tracking numbers, the reporter's secret,
the ``complaint.submitted`` message and what the reporter is told. Pure Python, no database.

Files (photos, documents) travel inside the intake message, base64-encoded, already checked and
re-encoded by the gateway (``gateway/uploads.py``): a complaint and its photos are queued, and
stored, together, even while the complaints service is down."""
import base64
import hashlib
import hmac
import json
import secrets

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# The reporter's secret code: 20 Crockford characters (100 bits) in five groups of four, to be
# written down and read back ("K7QM-3XDA-...").
SECRET_CODE_CHARACTERS = 20
SECRET_CODE_GROUP = 4
# The working days LAPOR! gives to verify a complaint and to follow it up (counted in the service).
VERIFY_WORKING_DAYS = 3
FOLLOW_UP_WORKING_DAYS = 5
# What a reporter may attach: at most 3 files of at most 5 MB each, of these types.
MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}
# Notes the system writes on a complaint's public history, in both languages ("<id> / <en>" as
# stored): the pages show the one of the page's language.
TRIAGE_NOTE = {"id": "menunggu triase koordinator", "en": "awaiting coordinator triage"}
SILENCE_NOTE = {"id": "ditutup otomatis tanpa tanggapan pelapor", "en": "closed after the reporter's silence"}
FORWARD_NOTE = {"id": "diteruskan ke instansi lain", "en": "forwarded to another agency"}
RECOUNT_NOTE = {"id": "batas waktu dihitung ulang: hari libur daerah forum berubah",
                "en": "deadlines counted again: the forum's local holidays changed"}


def bilingual(note):
    """How a system note is stored: both languages in one line."""
    return f"{note['id']} / {note['en']}"


SYSTEM_NOTES = {bilingual(note): note for note in (TRIAGE_NOTE, SILENCE_NOTE, FORWARD_NOTE, RECOUNT_NOTE)}


def crockford(bits, characters):
    """``bits`` as ``characters`` Crockford base32 characters (no I, L, O, U to misread)."""
    return "".join(CROCKFORD[(bits >> shift) & 31] for shift in range(5 * (characters - 1), -1, -5))


def in_groups(characters):
    return "-".join(characters[i:i + SECRET_CODE_GROUP] for i in range(0, len(characters), SECRET_CODE_GROUP))


def tracking_number_from(bits):
    """DUMAS-XXXX-XXXX-XXXX from 60 bits."""
    return f"DUMAS-{in_groups(crockford(bits, 12))}"


def new_tracking_number():
    return tracking_number_from(secrets.randbits(60))


def as_crockford(value):
    """What a person typed, read as Crockford base32: any case, O for 0, I/L for 1."""
    return value.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")


def normalise_tracking_number(value):
    return as_crockford(value).replace("DUMA5", "DUMAS")


def reporter_secret_from(bits):
    return in_groups(crockford(bits, SECRET_CODE_CHARACTERS))


def new_reporter_secret():
    return reporter_secret_from(secrets.randbits(5 * SECRET_CODE_CHARACTERS))


def secret_readings(typed):
    """The secrets a typed code may be: as typed (a secret issued before the grouped codes, where
    case and every character count) and, when it reads as a grouped code, that code as issued
    (whatever the case, spaces or dashes, and with O/0 and I/L/1 confused)."""
    readings = [typed]
    characters = "".join(as_crockford(typed).replace("-", "").split())
    if len(characters) == SECRET_CODE_CHARACTERS and all(c in CROCKFORD for c in characters):
        readings.append(in_groups(characters))
    return readings


def new_identity():
    """A fresh tracking number and reporter secret, for an intake sent without Idempotency-Key."""
    return new_tracking_number(), new_reporter_secret()


def keyed_identity(gateway_secret, idempotency_key, scope, body):
    """The tracking number and reporter secret of an intake sent with an Idempotency-Key.

    The gateway keeps no state, so a retried intake must get the same answer by derivation:
    HMAC-SHA256 under the gateway's secret of the operation-bound key, the caller's scope
    ("public" or the filing agency) and the canonical body. Without the secret neither can be
    guessed; another key, scope or body gives another complaint.
    """
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    material = "\n".join((idempotency_key, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()))

    def derive(purpose):
        return hmac.new(gateway_secret.encode("utf-8"), f"{purpose}\n{material}".encode("utf-8"),
                        hashlib.sha256).digest()

    number = tracking_number_from(int.from_bytes(derive("tracking-number")[:8], "big") >> 4)
    secret = reporter_secret_from(int.from_bytes(derive("reporter-secret")[:13], "big") >> 4)
    return number, secret


def secret_hash(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def attachment_payload(content, content_type, filename):
    """One checked file as the intake message (and ``supplement_complaint``) carries it."""
    return {"filename": filename, "content_type": content_type, "size": len(content),
            "data": base64.b64encode(content).decode("ascii")}


def intake_message(body, filed_by_agency_id, now, identity=None, attachments=()):
    """The ``complaint.submitted`` command for a validated intake body, with the reporter's
    tracking number and secret (``identity``, fresh ones when not given) and the checked files
    (``attachment_payload``). Only the secret's hash is sent; an anonymous complaint sends no
    identity at all."""
    tracking_number, secret = identity or new_identity()
    complaint = {name: value for name, value in body.items() if name != "reporter"}
    reporter = None if body.get("anonymous") else body.get("reporter")
    message = {"tracking_number": tracking_number, "reporter_secret_hash": secret_hash(secret),
               "submitted_at": now.isoformat(), "filed_by_agency_id": filed_by_agency_id,
               "complaint": complaint, "reporter": reporter, "attachments": list(attachments)}
    return message, tracking_number, secret


def next_steps(tracking_number, public_url):
    """What the reporter is told, linking to the tracking page under the configured public address."""
    page = f"{public_url}/lacak/{tracking_number}"
    return {
        "id": (f"Pengaduan Anda kami terima dengan nomor {tracking_number}. Pengaduan diverifikasi "
               f"paling lambat {VERIFY_WORKING_DAYS} hari kerja, lalu diteruskan ke instansi yang "
               f"berwenang, yang menindaklanjuti dalam {FOLLOW_UP_WORKING_DAYS} hari kerja. Pantau "
               f"statusnya di {page}; simpan kode rahasia pelapor untuk mengonfirmasi, membuka kembali "
               f"atau melengkapi pengaduan."),
        "en": (f"Your complaint is received as {tracking_number}. It is verified within "
               f"{VERIFY_WORKING_DAYS} working days, then passed to the agency in charge, which follows "
               f"up within {FOLLOW_UP_WORKING_DAYS} working days. Follow it at {page}; keep the reporter "
               f"secret to confirm, reopen or supplement it."),
        "tracking_url": page,
    }
