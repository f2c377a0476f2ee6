"""Apply links: checked, and made canonical so the same gig shared twice is recognised."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import UserError
from bot.services.urls import canonical_url, check_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://example.com/jobs/12", "https://example.com/jobs/12"),
        ("http://example.com", "http://example.com"),
        ("  https://example.com/x  ", "https://example.com/x"),
        ("<https://example.com/x>", "https://example.com/x"),  # Slack wraps links in angle brackets
        ("HTTPS://Example.com/x", "HTTPS://Example.com/x"),
        ("https://example.com:8443/x?a=1#apply", "https://example.com:8443/x?a=1#apply"),
        ("https://café.example/x", "https://café.example/x"),
        ("http://[::1]:8080/", "http://[::1]:8080/"),
    ],
)
def test_check_url_accepts(raw: str, expected: str) -> None:
    assert check_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "ftp://example.com/file",
        "mailto:jobs@example.com",
        "javascript:alert(1)",
        "example.com/jobs",
        "www.example.com",
        "https://",
        "https:///path",
        "https://user@/path",
        "https://exa mple.com",
        "https://example.com/a b",
        "https://example.com/a\tb",
        "https://example.com/a\nb",
        "https://example.com/a\u00a0b",  # no-break space
        "https://example.com/" + "a" * 481,  # 501 characters
        "https://[::1",  # unbalanced IPv6 bracket
        "https://example.com:abc/x",  # port that is not a number
        "https://example.com:99999/x",  # port out of range
        "",
    ],
)
def test_check_url_refuses(raw: str) -> None:
    with pytest.raises(UserError) as caught:
        check_url(raw)
    assert caught.value.key == "gig.bad_url"
    assert caught.value.params == {"value": raw}


def test_check_url_at_the_length_limit() -> None:
    url = "https://example.com/" + "a" * 480
    assert len(url) == 500
    assert check_url(url) == url


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.text().map(lambda s: "https://" + s), st.text().map(lambda s: "http://x.io/" + s)))
def test_any_text_is_a_url_or_a_user_error(raw: str) -> None:
    try:
        url = check_url(raw)
    except UserError as error:
        assert error.key == "gig.bad_url"
        return
    assert url.lower().startswith(("http://", "https://"))
    canonical = canonical_url(url)  # a checked URL always has a canonical form
    assert canonical.startswith("https://") and len(canonical) <= 500


def test_canonical_url_drops_tracking_fragment_www_and_trailing_slash() -> None:
    raw = "https://www.Example.com/jobs/12/?utm_source=x&utm_campaign=y&b=2&a=1&fbclid=z&gclid=q&ref=r#apply"
    assert canonical_url(raw) == "https://example.com/jobs/12?a=1&b=2"


@pytest.mark.parametrize(
    "variant",
    [
        "https://example.com/jobs/12",
        "http://example.com/jobs/12",
        "https://www.example.com/jobs/12",
        "https://EXAMPLE.COM/jobs/12/",
        "http://WWW.Example.Com/jobs/12/#top",
        "https://example.com/jobs/12?utm_medium=social",
        "https://example.com/jobs/12?UTM_Source=x&Ref=y&FBCLID=z",
        "https://example.com:443/jobs/12",
        "http://example.com:80/jobs/12",
        "  https://example.com/jobs/12  ",
    ],
)
def test_same_gig_same_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == "https://example.com/jobs/12"


def test_parameters_are_sorted_and_kept() -> None:
    assert canonical_url("https://example.com/?z=1&a=2&m=") == "https://example.com?a=2&m=&z=1"
    assert canonical_url("https://example.com/?b=2&a=1") == canonical_url("https://example.com/?a=1&b=2")


def test_different_gigs_stay_different() -> None:
    assert canonical_url("https://example.com/jobs/12") != canonical_url("https://example.com/jobs/13")
    assert canonical_url("https://example.com/jobs?id=12") != canonical_url("https://example.com/jobs?id=13")
    assert canonical_url("https://example.com:8080/jobs") != canonical_url("https://example.com/jobs")
    assert canonical_url("https://a.example.com/x") != canonical_url("https://b.example.com/x")


def test_path_case_is_kept() -> None:
    assert canonical_url("https://example.com/Jobs/ABC") == "https://example.com/Jobs/ABC"


def test_root_url() -> None:
    assert canonical_url("https://www.example.com/") == "https://example.com"


def test_canonical_url_fits_its_column() -> None:
    url = check_url("http://example.com/?q=" + "é" * 470)  # each é becomes %C3%A9
    assert len(canonical_url(url)) <= 500
