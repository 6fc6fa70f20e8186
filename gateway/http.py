"""HTTP plumbing of the gateway: the web server, the ``route`` decorator and request parsing.

Every route answers JSON, including 404/405 for paths nobody serves, and any error
becomes the one error shape of ``gateway.errors``. ``route`` also records what it
accepts and answers, from which ``gateway.openapi`` builds ``/openapi.json``.
"""
import functools
import hashlib
import io
import json
import logging
import re
import socket
import time
from dataclasses import dataclass, field

from marshmallow import EXCLUDE
from nameko.extensions import DependencyProvider
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer, WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from werkzeug.wrappers import Request, Response

from gateway.errors import HttpError, json_response, response_for
from gateway.observe import record_request
from shared.config import public_base_url
from shared.observe import CORRELATION_KEY, current_correlation_id, request_correlation_id

access_log = logging.getLogger("gateway.access")

MAX_BODY_BYTES = 256 * 1024
# Seconds any one read or write on a client socket may wait (request line, headers, body, an
# idle keep-alive connection): a client that stops sending loses its connection, not ours.
DEFAULT_SOCKET_TIMEOUT = 10.0
# Where the gateway keeps a request's body, read before a worker is taken (see HttpRoute), and
# how large the route lets it be (only routes that take files allow more than MAX_BODY_BYTES).
BUFFERED_BODY = "bakohumas.body"
BODY_LIMIT = "bakohumas.body_limit"
MAX_JSON_DEPTH = 32
AUTH_MODES = ("public", "optional", "member", "coordinator")


class JsonWsgiApp(WsgiApp):
    """nameko's WSGI app, answering paths and methods nobody serves in the JSON error shape."""

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)
        try:
            provider, values = self.url_map.bind_to_environ(environ).match()
        except (NotFound, MethodNotAllowed) as exc:
            return response_for(exc)(environ, start_response)
        except HTTPException as exc:  # redirects, e.g. a missing trailing slash
            return exc(environ, start_response)
        request.path_values = values
        return provider.handle_request(request)(environ, start_response)


class GatewayServer(WebServer):
    def get_wsgi_app(self):
        return JsonWsgiApp(self)

    def get_wsgi_server(self, sock, wsgi_app, protocol=HttpOnlyProtocol, debug=False):
        # Answers leave at once (no Nagle): an answer written in several pieces on a keep-alive
        # connection otherwise waits for the client's delayed ACK (40 ms) before its last piece.
        # Accepted sockets inherit the option from the listening one.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        server = super().get_wsgi_server(sock, wsgi_app, protocol=protocol, debug=debug)
        # nameko leaves eventlet's default (no timeout); it applies this one to each accepted socket.
        server.socket_timeout = float(self.container.config.get("HTTP_SOCKET_TIMEOUT")
                                      or DEFAULT_SOCKET_TIMEOUT)
        return server

    def kill(self):
        # nameko closes the listening socket only when the container stops gracefully. A container
        # killed because the broker went away would leave it open, and the fresh container the
        # process starts binds the same port beside it (SO_REUSEPORT): the kernel would go on handing
        # a share of new connections to a socket nobody accepts on, and those requests would hang.
        self._is_accepting = False
        if self._sock is not None:
            self._sock.close()
        super().kill()

    def context_data_from_headers(self, request):
        """The request's correlation id: the client's ``X-Request-Id`` if usable, else a new one.

        As nameko context data it travels with every RPC the request causes.
        """
        return {CORRELATION_KEY: request_correlation_id(request.headers.get("X-Request-Id"))}


class HttpRoute(HttpRequestHandler):
    server = GatewayServer()

    def __init__(self, method, url, max_body=MAX_BODY_BYTES, **kwargs):
        super().__init__(method, url, **kwargs)
        self.max_body = max_body

    def handle_request(self, request):
        # The body is read here, in the connection's own green thread, before nameko takes a
        # worker: a client that sends headers and then stalls holds its socket, never a worker.
        request.shallow = False
        try:
            buffer_body(request, self.max_body)
        except HttpError as exc:
            return response_for(exc)
        return super().handle_request(request)

    def response_from_exception(self, exc):
        return response_for(exc)


def buffer_body(request, limit=MAX_BODY_BYTES):
    """Read up to one byte more than ``limit`` (the route's, ``MAX_BODY_BYTES`` unless it takes
    files) of the body into the WSGI environ.

    A body announced larger than the limit is not read at all (``read_json`` answers 413).
    A client that stops sending before its body is complete gets 408 once the socket times out.
    """
    request.environ[BODY_LIMIT] = limit
    if request.content_length is not None and request.content_length > limit:
        request.environ[BUFFERED_BODY] = b""
        return
    try:
        body = request.stream.read(limit + 1)
    except OSError:  # socket.timeout, or the client went away
        raise HttpError(408, "request_timeout", "the request body did not arrive in time",
                        headers={"Connection": "close"}) from None
    request.environ[BUFFERED_BODY] = body
    # The socket is spent: a form (Open311, the pages) is parsed from what was read here.
    # ``stream`` is werkzeug's cached property; werkzeug sets it the same way after parsing.
    request.__dict__["stream"] = io.BytesIO(body)


