"""The directory API over HTTP, against the whole running system."""
import time
import uuid

import pytest
import requests

from bakohumas.harness import Api, console_sign_in

pytestmark = pytest.mark.e2e


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:6].upper()}"


def error_fields(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]["fields"]


def test_an_agency_is_registered_with_its_officers_channels_and_contributors(coordinator):
    body = {
        "name": "Kepolisian Resor Parepare", "short_name": unique("POLRES"), "kind": "polri",
        "region_code": "73.72",
        "officers": [{"name": "AKP Hasrul", "position": "kepala_humas", "title": "Kasi Humas",
                      "phone": "0812-4200-1234", "email": "humas.polresparepare@example.id"},
                     {"name": "Bripka Nurul", "position": "admin_media", "phone": "+62 853 1111 2222"}],
        "channels": {"instagram": "@humaspolresparepare", "website": "parepare.sulsel.polri.go.id",
                     "whatsapp": "0812-4200-1234"},
        "contributors": [{"name": "Aipda Rahmat", "unit": "Polsek Soreang", "email": "rahmat@example.id"}],
    }
    created = coordinator.post("/api/v1/agencies", json=body)
    assert created.status_code == 201, created.text
    agency = created.json()
    assert agency["role"] == "member" and agency["active"] is True and agency["sub_units"] == []
    assert [o["phone"] for o in agency["officers"]] == ["+6281242001234", "+6285311112222"]
    assert agency["channels"] == {"instagram": "https://www.instagram.com/humaspolresparepare",
                                  "website": "https://parepare.sulsel.polri.go.id",
                                  "whatsapp": "https://wa.me/6281242001234"}
    assert agency["contributors"][0]["unit"] == "Polsek Soreang"
    assert coordinator.get(f"/api/v1/agencies/{agency['id']}").json() == agency


def test_sub_units_are_shown_with_their_parent_and_the_list_filters_and_pages(coordinator, new_member):
    region = f"99.{uuid.uuid4().int % 90 + 10}"  # a province of its own: the demo forum lives in 73.72
    kemenag = new_member(kind="kementerian", name="Kantor Kemenag Kota Contoh", region_code=region)
    units = [new_member(kind="kementerian", name=f"KUA Kecamatan {n}", parent_id=kemenag.agency_id,
                        region_code=f"{region}.0{i}") for i, n in enumerate(("Bacukiki", "Soreang", "Ujung"), 1)]
    detail = kemenag.get(f"/api/v1/agencies/{kemenag.agency_id}").json()
    assert {u["id"] for u in detail["sub_units"]} == {u.agency_id for u in units}
    assert units[0].get(f"/api/v1/agencies/{units[0].agency_id}").json()["parent"] == {
        "id": kemenag.agency_id, "name": "Kantor Kemenag Kota Contoh", "short_name": kemenag.agency["short_name"]}

    listed = kemenag.get("/api/v1/agencies", params={"parent_id": kemenag.agency_id, "limit": 2})
    assert listed.status_code == 200, listed.text
    first = listed.json()
    assert first["total"] == 3 and len(first["items"]) == 2 and first["limit"] == 2
    rest = kemenag.get("/api/v1/agencies", params={"parent_id": kemenag.agency_id, "limit": 2, "offset": 2})
    assert {a["id"] for a in first["items"] + rest.json()["items"]} == {u.agency_id for u in units}
    in_region = kemenag.get("/api/v1/agencies", params={"region_code": region}).json()
    assert in_region["total"] == 4
    found = kemenag.get("/api/v1/agencies", params={"q": "kua soreang", "region_code": region,
                                                    "kind": "kementerian"}).json()
    assert [a["name"] for a in found["items"]] == ["KUA Kecamatan Soreang"]
    bad = kemenag.get("/api/v1/agencies", params={"kind": "army", "limit": 1000})
    assert set(error_fields(bad, 400)) == {"kind", "limit"}


