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


def test_a_refunded_token_can_be_taken_again_but_never_past_the_burst():
    bucket = TokenBucket(per_minute=60, burst=2, clock=Clock())
    assert [bucket.take("a") for _ in range(2)] == [None, None]
    bucket.refund("a")
    assert bucket.take("a") is None and bucket.take("a") is not None
    bucket.refund("b")  # a refund to a full bucket keeps it at the burst
    bucket.refund("b")
    assert [bucket.take("b") for _ in range(3)][-1] is not None


def test_an_open311_form_becomes_an_intake_body():
    body = open311_complaint({"service_code": "kebersihan", "description": "Sampah", "lat": "-4.01",
                              "long": "119.62", "address_string": "Jl. Pelabuhan", "first_name": "Budi",
                              "last_name": "S", "email": "budi@example.id", "media_url": "https://x.id/a.jpg"})
    loaded = schemas.ComplaintInput().load(body)
    assert loaded["channel"] == "open311" and loaded["location"]["latitude"] == -4.01
    assert loaded["reporter"]["name"] == "Budi S" and loaded["attachments"] == ["https://x.id/a.jpg"]
    assert open311_complaint({"service_code": "x", "description": "y"})["anonymous"] is True
