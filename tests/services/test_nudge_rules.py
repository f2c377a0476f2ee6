"""The table of nudge rules: every kind has one, with a real policy setting and a message in both catalogs."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.core.i18n import Translator, catalog
from bot.core.states import ApplicationStatus, NudgeKind
from bot.services import nudges
from bot.services.nudge_messages import SHAPES, NudgeFacts, nudge_message
from bot.services.nudge_rules import RULES, SHAPE_KEYS, Shape, Start, Stop, follow_ons, kinds, planned, rule_for
from bot.services.policy import NudgePolicy

S = ApplicationStatus
K = NudgeKind


def test_every_kind_has_a_rule() -> None:
    assert set(RULES) == set(NudgeKind)
    assert all(rule.kind is kind for kind, rule in RULES.items())
    for kind in NudgeKind:
        assert rule_for(kind) is RULES[kind]
        assert rule_for(kind.value) is RULES[kind]
    with pytest.raises(LookupError, match="'reminder_of_doom'"):
        rule_for("reminder_of_doom")


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_kind_has_its_message_in_the_catalog(locale: str) -> None:
    messages = catalog(locale)  # a counted message is there as its plural forms
    missing = [f"{rule.kind}: {key}" for rule in RULES.values() for key in rule.message_keys()
               if key not in messages and f"{key}.other" not in messages]
    assert missing == []
    assert set(SHAPES) == set(Shape) == set(SHAPE_KEYS)


def test_every_rule_is_complete() -> None:
    settings = set(NudgePolicy.names())
    for rule in RULES.values():
        assert rule.delay in settings, rule.kind
        assert rule.due_after(NudgePolicy()) == getattr(NudgePolicy(), rule.delay) > timedelta(0)
        assert Stop.GIG_CLOSED in rule.stops and Stop.MEMBER_UNREACHABLE in rule.stops, rule.kind
        assert (rule.start is Start.STATUS_CHANGE) == bool(rule.planned_at), rule.kind
        assert (rule.start is Start.SENT) == (rule.follows is not None), rule.kind
        assert (Stop.STATUS_LEFT in rule.stops) == bool(rule.sent_at), rule.kind
        assert rule.about_application == (Stop.STATUS_CHANGE in rule.stops), rule.kind
    assert {rule.delay for rule in RULES.values()} == settings  # and every setting times a kind


def test_what_each_status_plans() -> None:
    """The schedule members know: two days to follow up, then five, and a news check after each change."""
    policy = NudgePolicy()
    assert nudges.plan(S.APPLIED, None, policy) == [(K.FOLLOW_UP, timedelta(days=2)),
                                                    (K.NEWS_CHECK, timedelta(days=14))]
    assert nudges.plan(S.FOLLOWED_UP, S.APPLIED, policy) == [(K.FOLLOW_UP_AGAIN, timedelta(days=5)),
                                                             (K.NEWS_CHECK, timedelta(days=14))]
    assert nudges.plan(S.FOLLOWED_UP, S.NO_RESPONSE, policy)[0][0] is K.FOLLOW_UP_AGAIN
    assert nudges.plan(S.FOLLOWED_UP, S.FOLLOWED_UP, policy) == [(K.NEWS_CHECK, timedelta(days=14))]
    assert nudges.plan(S.INTERVIEWING, S.FOLLOWED_UP, policy) == [(K.NEWS_CHECK, timedelta(days=14))]
    for final in (S.HIRED, S.REJECTED, S.WITHDRAWN, S.NO_RESPONSE):
        assert planned(final, S.APPLIED) == []
    assert [rule.kind for rule in follow_ons(K.NEWS_CHECK)] == [K.NO_RESPONSE]
    assert RULES[K.NO_RESPONSE].marks is S.NO_RESPONSE
    assert all(follow_ons(kind) == [] for kind in NudgeKind if kind is not K.NEWS_CHECK)


def test_what_cancels_and_what_snoozes() -> None:
    assert set(kinds(stopped_by=Stop.GIG_CLOSED)) == set(NudgeKind)
    assert set(kinds(stopped_by=Stop.STATUS_CHANGE)) == set(NudgeKind) - {K.POSTER_REVIEW}
    assert kinds(stopped_by=Stop.APPLICANT_MOVED_ON) == (K.POSTER_REVIEW,)
    assert kinds(snoozable=True) == (K.FOLLOW_UP, K.FOLLOW_UP_AGAIN, K.NEWS_CHECK)
    assert RULES[K.FOLLOW_UP].sent_at == (S.APPLIED,) and RULES[K.FOLLOW_UP_AGAIN].sent_at == (S.FOLLOWED_UP,)


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("kind", list(NudgeKind))
def test_every_kind_renders_without_a_missing_key(kind: NudgeKind, locale: str,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    facts = NudgeFacts(kind, 7, "Fix my form", "Poppy", "applied", 3, wait_days=7, applicants=2)
    with caplog.at_level(logging.ERROR, logger="bot.core.i18n"):
        message = nudge_message(facts, Translator(locale))
    assert caplog.records == []
    text = str(message.text) + "".join(str(card.title) + str(card.body) for card in message.cards)
    assert "7" in text and "Fix my form" in text
    assert bool(message.cards) is (RULES[kind].shape is not Shape.NOTICE)
