"""A whole Bakohumas Hub started the README's way, isolated for tests and benchmarks.

Each ``LocalStack`` gets its own RabbitMQ vhost (made through the management API),
its own data folder and a free gateway port, so several can run side by side on one
broker and a test never sees another's messages.
"""
import hashlib
import hmac
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests

from bakohumas.stack import PROCESSES

ROOT = Path(__file__).resolve().parent.parent
MANAGEMENT = os.environ.get("RABBIT_MANAGEMENT_URL", "http://guest:guest@127.0.0.1:15672")
BROKER = os.environ.get("RABBIT_BROKER", "guest:guest@127.0.0.1:5672")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def running(pid):
    """Whether ``pid`` runs: exists and is not a zombie waiting for its (new) parent to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class Vhost:
    """A RabbitMQ vhost of our own, removed (with all its queues) when done."""

    def __init__(self, prefix="bakohumas_test"):
        self.name = f"{prefix}_{uuid.uuid4().hex[:10]}"

    def _api(self, method, path, **kwargs):
        response = requests.request(method, f"{MANAGEMENT}/api/{path}", timeout=10, **kwargs)
        response.raise_for_status()
        return response

    def create(self):
        self._api("PUT", f"vhosts/{quote(self.name, safe='')}")
        self._api("PUT", f"permissions/{quote(self.name, safe='')}/guest",
                  json={"configure": ".*", "write": ".*", "read": ".*"})
        return self

    def delete(self):
        try:
            self._api("DELETE", f"vhosts/{quote(self.name, safe='')}")
        except requests.RequestException:
            pass

    @property
    def amqp_uri(self):
        return f"pyamqp://{BROKER}/{quote(self.name, safe='')}"

    def queues(self):
        return self._api("GET", f"queues/{quote(self.name, safe='')}").json()


class GivenBroker:
    """A broker the caller runs and cleans up (e.g. a private RabbitMQ node): used as is, no vhost made."""

    def __init__(self, amqp_uri):
        self.amqp_uri = amqp_uri

    def create(self):
        return self

    def delete(self):
        pass


class LocalStack:
    """``bakohumas run`` in a subprocess, plus handles to stop and restart single processes.

    ``amqp_uri`` runs it on that broker instead of a fresh vhost of the shared one."""

    def __init__(self, instances=1, extra_env=None, amqp_uri=None, own_group=False):
        self.instances = instances
        self.own_group = own_group
        self.vhost = GivenBroker(amqp_uri) if amqp_uri else Vhost()
        self.data_dir = Path(tempfile.mkdtemp(prefix="bakohumas-"))
        self.port = free_port()
        self.env = {**os.environ, "AMQP_URI": self.vhost.amqp_uri, "DATA_DIR": str(self.data_dir),
                    "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(self.port),
                    "RPC_TIMEOUT": "3", **(extra_env or {})}
        self.url = f"http://127.0.0.1:{self.port}"
        self.runner = None
        self.extra = []
        self.log_path = self.data_dir / "stack.log"

    def bakohumas(self, *args, check=True):
        return subprocess.run([sys.executable, "-m", "bakohumas.cli", *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, check=check, timeout=120)

    def start(self, timeout=180):
        """Start and wait until it runs; a stack that does not come up is stopped, never left behind.

        ``timeout`` is generous: `make test` starts several stacks at once on two cores."""
        self.vhost.create()
        self._log = open(self.log_path, "ab")
        args = [sys.executable, "-m", "bakohumas.cli", "run", "--instances", str(self.instances)]
        self.runner = subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=self._log,
                                       stderr=subprocess.STDOUT, start_new_session=self.own_group)
        try:
            self.wait_healthy(timeout)
            # Ready as a user sees it: the runner has printed its line (it checks health itself first).
            deadline = time.monotonic() + timeout
            while "Bakohumas Hub is running at" not in self.log():
                if time.monotonic() > deadline or self.runner.poll() is not None:
                    raise RuntimeError(f"bakohumas run did not report running:\n{self.log()[-5000:]}")
                time.sleep(0.2)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_healthy(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.runner.poll() is not None:
                raise RuntimeError(f"bakohumas run exited ({self.runner.returncode}):\n{self.log()}")
            try:
                if requests.get(self.url + "/health", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the stack did not become healthy in {timeout}s:\n{self.log()[-5000:]}")

    def leftovers(self):
        """Pids of processes still running for this stack: its DATA_DIR or vhost in their command
        line or environment (every process of the stack inherits both)."""
        marks = [str(self.data_dir).encode(), self.vhost.amqp_uri.encode()]
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                seen = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
            except OSError:
                continue
            if any(mark in seen for mark in marks) and running(int(entry.name)):
                found.append(int(entry.name))
        return found

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def pid(self, label):
        return int((self.data_dir / "run" / f"{label}.pid").read_text())

    def kill(self, label, sig=signal.SIGKILL, hold=True):
        """Stop one process of the stack (SIGKILL by default: a crash).

        ``hold`` keeps it down (the runner would start a crashed process again) until
        ``start_process(name, label)``."""
        if hold and sig == signal.SIGKILL:
            (self.data_dir / "run" / f"{label}.hold").touch()
        try:
            os.kill(self.pid(label), sig)
        except ProcessLookupError:
            pass

    def start_process(self, name, label=None):
        """Start ``label`` again after ``kill`` (the runner does it once released), or an extra
        instance of ``name`` as ``label``."""
        hold = self.data_dir / "run" / f"{label or name}.hold"
        if hold.exists():
            killed = self.pid(label or name)
            hold.unlink()
            deadline = time.monotonic() + 30
            while self.pid(label or name) == killed and time.monotonic() < deadline:
                time.sleep(0.1)
            return None
        process = subprocess.Popen([sys.executable, "-m", "bakohumas.process", name], env=self.env,
                                   cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)
        self.extra.append(process)
        (self.data_dir / "run" / f"{label or name}.pid").write_text(str(process.pid))
        return process

    def bootstrap(self, short_name="HUMAS-KOORD", admin_email=None):
        """The forum's coordinator: ``{"agency_id", "api_key", "admin_account_id", "console_link"}``
        (the link sets the password of its first admin, ``admin_email``)."""
        admin_email = admin_email or f"admin@{short_name.lower()}.example.go.id"
        out = self.bakohumas("bootstrap", "--name", f"Bagian Humas {short_name}", "--short-name",
                             short_name, "--region-code", "73.72", "--admin-name", f"Admin {short_name}",
                             "--admin-email", admin_email, "--json")
        return json.loads(out.stdout)

    def stop(self):
        for process in self.extra:
            if process.poll() is None:
                process.terminate()
        if self.runner is not None and self.runner.poll() is None:
            self.runner.send_signal(signal.SIGINT)
            try:
                self.runner.wait(30)
            except subprocess.TimeoutExpired:
                self.runner.kill()
        for process in self.extra:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        for label in list(PROCESSES):
            for pid_file in (self.data_dir / "run").glob(f"{label}*.pid"):
                try:
                    os.kill(int(pid_file.read_text()), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
        self.vhost.delete()


def signal_group(sig, times=1):
    def send(stack):
        for _ in range(times):
            os.killpg(stack.runner.pid, sig)
            time.sleep(0.3)
    return send


def signal_runner(sig):
    def send(stack):
        os.kill(stack.runner.pid, sig)
    return send


# How a stack started with ``own_group=True`` gets stopped: by a terminal, systemd (KillMode=control-group),
# ``timeout``, a CI runner, an impatient operator, or an OOM killer hitting the runner.
STOP_WAYS = {
    "SIGTERM to the group": signal_group(signal.SIGTERM),
    "SIGTERM to the group twice": signal_group(signal.SIGTERM, 2),
    "SIGINT to the group twice (Ctrl-C, Ctrl-C)": signal_group(signal.SIGINT, 2),
    "SIGTERM to the runner only": signal_runner(signal.SIGTERM),
    "SIGKILL to the runner only": signal_runner(signal.SIGKILL),
}


def stopped_within(stack, seconds, pids=()):
    """Seconds until no process of the stack runs (its runner and every child), or None after ``seconds``.

    ``pids``: processes known to be the stack's, watched by pid too: a process in its last moments of
    exit has already dropped the command line and environment that ``leftovers`` recognises it by."""
    began = time.monotonic()
    deadline = began + seconds
    while time.monotonic() < deadline:
        if stack.runner.poll() is not None and not stack.leftovers() and not any(running(pid) for pid in pids):
            return time.monotonic() - began
        time.sleep(0.1)
    return None


class Api:
    """requests against the gateway with one API key; answers are plain ``requests`` responses."""

    def __init__(self, base_url, key=None):
        self.base_url = base_url
        self.session = requests.Session()
        if key:
            self.session.headers["Authorization"] = f"Bearer {key}"

    def request(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 15)
        return self.session.request(method, self.base_url + path, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.request("PATCH", path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


def form_token(html):
    """The CSRF token a console page's form carries."""
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def console_sign_in(base_url, email, password, browser=None, **fields):
    """Sign in through the console's form as a browser does: open it (its pre-session cookie and the
    CSRF token derived from it), then send it. Answers the form's answer, unfollowed (303 when signed
    in, the session cookie in its ``cookies``). The pre-session cookie is sent by name, as it is
    ``Secure`` when ``PUBLIC_URL`` is https and the stack answers on plain http."""
    browser = browser or requests.Session()
    form = browser.get(f"{base_url}/console/masuk", timeout=30)
    return browser.post(f"{base_url}/console/masuk", allow_redirects=False, timeout=60,
                        cookies={"bakohumas_masuk": form.cookies["bakohumas_masuk"]},
                        data={"email": email, "password": password, "csrf_token": form_token(form.text), **fields})