class PublicUrl(DependencyProvider):
    """The gateway's public base URL (``PUBLIC_URL``, else its own listening address).

    Whatever names the gateway to the outside (a feed's id and self link) is built from this,
    never from the request's ``Host`` header, which any client can forge.
    """

    def setup(self):
        self.base = public_base_url(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.base


def feed_response(text, mimetype, cache_control="public, max-age=300"):
    """A feed: shared caches may keep a public one a few minutes; browsers never sniff its type."""
    response = Response(text, status=200, mimetype=mimetype)
    response.headers["Cache-Control"] = cache_control
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def download_response(content, mimetype, filename):
    """A file to save (a poster, an export): never shown inline, never sniffed, never cached."""
    response = Response(content, status=200, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    auth: str
    summary: str
    tag: str
    body: object = None
    query: object = None
    response: object = None
    status: int = 200
    content_type: str = "application/json"
    errors: tuple = ()
    extra: dict = field(default_factory=dict)

    @property
    def openapi_path(self):
        return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", self.path)

    @property
    def path_params(self):
        return re.findall(r"<(?:[^:>]+:)?([^>]+)>", self.path)


ROUTES = []


IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass
class Call:
    """What a route handler receives besides its path arguments."""
    request: object
    caller: dict | None
    body: object = None
    query: dict = field(default_factory=dict)

    @property
    def args(self):
        """The query string as sent (strings): what a service receives and loads with the same
        schema the gateway checked (``query`` is that load, for the gateway's own use)."""
        return self.request.args.to_dict()

    @property
    def idempotency_key(self):
        """The ``Idempotency-Key`` header, bound to this operation (method and path).

        A repeat of a create with the same key gets the first answer; the same key sent to
        another endpoint is another request. Services keep it per caller.
        """
        key = self.request.headers.get("Idempotency-Key")
        if key is None:
            return None
        if not IDEMPOTENCY_KEY.match(key):
            raise HttpError(400, "validation_failed", "Idempotency-Key must be 1-255 visible ASCII characters",
                            {"Idempotency-Key": ["1-255 visible ASCII characters"]})
        operation = f"{self.request.method} {self.request.path}\n{key}"
        return hashlib.sha256(operation.encode("utf-8")).hexdigest()

    @property
    def actor(self):
        """The caller as services see it: who acts, and in which forum role (a key acts as its
        agency: no account; a console page's actor carries the signed-in person's account)."""
        if self.caller is None:
            return None
        return {"agency_id": self.caller["agency_id"], "role": self.caller["role"],
                "key_id": self.caller["key_id"], "account_id": None, "account_name": None, "account_role": None}


def json_depth(value):
    """How deeply containers nest in a parsed JSON value (iterative: no recursion to exhaust)."""
    depth, frontier = 0, [value]
    while True:
        containers = [item for item in frontier if isinstance(item, (dict, list))]
        if not containers:
            return depth
        depth += 1
        if depth > MAX_JSON_DEPTH:
            return depth
        frontier = [child for item in containers
                    for child in (item.values() if isinstance(item, dict) else item)]


def unstorable_text(value):
    """The first string (key or value) no database can keep: a NUL, or a lone UTF-16 surrogate."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                return item
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return item
    return None


def buffered_body(request):
    """The body read by ``buffer_body``; 413 when it is larger than the route's limit."""
    limit = request.environ.get(BODY_LIMIT, MAX_BODY_BYTES)
    raw = request.environ[BUFFERED_BODY]
    if (request.content_length is not None and request.content_length > limit) or len(raw) > limit:
        raise HttpError(413, "body_too_large", f"the body may be at most {limit} bytes")
    return raw


def read_form(request):
    """A form-encoded body (werkzeug's parse of the buffered body), or 413 when it is too large or,
    multipart, has more parts than werkzeug parses (``Request.max_form_parts``, 1,000)."""
    buffered_body(request)
    try:
        return request.form
    except RequestEntityTooLarge:
        raise HttpError(413, "too_many_parts",
                        f"a form may have at most {request.max_form_parts} parts") from None


def first_form_fields(request, names):
    """The first value of each of ``names`` among the first ``max_form_parts`` parts of a multipart form
    that has too many to parse whole: what a person typed, to show again (files are never kept)."""
    found = {}
    for name, value in multipart_fields(buffered_body(request), request.mimetype_params.get("boundary", ""),
                                        request.max_form_parts):
        if name in names:
            found.setdefault(name, value)
    return found


def multipart_fields(raw, boundary, limit):
    """``(name, text)`` of the plain fields among the first ``limit`` parts of a multipart body."""
    decoder = MultipartDecoder(boundary.encode("latin-1", "replace"), max_form_memory_size=len(raw) + 1)
    decoder.receive_data(raw)
    decoder.receive_data(None)
    pairs, name, chunks, parts = [], None, [], 0
    try:
        event = decoder.next_event()
        while not isinstance(event, (Epilogue, NeedData)) and parts <= limit:
            if isinstance(event, (Field, File)):
                parts += 1
                name, chunks = (event.name if isinstance(event, Field) else None), []
            elif isinstance(event, Data) and name is not None:
                chunks.append(event.data)
                if not event.more_data:
                    pairs.append((name, b"".join(chunks).decode("utf-8", "replace")))
            event = decoder.next_event()
    except ValueError:  # a malformed part: what came before it is all there is
        pass
    return pairs


def read_json(request):
    """The request body as JSON, or a clear 4xx: wrong type 415, too large 413, malformed 400."""
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise HttpError(415, "unsupported_media_type", "send the body as application/json",
                        {"Content-Type": [f"expected application/json, got {mimetype or 'nothing'}"]})
    raw = buffered_body(request)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise HttpError(400, "malformed_json", "the body is not valid JSON",
                        {"body": [str(exc)[:200]]}) from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise HttpError(400, "malformed_json", f"the JSON nests deeper than {MAX_JSON_DEPTH} levels")
    if unstorable_text(data) is not None:
        raise HttpError(400, "malformed_json", "a string holds a NUL character or a lone surrogate",
                        {"body": ["text must be valid Unicode without NUL characters"]})
    return data


def validate_with(schema, data, location):
    """Check ``data`` against a marshmallow schema; 400 naming every bad field."""
    if location == "body" and not isinstance(data, dict):
        raise HttpError(400, "validation_failed", "the body must be a JSON object",
                        {"body": ["expected a JSON object"]})
    errors = schema.validate(data)
    if errors:
        raise HttpError(400, "validation_failed", f"some {location} fields are not valid", errors)


def observed(response, tag, operation, method, path, started):
    """Finish an answered request (an API route or a page): its request id, its metrics and its
    access line, which names the path as declared, not as sent (no query string, nothing typed)."""
    correlation = current_correlation_id()
    if correlation:
        response.headers["X-Request-Id"] = correlation
    seconds = time.perf_counter() - started
    record_request(tag, operation, response.status_code, seconds)
    access_log.log(logging.DEBUG if tag == "system" else logging.INFO, "%s %s %d %.1f ms",
                   method, path, response.status_code, seconds * 1000)
    return response


def route(method, path, *, summary, tag, auth="member", body=None, query=None, response=None,
          status=200, content_type="application/json", errors=(), max_body=MAX_BODY_BYTES, **extra):
    """Declare a gateway endpoint.

    ``auth``: public (no key), optional (a key is used if given), member (any valid key),
    coordinator (a coordinator's key). ``body``/``query``: marshmallow schemas checked
    here before any service is called (the raw JSON is what the service receives, and
    it loads it with the same schema); ``response``: the schema of a success answer;
    ``errors``: statuses beyond the usual ones this route may answer (e.g. 429);
    ``error_schema`` (in ``extra``): the schema of its error bodies when not the house shape;
    ``idempotent`` (in ``extra``): it honours ``Idempotency-Key`` (default: POSTs answering 201);
    ``max_body``: the largest body it reads (more than ``MAX_BODY_BYTES`` only for routes taking files).
    The handler is called as ``handler(self, call, **path_args)`` and returns a JSON-able
    value, a ``(status, value)`` pair, or a ready werkzeug Response.
    """
    if auth not in AUTH_MODES:
        raise ValueError(f"auth must be one of {AUTH_MODES}")
    spec = RouteSpec(method, path, auth, summary, tag, body, query, response, status,
                     content_type, tuple(errors), extra)
    ROUTES.append(spec)
    body_schema = body() if isinstance(body, type) else body
    query_schema = query(unknown=EXCLUDE) if isinstance(query, type) else query

    def decorate(handler):
        @functools.wraps(handler)
        def endpoint(self, request, **path_args):
            started = time.perf_counter()
            response = answer(self, request, path_args)
            self.recent.after(request)
            return observed(response, spec.tag, handler.__name__, spec.method, spec.path, started)

        def answer(self, request, path_args):
            try:
                caller = self.identify(request, spec.auth)
                call = Call(request=request, caller=caller)
                if query_schema is not None:
                    args = request.args.to_dict()
                    validate_with(query_schema, args, "query")
                    call.query = query_schema.load(args)
                if body_schema is not None:
                    call.body = read_json(request)
                    validate_with(body_schema, call.body, "body")
                result = handler(self, call, **path_args)
            except Exception as exc:  # every failure answers in the one error shape
                return response_for(exc)
            if isinstance(result, Response):
                return result
            if isinstance(result, tuple):
                return json_response(*result)
            return json_response(spec.status, result)

        return HttpRoute.decorator(method, path, max_body=max_body)(endpoint)

    return decorate
