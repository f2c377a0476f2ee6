"""Validating a posted gig: defaults, one message per bad field, all bad fields at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import FieldErrors
from bot.services.budget import Budget
from bot.services.gigs import DEFAULT_APPLY_DAYS, GIG_FIELDS, GigDraft, title_key, validate_gig

TODAY = date(2026, 11, 23)


def validate(**raw: str) -> GigDraft:
    return validate_gig(raw, TODAY, "EUR")


def field_errors(**raw: str) -> dict[str, str]:
    with pytest.raises(FieldErrors) as caught:
        validate(**raw)
    assert caught.value.key == "errors.fields"
    assert caught.value.params == {"count": len(caught.value.errors)}
    return {name: error.key for name, error in caught.value.errors.items()}


def test_minimal_draft_gets_defaults() -> None:
    draft = validate(title="Fix my WordPress form", budget="200")
    assert draft == GigDraft(
        title="Fix my WordPress form",
        budget=Budget(20000, 20000, "EUR"),
        apply_by=TODAY + timedelta(days=DEFAULT_APPLY_DAYS),
        description="",
        tags=[],
        remote=True,
        location="",
        hours=None,
        apply_url=None,
        source="",
    )
    assert draft.apply_by == date(2026, 12, 7)


def test_a_location_makes_the_gig_on_site_by_default() -> None:
    draft = validate(title="Fix my WordPress form", budget="200", location="Lyon")
    assert draft.location == "Lyon"
    assert draft.remote is False


def test_explicit_remote_wins() -> None:
    assert validate(title="Fix my form", budget="200", location="Lyon", remote="oui").remote is True
    assert validate(title="Fix my form", budget="200", remote="no").remote is False


def test_empty_optional_fields_are_ignored() -> None:
    draft = validate(title="Fix my form", budget="200", tags="  ", remote="", hours=" ", apply_by="", apply_url="")
    assert draft.tags == [] and draft.remote is True and draft.hours is None and draft.apply_url is None


def test_unknown_keys_are_ignored() -> None:
    assert validate(title="Fix my form", budget="200", colour="blue").title == "Fix my form"


def test_full_draft() -> None:
    draft = validate(
        title="  Build a   landing page ",
        description="A one-page site for a bakery.",
        tags="React, #JS, react",
        budget="150-300 EUR",
        remote="yes",
        location="Paris",
        hours="20h",
        apply_by="2026-12-31",
        apply_url="<https://example.com/jobs/1>",
        source="a friend",
    )
    assert draft.title == "Build a landing page"
    assert draft.description == "A one-page site for a bakery."
    assert draft.tags == ["react", "javascript"]
    assert draft.budget == Budget(15000, 30000, "EUR")
    assert (draft.remote, draft.location, draft.hours) == (True, "Paris", 20)
    assert draft.apply_by == date(2026, 12, 31)
    assert draft.apply_url == "https://example.com/jobs/1"
    assert draft.source == "a friend"


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("title", "ab", "gig.title_short"),
        ("title", "   a  ", "gig.title_short"),
        ("title", "x" * 121, "gig.too_long"),
        ("title", "   ", "gig.title_missing"),
        ("budget", "", "gig.budget_missing"),
        ("budget", "free", "gig.unpaid"),
        ("budget", "0", "gig.unpaid"),
        ("budget", "lots", "gig.bad_budget"),
        ("budget", "300-100", "gig.budget_range"),
        ("hours", "0", "gig.bad_hours"),
        ("hours", "2001", "gig.bad_hours"),
        ("hours", "-3", "gig.bad_hours"),
        ("hours", "a few", "gig.bad_hours"),
        ("hours", "2.5", "gig.bad_hours"),
        ("hours", "²", "gig.bad_hours"),  # a digit to str.isdigit, not to int()
        ("hours", "9" * 5000, "gig.bad_hours"),  # beyond int()'s digit limit
        ("apply_by", "31/12/2026", "gig.bad_date"),
        ("apply_by", "2026-02-30", "gig.bad_date"),
        ("apply_by", "tomorrow", "gig.bad_date"),
        ("apply_by", "2026-11-22", "gig.date_past"),
        ("apply_by", "2027-11-25", "gig.date_far"),
        ("apply_url", "ftp://example.com", "gig.bad_url"),
        ("apply_url", "example.com", "gig.bad_url"),
        ("apply_url", "https://[::1", "gig.bad_url"),
        ("description", "x" * 3001, "gig.too_long"),
        ("location", "x" * 101, "gig.too_long"),
        ("source", "x" * 101, "gig.too_long"),
        ("tags", "python, bad tag!", "gig.bad_tag"),
        ("tags", ",".join(f"t{i}" for i in range(11)), "gig.too_many_tags"),
        ("remote", "maybe", "params.bad_bool"),
    ],
)
def test_each_bad_field_has_its_own_message(field: str, value: str, key: str) -> None:
    raw = {"title": "Fix my WordPress form", "budget": "200", field: value}
    assert field_errors(**raw) == {field: key}


def test_too_long_names_the_field() -> None:
    with pytest.raises(FieldErrors) as caught:
        validate(title="Fix my form", budget="200", location="x" * 101)
    assert caught.value.errors["location"].params == {"name": "location", "max": 100, "length": 101}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "abc"),
        ("title", "x" * 120),
        ("hours", "1"),
        ("hours", "2000"),
        ("hours", "12 H"),
        ("apply_by", "2026-11-23"),
        ("apply_by", "2027-11-24"),  # today + 366 days
        ("description", "x" * 3000),
        ("location", "x" * 100),
    ],
)
def test_limits_are_inclusive(field: str, value: str) -> None:
    raw = {"title": "Fix my WordPress form", "budget": "200", field: value}
    validate_gig(raw, TODAY, "EUR")


def test_empty_draft_reports_both_required_fields() -> None:
    assert field_errors() == {"title": "gig.title_missing", "budget": "gig.budget_missing"}


def test_all_bad_fields_are_reported_together() -> None:
    errors = field_errors(
        title="ab", budget="exposure", hours="lots", apply_by="2020-01-01", apply_url="nope", tags="!!",
        remote="perhaps", description="x" * 3001,
    )
    assert errors == {
        "title": "gig.title_short",
        "budget": "gig.unpaid",
        "hours": "gig.bad_hours",
        "apply_by": "gig.date_past",
        "apply_url": "gig.bad_url",
        "tags": "gig.bad_tag",
        "remote": "params.bad_bool",
        "description": "gig.too_long",
    }


def test_default_currency_comes_from_the_community() -> None:
    assert validate_gig({"title": "Fix my form", "budget": "200"}, TODAY, "USD").budget.currency == "USD"


field_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["Fix my WordPress form", "200", "150-300 EUR", "free", "yes", "maybe", "python,js", "12h",
                     "2026-12-01", "2020-01-01", "https://example.com/x", "Lyon", "", "ab"]),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(GIG_FIELDS), field_values))
def test_any_fields_give_a_draft_or_field_errors(raw: dict[str, str]) -> None:
    try:
        draft = validate_gig(raw, TODAY, "EUR")
    except FieldErrors as error:
        assert error.errors
        assert set(error.errors) <= set(GIG_FIELDS)
        return
    assert 3 <= len(draft.title) <= 120
    assert 0 < draft.budget.low <= draft.budget.high
    assert TODAY <= draft.apply_by <= TODAY + timedelta(days=366)


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("Fix my  WordPress form!", "fix my wordpress form"),
        ("Café", "cafe"),
        ("  Réparer mon formulaire — WordPress ", "reparer mon formulaire wordpress"),
        ("FIX-MY_FORM", "fix my form"),
        ("!!!", ""),
    ],
)
def test_title_key(title: str, key: str) -> None:
    assert title_key(title) == key


def test_title_key_folds_variants_of_the_same_title_together() -> None:
    assert title_key("Fix my  WordPress form!") == title_key("fix my wordpress form")
    assert title_key("Créer un site") == title_key("CREER UN SITE.")


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_title_key_is_short_plain_and_stable(title: str) -> None:
    key = title_key(title)
    assert len(key) <= 120
    assert all(c in "abcdefghijklmnopqrstuvwxyz0123456789 " for c in key)
    assert title_key(key) == key
