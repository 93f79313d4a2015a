"""Stored arrangement policies: versions by checksum, one active per product with ``*``
for the rest, the shipped policies, and what a product's quotes are judged by."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from arrears.domain.arrangement_policy import KindLimits, Proposal, judge
from arrears.entrypoints.bootstrap import App
from arrears.services import arrangement_policies as policies
from arrears.services.errors import InvalidInput, NotFound
from tests.helpers import NOW

SIMPLE = """\
name: simple
per_year: 2
kinds:
  plan: {max_instalments: 6, min_down_payment_percent: "10"}
"""
OTHER = """\
name: other
kinds:
  promise: {max_days: 7}
"""


def load(app: App, text: str, *products: str, author: str = "wang.fang") -> int:
    _name, version = policies.load_text(app.uow_factory, text, author, NOW, products)
    return version


def test_loading_the_same_text_again_keeps_the_version_and_a_change_makes_the_next(app: App):
    # given a policy loaded once
    assert load(app, SIMPLE) == 1

    # when the same text is loaded again, then a changed one, then the same changed one
    again = load(app, SIMPLE, author="someone.else")
    changed = load(app, SIMPLE.replace("max_instalments: 6", "max_instalments: 9"))
    changed_again = load(app, SIMPLE.replace("max_instalments: 6", "max_instalments: 9"))

    # then only the change made a version, and every version is kept with its author
    assert (again, changed, changed_again) == (1, 2, 2)
    with app.uow() as uow:
        versions = uow.arrangement_policies.versions("simple")
        first = uow.arrangement_policies.version("simple", 1)
        latest = uow.arrangement_policies.latest("simple")
        names = uow.arrangement_policies.names()
    assert [(v.version, v.author) for v in versions] == [(1, "wang.fang"), (2, "wang.fang")]
    assert first is not None and first.source_text == SIMPLE
    assert latest is not None and "max_instalments: 9" in latest.source_text
    assert latest.loaded_at == NOW
    assert names == ["simple"]


def test_an_invalid_file_stores_nothing_and_reports_every_finding(app: App):
    bad = SIMPLE.replace("max_instalments: 6", "max_instalments: 0").replace('"10"', "10.125")
    with pytest.raises(policies.InvalidArrangementPolicy) as raised:
        load(app, bad, "*")
    assert [(f.line, f.code.value) for f in raised.value.findings] == [
        (4, "out_of_range"),
        (4, "bad_number"),
    ]
    assert raised.value.exit_code == 2
    with app.uow() as uow:
        assert uow.arrangement_policies.names() == []
        assert uow.arrangement_policies.active() == {}


@pytest.mark.parametrize("product", ["", "   ", "p" * 65])
def test_a_bad_product_name_stores_nothing(app: App, product: str):
    with pytest.raises(InvalidInput, match="a product name must be 1 to 64 characters"):
        load(app, SIMPLE, "*", product)
    with app.uow() as uow:
        assert uow.arrangement_policies.names() == []


def test_an_author_is_required(app: App):
    with pytest.raises(InvalidInput, match="the author must be 1 to 100 characters"):
        load(app, SIMPLE, author=" ")


def test_nothing_judges_a_product_until_a_policy_is_activated(app: App):
    load(app, SIMPLE)
    with app.uow() as uow:
        assert policies.policy_for(uow, "cash") is None
    with pytest.raises(NotFound, match=r"no arrangement policy is active for every product \(\*\)"):
        policies.show_policy(app.uow_factory)


def test_a_product_uses_its_own_policy_and_every_other_product_the_star_one(app: App):
    # given SIMPLE for every product and OTHER for the product "bnpl"
    load(app, SIMPLE, "*")
    load(app, OTHER, "bnpl")

    # when each product's policy is read in a unit of work
    with app.uow() as uow:
        bnpl = policies.policy_for(uow, "bnpl")
        cash = policies.policy_for(uow, "cash")
        active = uow.arrangement_policies.active()

    # then bnpl gets its own, and cash the one for "*", parsed, with its version
    assert active == {"*": "simple", "bnpl": "other"}
    assert bnpl is not None and (bnpl.name, bnpl.version) == ("other", 1)
    assert dict(bnpl.policy.kinds) == {"promise": KindLimits(max_days=7)}
    assert cash is not None and (cash.name, cash.version, cash.author) == ("simple", 1, "wang.fang")
    assert cash.source_text == SIMPLE and cash.loaded_at == NOW
    proposal = Proposal("plan", bucket="M2", arrangements_this_year=0, instalments=7)
    assert judge(cash.policy, proposal).reasons == ("7 instalments is more than the 6 allowed",)


def test_a_new_version_of_an_active_policy_is_what_the_next_quote_reads(app: App):
    load(app, SIMPLE, "*")
    load(app, SIMPLE.replace("max_instalments: 6", "max_instalments: 9"))
    with app.uow() as uow:
        stored = policies.policy_for(uow, "cash")
    assert stored is not None and stored.version == 2
    assert stored.policy.kinds["plan"].max_instalments == 9


def test_activating_another_policy_for_a_product_replaces_the_first(app: App):
    # given SIMPLE active for every product and for cash
    load(app, SIMPLE, "*", "cash")

    # when OTHER is loaded for cash, then activated for every product
    load(app, OTHER, "cash")
    version = policies.activate_policy(app.uow_factory, "other", "*", NOW + timedelta(hours=1))

    # then each product has one policy, the last activated
    assert version == 1
    with app.uow() as uow:
        assert uow.arrangement_policies.active() == {"*": "other", "cash": "other"}
        assert policies.policy_for(uow, "cash") == policies.policy_for(uow, "bnpl")


def test_activating_a_policy_that_is_not_stored_is_not_found(app: App):
    load(app, SIMPLE)
    with pytest.raises(
        NotFound, match=r"no arrangement policy named 'nope' is stored \(stored: simple\)"
    ):
        policies.activate_policy(app.uow_factory, "nope", "*", NOW)
    with app.uow() as uow:
        assert uow.arrangement_policies.active() == {}


def test_show_gives_the_star_policy_or_a_named_version_with_where_it_is_active(app: App):
    load(app, SIMPLE, "*", "cash")
    load(app, SIMPLE.replace("per_year: 2", "per_year: 4"))
    load(app, OTHER)

    shown = policies.show_policy(app.uow_factory)
    first = policies.show_policy(app.uow_factory, "simple", version=1)
    other = policies.show_policy(app.uow_factory, "other")

    assert (shown.stored.name, shown.stored.version, shown.products) == ("simple", 2, ("*", "cash"))
    assert shown.stored.policy.per_year == 4
    assert (first.stored.version, first.stored.policy.per_year) == (1, 2)
    assert (other.stored.name, other.products) == ("other", ())
    with pytest.raises(NotFound, match=r"arrangement policy simple has no version 3 \(latest: 2\)"):
        policies.show_policy(app.uow_factory, "simple", version=3)
    with pytest.raises(NotFound, match="no arrangement policy named 'nope'"):
        policies.show_policy(app.uow_factory, "nope")


def test_list_gives_each_policy_at_its_latest_version_and_its_products(app: App):
    load(app, SIMPLE, "bnpl")
    load(app, SIMPLE.replace("per_year: 2", "per_year: 4"), "*")
    load(app, OTHER)

    summaries = policies.list_policies(app.uow_factory)

    assert [(s.name, s.latest_version, s.author, s.products) for s in summaries] == [
        ("other", 1, "wang.fang", ()),
        ("simple", 2, "wang.fang", ("*", "bnpl")),
    ]


def test_the_shipped_policies_are_stored_once_and_the_chosen_one_judges_every_product(app: App):
    # when the shipped policies are loaded twice, choosing us-standard, then cn-standard
    first = policies.load_shipped_policies(app.uow_factory, NOW, "us-standard")
    second = policies.load_shipped_policies(app.uow_factory, NOW, "cn-standard")

    # then each is stored once, and the first choice stays active for every product
    assert first == second == {"cn-standard": 1, "us-standard": 1}
    with app.uow() as uow:
        assert uow.arrangement_policies.active() == {"*": "us-standard"}
        stored = policies.policy_for(uow, "any-product")
        assert uow.arrangement_policies.latest("cn-standard") is not None
    assert stored is not None and (stored.name, stored.author) == ("us-standard", "arrears")
    settlement = stored.policy.kinds["settlement"]
    assert settlement.max_discount_percent_by_bucket["M7"] == Decimal("60")


def test_a_stored_policy_of_a_shipped_name_is_left_alone(app: App):
    # given a lender's own edit of us-standard, loaded before the shipped ones
    edited = policies.shipped_policy_texts()["us-standard.yaml"].replace(
        "per_year: 3", "per_year: 1"
    )
    load(app, edited)

    versions = policies.load_shipped_policies(app.uow_factory, NOW, "us-standard")

    assert versions == {"cn-standard": 1, "us-standard": 1}
    with app.uow() as uow:
        stored = policies.policy_for(uow, "cash")
    assert stored is not None and stored.policy.per_year == 1


def test_the_shipped_choice_is_not_activated_when_any_product_has_a_policy(app: App):
    load(app, OTHER, "bnpl")
    policies.load_shipped_policies(app.uow_factory, NOW, "cn-standard")
    with app.uow() as uow:
        assert uow.arrangement_policies.active() == {"bnpl": "other"}


def test_an_unknown_shipped_choice_stores_nothing(app: App):
    with pytest.raises(NotFound, match="no arrangement policy named 'cn-strict' is stored"):
        policies.load_shipped_policies(app.uow_factory, NOW, "cn-strict")
    with app.uow() as uow:
        assert uow.arrangement_policies.names() == []
