"""The answers the gateway keeps for the console's busiest pages: kept per agency and role, never
past their time, forgotten on a change of their service or on any write, and an answer asked for
before a change is not kept when it arrives after it."""
import io
from types import SimpleNamespace

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.pages.console.signin import ConsoleSignIn
from gateway.ratelimit import TokenBucket
from gateway.recent import RecentAnswers
from gateway.routes.complaints import ComplaintsRoutes

POLRES = {"agency_id": "polres", "role": "member", "account_id": "a1", "account_name": "Andi"}
POLRES_OTHER_OFFICER = {**POLRES, "account_id": "a2", "account_name": "Budi"}
KEJARI = {"agency_id": "kejari", "role": "member", "account_id": "a3", "account_name": "Citra"}


class Services:
    """Counts the calls and answers with their number; ``start`` as the gateway's RPC caller."""

    def __init__(self):
        self.calls = []

    def start(self, service, method, actor, *args):
        self.calls.append((service, method, actor["agency_id"], args))
        number = len(self.calls)
        return lambda: {"answer": number}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def kept(seconds=10, most=500):
    clock = Clock()
    return RecentAnswers(seconds, most=most, clock=clock), Services(), clock


def test_an_agency_asking_again_gets_the_kept_answer_and_another_agency_its_own():
    answers, services, _ = kept()
    first = answers.read(services, "calendar", "waiting_for", POLRES)
    assert answers.read(services, "calendar", "waiting_for", POLRES_OTHER_OFFICER) == first
    assert answers.read(services, "calendar", "waiting_for", KEJARI) != first
    assert answers.read(services, "calendar", "list_days", POLRES, {"from": "2027-01-01"}) != first
    assert len(services.calls) == 3


def test_the_arguments_are_part_of_what_is_kept():
    answers, services, _ = kept()
    january = answers.read(services, "calendar", "list_days", POLRES, {"from": "2027-01-01"})
    february = answers.read(services, "calendar", "list_days", POLRES, {"from": "2027-02-01"})
    assert january != february
    assert answers.read(services, "calendar", "list_days", POLRES, {"from": "2027-01-01"}) == january


def test_a_role_sees_its_own_answer():
    answers, services, _ = kept()
    member = answers.read(services, "complaints", "waiting_for", POLRES)
    assert answers.read(services, "complaints", "waiting_for", {**POLRES, "role": "coordinator"}) != member


def test_an_answer_is_asked_again_once_its_time_is_over():
    answers, services, clock = kept(seconds=10)
    first = answers.read(services, "calendar", "waiting_for", POLRES)
    clock.now += 9.9
    assert answers.read(services, "calendar", "waiting_for", POLRES) == first
    clock.now += 0.2
    assert answers.read(services, "calendar", "waiting_for", POLRES) != first


def test_a_change_of_one_service_forgets_its_answers_only():
    answers, services, _ = kept()
    calendar = answers.read(services, "calendar", "waiting_for", POLRES)
    complaints = answers.read(services, "complaints", "waiting_for", POLRES)
    answers.forget("calendar")
    assert answers.read(services, "calendar", "waiting_for", POLRES) != calendar
    assert answers.read(services, "complaints", "waiting_for", POLRES) == complaints


def test_a_write_through_this_gateway_forgets_everything_and_a_read_nothing():
    answers, services, _ = kept()
    first = answers.read(services, "calendar", "waiting_for", POLRES)
    answers.after(Request(EnvironBuilder(method="GET", path="/console/").get_environ()))
    assert answers.read(services, "calendar", "waiting_for", POLRES) == first
    answers.after(Request(EnvironBuilder(method="POST", path="/console/kalender/usul").get_environ()))
    assert answers.read(services, "calendar", "waiting_for", POLRES) != first


def test_an_answer_asked_before_a_change_and_arriving_after_it_is_not_kept():
    for change in ("calendar", None):
        answers, services, _ = kept()
        pending = answers.start(services, "calendar", "waiting_for", POLRES)
        answers.forget(change)
        stale = pending()
        assert answers.read(services, "calendar", "waiting_for", POLRES) != stale


def test_a_change_of_another_service_meanwhile_does_not_stop_keeping():
    answers, services, _ = kept()
    pending = answers.start(services, "calendar", "waiting_for", POLRES)
    answers.forget("complaints")
    first = pending()
    assert answers.read(services, "calendar", "waiting_for", POLRES) == first


def test_the_store_starts_again_when_full():
    answers, services, _ = kept(most=2)
    for agency in ("a", "b", "c"):
        answers.read(services, "calendar", "waiting_for", {**POLRES, "agency_id": agency})
    answers.read(services, "calendar", "waiting_for", {**POLRES, "agency_id": "c"})
    answers.read(services, "calendar", "waiting_for", {**POLRES, "agency_id": "a"})
    assert [call[2] for call in services.calls] == ["a", "b", "c", "a"]


class Spy(RecentAnswers):
    def __init__(self):
        super().__init__(10)
        self.forgotten = 0

    def forget(self, service=None):
        self.forgotten += 1
        super().forget(service)


def sent(method, path, data=None, json_body=None):
    environ = EnvironBuilder(method=method, path=path, data=data, json=json_body).get_environ()
    environ["bakohumas.body"] = environ["wsgi.input"].read()  # as the gateway buffers it
    environ["wsgi.input"] = io.BytesIO(environ["bakohumas.body"])
    return Request(environ)


def test_every_page_and_route_that_writes_forgets_what_was_kept_even_when_refused():
    recent = Spy()
    pages = SimpleNamespace(recent=recent, public_url="http://127.0.0.1", rpc=None, sessions=None,
                            sign_in_failures=TokenBucket(10, 20), identify=lambda request, auth: None)
    ConsoleSignIn.sign_in_form(pages, sent("GET", "/console/masuk"))
    assert recent.forgotten == 0
    refused = ConsoleSignIn.sign_in(pages, sent("POST", "/console/masuk", data={"email": "", "password": ""}))
    assert refused.status_code == 403 and recent.forgotten == 1  # no CSRF token
    answer = ComplaintsRoutes.submit_complaint(pages, sent("POST", "/api/v1/complaints", json_body={"text": 1}))
    assert answer.status_code == 400 and recent.forgotten == 2


def test_nothing_is_kept_when_answers_are_kept_for_no_time():
    answers, services, _ = kept(seconds=0)
    answers.read(services, "calendar", "waiting_for", POLRES)
    answers.read(services, "calendar", "waiting_for", POLRES)
    assert len(services.calls) == 2 and answers._kept == {}