def test_an_agency_changes_its_own_contacts_and_only_the_coordinator_the_rest(coordinator, new_member):
    dinkes = new_member(kind="opd", name="Dinas Kesehatan")
    own = dinkes.patch(f"/api/v1/agencies/{dinkes.agency_id}", json={
        "officers": [{"name": "dr. Ayu", "position": "ppid", "email": "ppid.dinkes@example.id"}],
        "channels": {"facebook": "dinkes.parepare"}})
    assert own.status_code == 200, own.text
    assert own.json()["channels"] == {"facebook": "https://www.facebook.com/dinkes.parepare"}
    reserved = dinkes.patch(f"/api/v1/agencies/{dinkes.agency_id}", json={"name": "Dinkes", "role": "coordinator"})
    assert set(error_fields(reserved, 403)) == {"name", "role"}
    renamed = coordinator.patch(f"/api/v1/agencies/{dinkes.agency_id}",
                                json={"name": "Dinas Kesehatan Kota Parepare", "region_code": "73.72"})
    assert renamed.status_code == 200 and renamed.json()["officers"][0]["name"] == "dr. Ayu"
    assert dinkes.get("/api/v1/me").json()["name"] == "Dinas Kesehatan Kota Parepare"


def test_bad_input_names_the_field_and_writes_nothing(coordinator, new_member):
    taken = new_member(kind="opd")
    base = {"name": "Dinas Pendidikan", "kind": "opd"}
    cases = [
        ({**base, "short_name": taken.agency["short_name"].lower()}, 409, "short_name"),
        ({**base, "short_name": unique("D"), "kind": "army"}, 400, "kind"),
        ({**base, "short_name": unique("D"), "parent_id": str(uuid.uuid4())}, 400, "parent_id"),
        ({**base, "short_name": unique("D"), "channels": {"website": "not a url"}}, 400, "channels"),
        ({**base, "short_name": unique("D"),
          "officers": [{"name": "Andi", "position": "ppid", "phone": "12345"}]}, 400, "officers"),
        ({**base, "short_name": unique("D"),
          "contributors": [{"name": "Andi", "email": "andi-at-example"}]}, 400, "contributors"),
    ]
    for body, status, field in cases:
        assert field in error_fields(coordinator.post("/api/v1/agencies", json=body), status), body
    assert coordinator.get("/api/v1/agencies", params={"q": "Dinas Pendidikan"}).json()["total"] == 0

    child = new_member(kind="opd", parent_id=taken.agency_id)
    cycle = coordinator.patch(f"/api/v1/agencies/{taken.agency_id}",
                              json={"parent_id": child.agency_id, "name": "Renamed"})
    assert "parent_id" in error_fields(cycle, 400)
    after = coordinator.get(f"/api/v1/agencies/{taken.agency_id}").json()
    assert after["name"] == taken.agency["name"] and after["parent_id"] is None


