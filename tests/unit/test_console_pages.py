"""The console's Pengaduan, Direktori and accounts pages' own parts, without a stack: the forum's tree, a
form's rows, a refusal's fields, the filters a list and its download share, an invitation's mail."""
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.pages.console.accounts import ConsoleAccounts
from gateway.pages.console.complaints import list_filters, page_number
from gateway.pages.console.posting import field_errors, form_values
from gateway.pages.console.directory import changes_from_form, forum_tree, may_manage_keys
from shared.errors import ValidationFailed


def agency(agency_id, short_name, parent_id=None):
    return {"id": agency_id, "short_name": short_name, "parent_id": parent_id}


def test_the_forum_tree_nests_sub_units_under_their_parent_by_short_name():
    tree = forum_tree([agency("s", "POLSEK", "p"), agency("p", "POLRES"), agency("k", "HUMAS"),
                       agency("o", "ORPHAN", "gone")])
    assert [(a["short_name"], [c["short_name"] for c, _ in children]) for a, children in tree] == [
        ("HUMAS", []), ("ORPHAN", []), ("POLRES", ["POLSEK"])]


def test_an_agency_form_keeps_filled_rows_in_order_and_leaves_empty_fields_out():
    form = MultiDict({"officers-0-name": "Iptu Andi", "officers-0-position": "kepala_humas", "officers-0-phone": "",
                      "officers-0-email": "andi@polri.go.id", "officers-1-name": "", "officers-1-position": "ppid",
                      "officers-2-name": "Bripka Sari", "officers-2-position": "staf_humas",
                      "officers-2-phone": "0812 3456 7890", "channels-instagram": " @humas_polres ",
                      "channels-x": "", "contributors-0-name": "", "csrf_token": "t"})
    assert changes_from_form(form) == {
        "officers": [{"name": "Iptu Andi", "position": "kepala_humas", "email": "andi@polri.go.id"},
                     {"name": "Bripka Sari", "position": "staf_humas", "phone": "0812 3456 7890"}],
        "contributors": [], "channels": {"instagram": "@humas_polres"}}


def test_a_refusal_names_each_field_as_the_form_names_it():
    nested = ValidationFailed("bad", {"officers": {"1": {"email": ["Not a valid email address."]}},
                                      "reason": ["required to refuse"]})
    assert field_errors(nested) == {"officers-1-email": "Not a valid email address.", "reason": "required to refuse"}
    assert field_errors(ValidationFailed("no forward is waiting")) == {"_form": "no forward is waiting"}


def test_a_list_and_its_download_take_the_same_filters():
    request = Request(EnvironBuilder(path="/console/pengaduan", query_string={
        "status": "received", "overdue": "true", "category": "", "halaman": "3", "lang": "en"}).get_environ())
    assert list_filters(request) == {"status": "received", "overdue": "true"}
    assert page_number(request) == 3
    bad = Request(EnvironBuilder(path="/", query_string={"halaman": "x"}).get_environ())
    assert page_number(bad) == 1


def test_a_form_sends_what_was_filled_in_and_never_its_tokens():
    request = Request(EnvironBuilder(path="/", method="POST", data={
        "csrf_token": "t", "idempotency_key": "k", "reason": "  ", "status": "verified"}).get_environ())
    assert form_values(request) == {"status": "verified"}


def test_only_an_admin_of_the_agency_or_of_the_coordinator_manages_keys():
    admin = {"agency_id": "p", "role": "member", "account_role": "admin"}
    assert may_manage_keys(admin, "p") and not may_manage_keys(admin, "q")
    assert not may_manage_keys({**admin, "account_role": "officer"}, "p")
    assert may_manage_keys({"agency_id": "k", "role": "coordinator", "account_role": "admin"}, "q")


INVITED = {"account": {"id": "a9", "agency_id": "polres", "name": "Wulan Sari", "email": "wulan@polres.example.go.id",
                       "account_role": "officer", "language": "id"},
           "invite_token": "t" * 43, "invite_expires_at": "2026-12-06T02:00:00+00:00"}
ADMIN = {"agency_id": "polres", "role": "member", "account_role": "admin", "agency_name": "Polres Parepare"}


class NotificationsAnswer:
    """The gateway's RPC caller as the invitation sees it: the notifications service answers or fails."""

    def __init__(self, answer):
        self.answer = answer
        self.asked = []

    def __call__(self, service, method, actor, invitation):
        return self.start(service, method, actor, invitation)()

    def start(self, service, method, actor, invitation):
        self.asked.append((service, method, invitation))

        def result():
            if isinstance(self.answer, Exception):
                raise self.answer
            return self.answer
        return result


@pytest.mark.parametrize("answer, mailed", [({"mailed": True}, True), ({"mailed": False}, False),
                                            (RuntimeError("notifications broke"), None)])
def test_an_invitation_link_is_shown_whatever_becomes_of_its_mail(answer, mailed):
    console = SimpleNamespace(public_url="https://hub.example.go.id", rpc=NotificationsAnswer(answer))
    shown = ConsoleAccounts._mailed(console, ADMIN, "polres", INVITED)
    assert shown["link"] == "https://hub.example.go.id/console/undangan/" + "t" * 43 and shown["mailed"] is mailed
    [(service, method, invitation)] = console.rpc.asked
    assert (service, method) == ("notifications", "mail_invitation")
    assert invitation["agency_name"] == "Polres Parepare" and invitation["token"] == "t" * 43
    repeat = ConsoleAccounts._mailed(console, ADMIN, "polres", {**INVITED, "invite_token": None})
    assert repeat["mailed"] is None and len(console.rpc.asked) == 1  # a repeat has no link to mail
