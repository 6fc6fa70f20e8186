"""The reporter's files: stored with the complaint, shown to those who may see the complaint and to
the reporter (with the secret). The gateway checked and cleaned them (``gateway/uploads.py``)."""
import uuid

from sqlalchemy import select

from services.complaints import schemas
from services.complaints.domain.visibility import reported_complaint, visible_complaint
from services.complaints.models import Attachment
from shared.errors import Conflict, NotFound
from shared.rules import load

# However many supplements, a complaint keeps at most this many files.
MAX_FILES_PER_COMPLAINT = 12


def loaded_attachments(raw):
    """The files of an intake message or a supplement, as sent (base64), loaded and checked."""
    return load(schemas.AttachmentsInput, {"attachments": raw or []})["attachments"]


def store_attachments(session, complaint, attachments, source, now):
    """Keep ``attachments`` (loaded ``schemas.AttachmentInput`` values) with ``complaint``."""
    kept = len(files_of(session, complaint.id))
    if kept + len(attachments) > MAX_FILES_PER_COMPLAINT:
        raise Conflict(f"a complaint keeps at most {MAX_FILES_PER_COMPLAINT} files",
                       {"attachments": [f"{MAX_FILES_PER_COMPLAINT - kept} more at most"]})
    for attachment in attachments:
        session.add(Attachment(id=str(uuid.uuid4()), complaint_id=complaint.id, filename=attachment["filename"],
                               content_type=attachment["content_type"], size=attachment["size"],
                               content=attachment["data"], source=source, added_at=now))


def files_of(session, complaint_id):
    """The complaint's files, oldest first, without loading their content."""
    return session.execute(select(Attachment.id, Attachment.filename, Attachment.content_type, Attachment.size,
                                  Attachment.source, Attachment.added_at)
                           .where(Attachment.complaint_id == complaint_id)
                           .order_by(Attachment.added_at, Attachment.id)).mappings().all()


def _attachment(session, complaint, attachment_id):
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.complaint_id != complaint.id:
        raise NotFound("no such attachment")
    return attachment


def get_attachment(session, actor, complaint_id, attachment_id):
    """One file of a complaint, for whoever may see the complaint (unknown and hidden look the same)."""
    return _attachment(session, visible_complaint(session, actor, complaint_id), attachment_id)


def reporter_attachment(session, tracking_number, secret, attachment_id):
    """One file of a complaint, for its reporter (the tracking number and the secret)."""
    return _attachment(session, reported_complaint(session, tracking_number, secret), attachment_id)
