"""The Slack app manifest describes only what the bot does."""

import re

from bot.adapters.slack.manifest import manifest
from bot.commands import registry


def test_the_manifest_claims_no_feature_the_bot_lacks() -> None:
    info = manifest(registry, "https://gigs.example.org")["display_information"]
    described = f"{info['description']}\n{info['long_description']}".lower()
    assert "screened" in described  # gig admin screening: how gigs are screened
    named = re.findall(r"^/gig ([a-z -]+):", info["long_description"], re.MULTILINE)
    assert sorted(named) == sorted(spec.name for spec in registry)
    for feature in ("repost", "search", "apply", "nudge"):
        assert feature in described, feature