class MailSink:
    """A real SMTP server on loopback (aiosmtpd) keeping every mail it took; ``stop()`` and ``start()``
    again on the same port play a mail server that is down for a while."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.mails = []  # email.message.EmailMessage, in arrival order
        self.controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        from email import message_from_bytes, policy

        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                mail = message_from_bytes(envelope.original_content, policy=policy.default)
                mail["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
                sink.mails.append(mail)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address):
        return [mail for mail in list(self.mails) if address in mail["X-Envelope-To"]]


class FakeWhatsApp:
    """A local stand-in for the WhatsApp Business Cloud API that answers as Meta does (checked against
    Graph API v26.0): ``POST /<version>/<phone id>/messages`` keeps what it got (path, Authorization
    header, JSON body) in ``received``; a template must be registered (``templates``: name -> number of
    body parameters) and its parameters one line (HTTP 400 with Meta's error object otherwise); free
    text is taken but, outside the 24-hour window since the person's last message (``heard``, from the
    webhooks the tests send through ``note_incoming``), fails later with 131047, as Meta reports it.
    What would reach the phone is in ``delivered``. Once ``report_statuses_to(url, app_secret)`` is
    called, it posts signed status webhooks (sent, delivered; failed) as Meta does. It serves the media
    a citizen sent (``media``) to the holder of ``token``. ``clock`` (Unix seconds) is injectable."""

    WINDOW_SECONDS = 24 * 3600

    def __init__(self, token="test-token", templates=None, clock=time.time):
        from services.notifications.domain import WHATSAPP_TEMPLATE_KINDS

        self.token = token
        self.port = free_port()
        self.templates = templates if templates is not None else {
            f"bakohumas_{kind}": 2 for kind in WHATSAPP_TEMPLATE_KINDS}
        self.clock = clock
        self.heard = {}  # the person's number (digits) or user id -> Unix time of their last message
        self.received, self.delivered, self.refused, self.statuses = [], [], [], []
        self.media = {}  # media id -> bytes a citizen "sent" (GET /<version>/<media id>, then its URL)
        self.webhook = None
        self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/v26.0"

    def note_incoming(self, raw):
        """A webhook body the test posts: each sender's window opens at the message's timestamp."""
        for entry in json.loads(raw)["entry"]:
            for change in entry["changes"]:
                for message in change["value"].get("messages", []):
                    sender = message.get("from") or message["from_user_id"]
                    self.heard[sender] = max(self.heard.get(sender, 0), int(message["timestamp"]))

    def report_statuses_to(self, url, app_secret):
        self.webhook = (url, app_secret)

    @staticmethod
    def error(code, message, details):
        """Meta's Graph API error object, as a refused send answers it."""
        return {"error": {"message": f"(#{code}) {message}", "type": "OAuthException", "code": code,
                          "error_data": {"messaging_product": "whatsapp", "details": details},
                          "fbtrace_id": uuid.uuid4().hex[:20]}}

    def refusal(self, body):
        """Meta's error object for a template it would refuse, or None."""
        if body.get("type") != "template":
            return None
        template = body.get("template") or {}
        if template.get("name") not in self.templates:
            return self.error(132001, "Template name does not exist in the translation",
                              f"template name ({template.get('name')}) does not exist in {template.get('language')}")
        parameters = [p for c in template.get("components", []) if c.get("type") == "body"
                      for p in c.get("parameters", [])]
        if len(parameters) != self.templates[template["name"]]:
            return self.error(132000, "Number of parameters does not match the expected number of params",
                              "body: number of localizable_params does not match the expected number of params")
        if any(re.search(r"[\n\t]| {5,}", p.get("text", "")) for p in parameters):
            return self.error(132018, "There was an issue with the parameters in your template.",
                              "Param text cannot have new-line/tab characters or more than 4 consecutive spaces")
        return None

    def _report(self, wamid, to, status, errors=None):
        """A status webhook, signed with the app secret, posted a moment later as Meta does."""
        if self.webhook is None:
            return
        url, secret = self.webhook
        status_object = {"id": wamid, "status": status, "timestamp": str(int(self.clock())), "recipient_id": to}
        if errors:
            status_object["errors"] = errors
        raw = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
            "field": "messages", "value": {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1"},
                                           "statuses": [status_object]}}]}]}).encode()
        signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()

        def post():
            time.sleep(0.3)
            self.statuses.append(status_object)
            requests.post(url, data=raw, timeout=15, headers={"Content-Type": "application/json",
                                                              "X-Hub-Signature-256": signature})
        threading.Thread(target=post, daemon=True).start()

    def start(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        fake = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self, status, content):
                answer = json.dumps(content).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                fake.received.append({"path": self.path, "authorization": self.headers.get("Authorization"),
                                      "body": body})
                refused = fake.refusal(body)
                if refused:
                    fake.refused.append({"body": body, "error": refused["error"]})
                    self.answer(400, refused)
                    return
                wamid, to = f"wamid.{uuid.uuid4().hex}", body.get("to") or body.get("recipient")
                self.answer(200, {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                                  "messages": [{"id": wamid}]})
                heard = fake.heard.get(to)
                if body.get("type") != "template" and (heard is None or fake.clock() - heard >= fake.WINDOW_SECONDS):
                    fake.refused.append({"body": body, "error": {"code": 131047}})
                    fake._report(wamid, to, "failed", [{
                        "code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
                        "error_data": {"details": "Message failed to send because more than 24 hours have passed "
                                                  "since the customer last replied to this number."}}])
                    return
                fake.delivered.append(body)
                fake._report(wamid, to, "sent")
                fake._report(wamid, to, "delivered")

            def do_GET(self):
                media_id = self.path.rsplit("/", 1)[-1]
                if self.headers.get("Authorization") != f"Bearer {fake.token}" or media_id not in fake.media:
                    self.send_response(404)
                    self.end_headers()
                    return
                if self.path.startswith("/media/"):
                    answer, kind = fake.media[media_id], "image/jpeg"
                else:
                    answer, kind = json.dumps({"url": f"http://127.0.0.1:{fake.port}/media/{media_id}",
                                               "mime_type": "image/jpeg", "id": media_id}).encode(), "application/json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def to(self, phone):
        """The messages that reached ``phone`` (or a business-scoped user id): what Meta took and did not fail."""
        return [body for body in list(self.delivered) if phone.lstrip("+") in (body.get("to"), body.get("recipient"))]


def member_list_xlsx(units):
    """A forum's member list as the coordinator would fill the template: ``units`` are dicts by the
    import's field names (``services.directory.schemas.IMPORT_COLUMNS``), missing ones left empty."""
    import io

    from openpyxl import Workbook

    from services.directory.schemas import IMPORT_COLUMNS

    book = Workbook()
    sheet = book.active
    sheet.append([header for _name, header in IMPORT_COLUMNS])
    for unit in units:
        sheet.append([unit.get(name, "") for name, _header in IMPORT_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
