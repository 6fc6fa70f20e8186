"""A whole Bakohumas Hub started the README's way, isolated for tests and benchmarks.

Each ``LocalStack`` gets its own RabbitMQ vhost (made through the management API),
its own data folder and a free gateway port, so several can run side by side on one
broker and a test never sees another's messages.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
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

    def start(self, timeout=90):
        self.vhost.create()
        self._log = open(self.log_path, "ab")
        args = [sys.executable, "-m", "bakohumas.cli", "run", "--instances", str(self.instances)]
        self.runner = subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=self._log,
                                       stderr=subprocess.STDOUT, start_new_session=self.own_group)
        self.wait_healthy(timeout)
        # Ready as a user sees it: the runner has printed its line (it checks health itself first).
        deadline = time.monotonic() + timeout
        while "Bakohumas Hub is running at" not in self.log():
            if time.monotonic() > deadline or self.runner.poll() is not None:
                raise RuntimeError(f"bakohumas run did not report running:\n{self.log()[-5000:]}")
            time.sleep(0.2)
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
    """A local stand-in for the WhatsApp Business Cloud API: answers ``POST /<version>/<phone id>/messages``
    as the API does and keeps what it got (path, Authorization header, JSON body); serves the media a
    citizen sent (``media``) to the holder of ``token``."""

    def __init__(self, token="test-token"):
        self.token = token
        self.port = free_port()
        self.received = []
        self.media = {}  # media id -> bytes a citizen "sent" (GET /<version>/<media id>, then its URL)
        self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/v21.0"

    def start(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.received.append({"path": self.path, "authorization": self.headers.get("Authorization"),
                                      "body": json.loads(body or b"{}")})
                answer = json.dumps({"messaging_product": "whatsapp",
                                     "messages": [{"id": f"wamid.{uuid.uuid4().hex}"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

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
        return [r["body"] for r in list(self.received) if r["body"].get("to") == phone.lstrip("+")]
