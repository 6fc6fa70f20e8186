"""The gateway's side of intake: the rate limit and the Open311 form mapping."""
from gateway.ratelimit import TokenBucket
from gateway.routes.open311 import open311_complaint
from services.complaints import schemas


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_token_bucket_allows_a_burst_then_refills():
    clock = Clock()
    bucket = TokenBucket(per_minute=60, burst=3, clock=clock)
    assert [bucket.take("a") for _ in range(3)] == [None, None, None]
    wait = bucket.take("a")
    assert 0 < wait <= 1
    assert bucket.take("b") is None  # another address has its own bucket
    clock.now += 1.0
    assert bucket.take("a") is None


def test_an_open311_form_becomes_an_intake_body():
    body = open311_complaint({"service_code": "kebersihan", "description": "Sampah", "lat": "-4.01",
                              "long": "119.62", "address_string": "Jl. Pelabuhan", "first_name": "Budi",
                              "last_name": "S", "email": "budi@example.id", "media_url": "https://x.id/a.jpg"})
    loaded = schemas.ComplaintInput().load(body)
    assert loaded["channel"] == "open311" and loaded["location"]["latitude"] == -4.01
    assert loaded["reporter"]["name"] == "Budi S" and loaded["attachments"] == ["https://x.id/a.jpg"]
    assert open311_complaint({"service_code": "x", "description": "y"})["anonymous"] is True
