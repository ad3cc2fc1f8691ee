"""Joins are limited per browser: the browser is known by Streamlit's XSRF token, whose
cookie text changes on each page load (a fresh mask) while the token itself does not."""

from __future__ import annotations

import os

from coach.ui.device import _private, _xsrf_token


def _cookie(token: bytes) -> str:
    mask = os.urandom(len(token))
    masked = bytes(a ^ b for a, b in zip(mask, token, strict=True))
    return f"2|{mask.hex()}|{masked.hex()}|1764130000"


def test_two_page_loads_of_one_browser_are_one_client() -> None:
    token = os.urandom(16)
    first, second = _cookie(token), _cookie(token)
    assert first != second
    assert _xsrf_token(first) == _xsrf_token(second) == token.hex()
    assert _xsrf_token(_cookie(os.urandom(16))) != token.hex()  # another browser


def test_a_cookie_of_another_shape_is_used_as_it_is() -> None:
    assert _xsrf_token("plain-token") == "plain-token"
    assert _xsrf_token("2|zz|yy|1") == "2|zz|yy|1"  # not hex: not unmasked
    assert _xsrf_token("") == ""


def test_forwarded_addresses_are_trusted_only_from_a_private_proxy() -> None:
    assert _private("10.1.2.3") and _private("192.168.0.4") and _private("127.0.0.1")
    assert not _private("8.8.8.8") and not _private("not an address")
