"""The console's door on a stack of its own: the sign-in throttle under attempts that arrive at the
same moment, what a change of password, second factor or email asks for, and the smaller edges of
signing in (``next=``, the pre-session CSRF token, pages for unknown console paths).

The stack is its own because the flood at the end empties the sign-in count of 127.0.0.1, which every
other e2e module signs in from."""
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests

from bakohumas.harness import LocalStack

pytestmark = pytest.mark.e2e

PASSWORD = "pelabuhan-senja-2026"
BURST = 20


@pytest.fixture(scope="module")
def own_stack():
    # Twenty argon2 checks at once on a busy machine may take longer than the harness's usual 3 s.
    stack = LocalStack(extra_env={"RPC_TIMEOUT": "30"}).start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def admin(own_stack):
    made = own_stack.bootstrap()
    answer = requests.post(own_stack.url + urlsplit(made["console_link"]).path, allow_redirects=False, timeout=30,
                           data={"password": PASSWORD, "password_again": PASSWORD})
    assert answer.status_code == 303, answer.text
    return {"email": "admin@humas-koord.example.go.id", "password": PASSWORD}


def wrong_sign_in(url):
    return requests.post(f"{url}/console/masuk", allow_redirects=False, timeout=60,
                         data={"email": f"orang-{uuid.uuid4().hex[:8]}@example.go.id", "password": "bukan-sandinya"})


def test_wrong_sign_ins_arriving_at_once_from_one_address_never_pass_the_burst(own_stack, admin):
    """Last in this module: it leaves 127.0.0.1 without tries for a while."""
    with ThreadPoolExecutor(max_workers=45) as pool:
        statuses = [answer.status_code for answer in pool.map(lambda _: wrong_sign_in(own_stack.url), range(45))]
    # A 400 is an attempt that reached the password check; a 429 one stopped before it.
    assert statuses.count(400) == BURST and statuses.count(429) == 45 - BURST, statuses
