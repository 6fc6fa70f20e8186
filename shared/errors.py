"""Domain errors that cross the RPC boundary as themselves.

nameko serialises an exception raised in an RPC method by its args; registering the
class with ``deserialize_to_instance`` makes the caller receive the same class, so
the gateway maps each to one HTTP status without parsing messages.
"""
from nameko.exceptions import deserialize_to_instance


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message, fields=None):
        super().__init__(message, fields or {})

    @property
    def message(self):
        return self.args[0]

    @property
    def fields(self):
        return self.args[1]


@deserialize_to_instance
class ValidationFailed(DomainError):
    """Input breaks a schema or a rule; ``fields`` maps each bad field to its messages."""
    status = 400
    code = "validation_failed"


@deserialize_to_instance
class NotFound(DomainError):
    status = 404
    code = "not_found"


@deserialize_to_instance
class Forbidden(DomainError):
    status = 403
    code = "forbidden"


@deserialize_to_instance
class Conflict(DomainError):
    """The request is well formed but clashes with the current state (duplicate, lifecycle, clash)."""
    status = 409
    code = "conflict"


@deserialize_to_instance
class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


@deserialize_to_instance
class TooBusy(DomainError):
    """Too much CPU-heavy work at once in one process (``shared.offload``): refused, to be tried again
    after ``RETRY_AFTER`` seconds, rather than queued without end."""
    status = 429
    code = "too_busy"
    RETRY_AFTER = 2


EXPECTED = (ValidationFailed, NotFound, Forbidden, Conflict, Unauthenticated, TooBusy)


def from_marshmallow(error):
    """A marshmallow ValidationError as our ValidationFailed, keeping its per-field messages."""
    messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    return ValidationFailed("some fields are not valid", messages)
