"""The client's address for the login throttle, with and without proxies in front (dingzhou_welfare/addresses.py)."""

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from dingzhou_welfare.addresses import client_ip

from ..factories import PASSWORD


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.9", None, "203.0.113.9"),
        (0, "203.0.113.9", "6.6.6.6", "203.0.113.9"),  # no proxy: the header is the client's own
        (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),  # nginx appended the client's address
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # what the client wrote is left of it
        (2, "10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),  # a balancer, then nginx
        (1, "10.0.0.2", None, "10.0.0.2"),  # not through the proxy as configured
        (2, "10.0.0.3", "198.51.100.7", "10.0.0.3"),
        (1, "10.0.0.2", "unknown", "10.0.0.2"),
        (1, "10.0.0.2", " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_ip(proxies, remote, forwarded, expected):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(PROXY_COUNT=proxies):
        assert client_ip(RequestFactory().get("/", **meta)) == expected


def log_in(client, forwarded, password):
    return client.post(
        reverse("login"),
        {"username": "caseworker_a", "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_one_address_locked_out_does_not_lock_the_others(client, caseworker_a):
    for attempt in range(5):
        log_in(client, f"6.6.6.{attempt}, 198.51.100.7", f"wrong-{attempt}")  # forging the header does not help
    assert log_in(client, "198.51.100.7", PASSWORD).status_code == 429
    assert log_in(client, "198.51.100.8", PASSWORD).status_code == 302  # a colleague behind the same proxy


@override_settings(PROXY_COUNT=0)
def test_without_a_proxy_a_forged_header_does_not_escape_the_lock(client, caseworker_a):
    for attempt in range(5):
        log_in(client, f"6.6.6.{attempt}", f"wrong-{attempt}")
    assert log_in(client, "198.51.100.8", PASSWORD).status_code == 429