def test_keys_are_listed_without_secrets_and_a_revoked_key_stops_at_once(coordinator, new_member):
    agency = new_member(kind="bumn")
    second = agency.post(f"/api/v1/agencies/{agency.agency_id}/keys", json={"label": "laptop humas"})
    assert second.status_code == 201 and second.json()["api_key"].startswith("bkh_")
    laptop = Api(agency.base_url, second.json()["api_key"])
    assert laptop.get("/api/v1/me").json()["agency_id"] == agency.agency_id
    keys = agency.get(f"/api/v1/agencies/{agency.agency_id}/keys").json()
    assert {k["label"] for k in keys} == {"test", "laptop humas"}
    assert all("api_key" not in k and "key_hash" not in k for k in keys)
    assert second.json()["api_key"] not in str(keys)

    revoked = agency.delete(f"/api/v1/agencies/{agency.agency_id}/keys/{second.json()['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert laptop.get("/api/v1/me").status_code == 401
    assert agency.get("/api/v1/me").status_code == 200
    other = new_member(kind="bumd")
    assert other.get(f"/api/v1/agencies/{agency.agency_id}/keys").status_code == 403


def test_me_tells_who_the_key_belongs_to(coordinator, new_member):
    me = coordinator.get("/api/v1/me").json()
    assert me["agency_id"] == coordinator.agency_id and me["role"] == "coordinator"
    member = new_member(kind="tni")
    assert member.get("/api/v1/me").json()["role"] == "member"


def test_a_deactivated_agency_loses_its_keys_for_good_and_may_come_back_with_new_ones(coordinator, new_member):
    kejari = new_member(kind="kejaksaan")
    assert kejari.get("/api/v1/me").status_code == 200
    done = coordinator.post(f"/api/v1/agencies/{kejari.agency_id}/deactivate")
    assert done.status_code == 200, done.text
    assert done.json()["active"] is False and done.json()["deactivated_at"]
    assert kejari.get("/api/v1/me").status_code == 401
    assert coordinator.get(f"/api/v1/agencies/{kejari.agency_id}").json()["active"] is False
    inactive = coordinator.get("/api/v1/agencies", params={"active": "false", "kind": "kejaksaan"}).json()
    assert kejari.agency_id in {a["id"] for a in inactive["items"]}
    again = coordinator.post(f"/api/v1/agencies/{kejari.agency_id}/keys", json={})
    assert error_fields(again, 409) == {"agency_id": ["inactive agency"]}

    back = coordinator.post(f"/api/v1/agencies/{kejari.agency_id}/reactivate")
    assert back.status_code == 200 and back.json()["active"] is True
    assert kejari.get("/api/v1/me").status_code == 401
    keys = coordinator.get(f"/api/v1/agencies/{kejari.agency_id}/keys").json()
    assert keys and all(k["revoked_at"] for k in keys)
    fresh = coordinator.post(f"/api/v1/agencies/{kejari.agency_id}/keys", json={"label": "after return"})
    assert Api(kejari.base_url, fresh.json()["api_key"]).get("/api/v1/me").status_code == 200


def test_a_promoted_member_acts_as_coordinator_at_once_and_the_last_one_cannot_step_down(coordinator, new_member):
    deputy = new_member(kind="opd")
    assert deputy.post(f"/api/v1/agencies/{deputy.agency_id}/deactivate").status_code == 403
    promoted = coordinator.patch(f"/api/v1/agencies/{deputy.agency_id}", json={"role": "coordinator"})
    assert promoted.status_code == 200
    assert deputy.get("/api/v1/me").json()["role"] == "coordinator"
    demoted = deputy.patch(f"/api/v1/agencies/{deputy.agency_id}", json={"role": "member"})
    assert demoted.status_code == 200 and deputy.get("/api/v1/me").json()["role"] == "member"


def test_registering_twice_with_one_idempotency_key_creates_one_agency(coordinator):
    body = {"name": "Perumda Air Minum", "short_name": unique("PDAM"), "kind": "bumd"}
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = coordinator.post("/api/v1/agencies", json=body, headers=headers)
    repeat = coordinator.post("/api/v1/agencies", json=body, headers=headers)
    assert first.status_code == 201 and repeat.json()["id"] == first.json()["id"]
    assert coordinator.get("/api/v1/agencies", params={"q": body["short_name"]}).json()["total"] == 1
    key = coordinator.post(f"/api/v1/agencies/{first.json()['id']}/keys", json={}, headers=headers)
    assert key.status_code == 201 and key.json()["api_key"], "the same Idempotency-Key on another operation"


def test_an_unknown_agency_is_404(coordinator):
    missing = f"/api/v1/agencies/{uuid.uuid4()}"
    for response in (coordinator.get(missing), coordinator.patch(missing, json={"name": "Nobody"}),
                     coordinator.get(missing + "/keys"), coordinator.post(missing + "/deactivate")):
        assert error_fields(response, 404) == {"agency_id": ["unknown agency"]}


def test_people_are_invited_by_key_listed_and_deactivated_and_the_cookie_is_no_api_credential(stack, coordinator,
                                                                                               new_member):
    polres, stranger = new_member(kind="polri"), new_member()
    headers = {"Idempotency-Key": f"invite-{uuid.uuid4()}"}
    invited = polres.post(f"/api/v1/agencies/{polres.agency_id}/accounts", headers=headers, json={
        "name": "Bripka Andi Saputra", "email": f"andi-{uuid.uuid4().hex[:6]}@polres.example.go.id",
        "phone": "0812-3456-7890", "account_role": "officer"})
    assert invited.status_code == 201, invited.text
    made = invited.json()
    assert made["account"]["status"] == "invited" and made["account"]["phone"] == "+6281234567890"
    assert made["invite_link"] == f"{stack.url}/console/undangan/{made['invite_token']}"
    repeat = polres.post(f"/api/v1/agencies/{polres.agency_id}/accounts", headers=headers, json={
        "name": "Bripka Andi Saputra", "email": made["account"]["email"]})
    assert repeat.status_code == 201 and repeat.json()["invite_token"] is None  # the link is shown once
    assert repeat.json()["account"]["id"] == made["account"]["id"]
    twice = coordinator.post(f"/api/v1/agencies/{polres.agency_id}/accounts", json={
        "name": "Someone Else", "email": made["account"]["email"].upper()})
    assert twice.status_code == 409 and "email" in twice.json()["error"]["fields"]
    bad = polres.post(f"/api/v1/agencies/{polres.agency_id}/accounts", json={"name": "X", "email": "not-an-email",
                                                                             "account_role": "boss"})
    assert bad.status_code == 400 and {"name", "email", "account_role"} <= set(bad.json()["error"]["fields"])

    assert stranger.get(f"/api/v1/agencies/{polres.agency_id}/accounts").status_code == 403
    assert [a["name"] for a in coordinator.get(f"/api/v1/agencies/{polres.agency_id}/accounts").json()] == [
        "Bripka Andi Saputra"]

    set_password = requests.post(made["invite_link"], data={"password": "kata-sandi-panjang",
                                                            "password_again": "kata-sandi-panjang"},
                                 allow_redirects=False, timeout=30)
    assert set_password.status_code == 303
    signed_in = console_sign_in(stack.url, made["account"]["email"], "kata-sandi-panjang")
    cookie = signed_in.cookies["bakohumas_session"]
    for path in ("/api/v1/me", f"/api/v1/agencies/{polres.agency_id}/accounts"):
        refused = requests.get(stack.url + path, cookies={"bakohumas_session": cookie}, timeout=10)
        assert refused.status_code == 401, path  # only Authorization: Bearer is an API credential
    assert requests.get(f"{stack.url}/console/", cookies={"bakohumas_session": cookie}, allow_redirects=False,
                        timeout=10).status_code == 200

    # A new link (a forgotten password): the password set through it ends the session, and the gateway,
    # which still had it cached, forgets it when the directory announces session.ended.
    renewed = polres.post(f"/api/v1/agencies/{polres.agency_id}/accounts/{made['account']['id']}/invite").json()
    assert requests.post(renewed["invite_link"], data={"password": "kata-sandi-baru-lagi", "password_again":
                         "kata-sandi-baru-lagi"}, allow_redirects=False, timeout=30).status_code == 303
    deadline = time.monotonic() + 10
    while requests.get(f"{stack.url}/console/", cookies={"bakohumas_session": cookie}, allow_redirects=False,
                       timeout=10).status_code == 200:
        assert time.monotonic() < deadline, "the ended session was still served from the gateway's cache"
        time.sleep(0.2)
    cookie = console_sign_in(stack.url, made["account"]["email"], "kata-sandi-baru-lagi").cookies["bakohumas_session"]

    gone = polres.post(f"/api/v1/agencies/{polres.agency_id}/accounts/{made['account']['id']}/deactivate")
    assert gone.status_code == 200 and gone.json()["status"] == "deactivated"
    after = requests.get(f"{stack.url}/console/", cookies={"bakohumas_session": cookie}, allow_redirects=False,
                         timeout=10)
    assert after.status_code == 303  # the session ended with the account
