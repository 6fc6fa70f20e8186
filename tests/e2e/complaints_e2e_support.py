"""Helpers for the complaints end-to-end tests."""
import time

import requests

REPORTER = {"name": "Ani Rahmawati", "phone": "081234567890", "email": "ani@example.id"}


def eventually(check, timeout=30, interval=0.3):
    """Poll until ``check()`` returns something truthy (events and the intake queue are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: {check}")
        time.sleep(interval)


def complaint(**fields):
    return {"channel": "web", "text": "Lampu jalan mati sejak seminggu", "category": "infrastruktur", **fields}


def file(base_url, body, headers=None):
    answer = requests.post(base_url + "/api/v1/complaints", json=body, headers=headers or {}, timeout=15)
    assert answer.status_code == 202, answer.text
    return answer.json()


def tracked(base_url, number):
    """The tracking page once the complaints service has processed the complaint."""
    def look():
        page = requests.get(f"{base_url}/api/v1/complaints/track/{number}", timeout=15)
        return page.json() if page.status_code == 200 else None
    return eventually(look, timeout=60)
