import shlex

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.services.gigs import GIG_FIELDS
from bot.store.models import Gig, GigTag, OutboxMessage, Posting
from tests.conftest import Harness

VALID = {
    "title": st.builds(lambda word, n: f"{word} {n}", st.text(alphabet="abcdefghij éK@<>!", max_size=20),
                       st.integers(100, 10**9)),
    "budget": st.sampled_from(["200", "150-300 EUR", "25 EUR/h", "$80", "12,50", "€ 40"]),
    "tags": st.sampled_from(["js,php", "", "Python, #django", "c#,c++"]),
    "remote": st.sampled_from(["yes", "non", "oui", "NO"]),
    "location": st.sampled_from(["Lyon", "", "Montréal"]),
    "apply_by": st.sampled_from(["2026-12-01", "2026-11-23", "2027-06-30"]),
    "apply_url": st.one_of(st.just(""), st.integers(1, 10**9).map(lambda n: f"https://acme.io/j/{n}/?utm_source=x")),
    "hours": st.sampled_from(["10", "10h", "2000"]),
    "description": st.text(max_size=60),
    "source": st.sampled_from(["Malt", "a friend"]),
}
INVALID = {
    "title": st.sampled_from(["ab", "", "x" * 130]),
    "budget": st.sampled_from(["0", "free", "300-150", "€", "1e9", "12.345", "-5"]),
    "tags": st.sampled_from(["a b/c", "x" * 40, ",".join(f"t{i}" for i in range(12))]),
    "remote": st.sampled_from(["maybe", "2"]),
    "apply_by": st.sampled_from(["2026-11-01", "2031-01-01", "soon", "2026-02-30"]),
    "apply_url": st.sampled_from(["ftp://x", "http://", "https://a.b/c d", "https://a:99999/"]),
    "hours": st.sampled_from(["0", "-1", "99999", "²", "1.5"]),
}
ANY_TEXT = st.one_of(st.text(max_size=40), st.text(alphabet="0123456789-,./€$h EURyes", max_size=12))


@st.composite
def post_options(draw: st.DrawFn) -> dict[str, str]:
    """A mix: mostly valid gigs with some bad fields, and arbitrary text in arbitrary fields."""
    if draw(st.booleans()):
        return draw(st.dictionaries(st.sampled_from(GIG_FIELDS), ANY_TEXT, max_size=10))
    options = {}
    for name in GIG_FIELDS:
        if name in ("title", "budget") or draw(st.booleans()):
            bad = name in INVALID and draw(st.integers(0, 4)) == 0
            options[name] = draw(INVALID[name] if bad else VALID[name])
    return options


async def counts(bot: Harness) -> tuple[int, ...]:
    async with bot.app.sessions() as session:
        return tuple([(await session.execute(select(func.count()).select_from(model))).scalar_one()
                      for model in (Gig, GigTag, Posting, OutboxMessage)])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(options=post_options())
async def test_any_post_is_stored_whole_or_refused_with_a_clear_message_and_nothing_stored(
        bot: Harness, options: dict[str, str]) -> None:
    line = "/gig post " + " ".join(f"{key}={shlex.quote(value)}" for key, value in options.items())
    before = await counts(bot)
    reply = await bot.run("admin", line)
    after = await counts(bot)
    assert reply.text and "Something went wrong" not in reply.text
    if reply.ok and reply.form is None:
        event("stored")
        assert after[0] == before[0] + 1 and after[2] == before[2] + 1 and after[3] == before[3] + 1
    else:
        event("refused")
        assert after == before, reply.text
