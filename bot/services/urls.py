"""URLs: validated for apply links, and made canonical so the same gig shared twice is recognised."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.core.errors import UserError

TRACKING = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "ref_src", "referrer",
            "source", "trk", "trackingid", "si", "_hsenc", "_hsmi", "yclid", "twclid", "li_fat_id"}


def check_url(raw: str) -> str:
    """An http(s) URL with a host, or a user error."""
    text = raw.strip().strip("<>")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number from 0 to 65535
    except ValueError as exc:
        raise UserError("gig.bad_url", value=raw) from exc
    if (parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in text
            or not text.isprintable() or len(text) > 500):
        raise UserError("gig.bad_url", value=raw)
    return text


def canonical_url(url: str) -> str:
    """The URL without tracking parameters, fragment, `www.` or trailing slash, with sorted parameters."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING
    )
    path = parts.path.rstrip("/") or ""
    return urlunsplit(("https", host, path, urlencode(query), ""))[:500]  # fits gig.canonical_url (500)
