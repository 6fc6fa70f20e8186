"""What the directory accepts: contact details, channels, codes, and the shape of a change."""
import pytest
from marshmallow import ValidationError

from services.directory import schemas
from shared.contracts.directory import CHANNEL_PLATFORMS


@pytest.mark.parametrize("given, stored", [
    ("0812-3456-7890", "+6281234567890"),
    ("+62 812 3456 7890", "+6281234567890"),
    ("6281234567890", "+6281234567890"),
    ("(0421) 21234", "+6242121234"),
    ("0821.4455.6677", "+6282144556677"),
])
def test_indonesian_phone_numbers_are_kept_in_e164(given, stored):
    assert schemas.normalise_phone(given) == stored


@pytest.mark.parametrize("given", ["12345", "0812", "+1 202 555 0100", "0812-ABCD-7890", "08123456789012345",
                                   "0012345678", ""])
def test_what_is_not_an_indonesian_phone_is_refused(given):
    with pytest.raises(ValueError):
        schemas.normalise_phone(given)


@pytest.mark.parametrize("platform, given, stored", [
    ("website", "pareparekota.go.id", "https://pareparekota.go.id"),
    ("website", "http://diskominfo.pareparekota.go.id/berita", "http://diskominfo.pareparekota.go.id/berita"),
    ("instagram", "@humas.parepare", "https://www.instagram.com/humas.parepare"),
    ("instagram", "https://instagram.com/humas.parepare/", "https://instagram.com/humas.parepare/"),
    ("x", "@HumasParepare", "https://x.com/HumasParepare"),
    ("x", "https://twitter.com/HumasParepare", "https://twitter.com/HumasParepare"),
    ("facebook", "https://www.facebook.com/pemkotparepare", "https://www.facebook.com/pemkotparepare"),
    ("facebook", "pemkot.parepare", "https://www.facebook.com/pemkot.parepare"),
    ("youtube", "@pemkotparepare", "https://www.youtube.com/@pemkotparepare"),
    ("tiktok", "@polresparepare", "https://www.tiktok.com/@polresparepare"),
    ("whatsapp", "0812-3456-7890", "https://wa.me/6281234567890"),
    ("whatsapp", "https://whatsapp.com/channel/0029VaExample", "https://whatsapp.com/channel/0029VaExample"),
])
def test_channels_are_kept_as_their_canonical_url(platform, given, stored):
    assert schemas.channel_url(platform, given) == stored


@pytest.mark.parametrize("platform, given", [
    ("website", "not a url"),
    ("website", "ftp://files.example.go.id"),
    ("website", "https://localhost"),
    ("instagram", "https://facebook.com/humas"),
    ("instagram", "@has space"),
    ("x", "@far_too_long_for_x_handles"),
    ("tiktok", "https://tiktok.com/"),
    ("whatsapp", "12345"),
    ("youtube", "https://evil.example.com/@pemkot"),
])
def test_malformed_channels_are_refused(platform, given):
    with pytest.raises(ValueError):
        schemas.channel_url(platform, given)


def test_every_platform_of_the_contract_is_accepted():
    assert set(schemas.Channels().fields) == set(CHANNEL_PLATFORMS)


def valid_agency(**changes):
    return {"name": "Dinas Kesehatan Kota Parepare", "short_name": "DINKES-PAREPARE", "kind": "opd", **changes}


def errors_of(schema, data):
    with pytest.raises(ValidationError) as failure:
        schema.load(data)
    return failure.value.messages


def test_a_registration_names_each_bad_field():
    errors = errors_of(schemas.AgencyInput(), valid_agency(
        kind="army", region_code="Parepare", short_name="!bad",
        officers=[{"name": "Andi", "position": "ppid", "phone": "123", "email": "not-an-email"}],
        channels={"instagram": "https://example.com/x", "myspace": "me"}))
    assert set(errors) == {"kind", "region_code", "short_name", "officers", "channels"}
    assert set(errors["officers"][0]) == {"phone", "email"}
    assert set(errors["channels"]) == {"instagram", "myspace"}


def test_an_officer_must_be_reachable_and_have_a_known_position():
    errors = errors_of(schemas.AgencyInput(), valid_agency(officers=[{"name": "Andi", "position": "ppid"}]))
    assert "phone" in errors["officers"][0]
    errors = errors_of(schemas.AgencyInput(), valid_agency(
        officers=[{"name": "Andi", "position": "boss", "email": "andi@pareparekota.go.id"}]))
    assert "position" in errors["officers"][0]


def test_a_registration_is_loaded_with_defaults_and_normalised_contacts():
    loaded = schemas.AgencyInput().load(valid_agency(
        officers=[{"name": "Andi Makkasau", "position": "kepala_humas", "phone": "0812 3456 7890"}],
        channels={"instagram": "@dinkes.parepare"}))
    assert loaded["role"] == "member" and loaded["parent_id"] is None and loaded["contributors"] == []
    assert loaded["officers"][0]["phone"] == "+6281234567890"
    assert loaded["channels"] == {"instagram": "https://www.instagram.com/dinkes.parepare"}


def test_a_change_carries_only_what_was_sent_but_nested_people_stay_complete():
    assert schemas.AgencyChanges().load({"region_code": "73.72"}) == {"region_code": "73.72"}
    errors = errors_of(schemas.AgencyChanges(), {"officers": [{"position": "ppid", "phone": "08123456789"}]})
    assert "name" in errors["officers"][0]
    assert "body" in errors_of(schemas.AgencyChanges(), {})


def test_the_list_query_has_bounds():
    assert schemas.AgencyQuery().load({}) == {"limit": 50, "offset": 0}
    errors = errors_of(schemas.AgencyQuery(), {"limit": "0", "offset": "-1", "kind": "army"})
    assert set(errors) == {"limit", "offset", "kind"}
