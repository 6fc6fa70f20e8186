"""The gateway's side of a reporter's files: the JSON API's uploads checked and cleaned (the checks
themselves are ``shared.uploads``, which the notifications service uses too), and a stored file served.
"""
import base64

from werkzeug.wrappers import Response

from shared.uploads import checked_files


def checked_uploads(uploads):
    """The JSON API's ``files`` (``schemas.UploadInput``, validated: base64 data) checked and cleaned."""
    return checked_files([(base64.b64decode(upload["data"]), upload["filename"], upload.get("content_type") or "")
                          for upload in uploads or ()])


def attachment_response(attachment):
    """One stored file as a download: never shown inline, never sniffed, never scripted."""
    response = Response(base64.b64decode(attachment["data"]), status=200, mimetype=attachment["content_type"])
    response.headers["Content-Disposition"] = f'attachment; filename="{attachment["filename"]}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response
