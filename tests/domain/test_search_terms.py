"""Brand queries translated into term groups for keyword search engines."""

from __future__ import annotations

import pytest

from monitor.domain.query import parse_query
from monitor.domain.search_terms import compute_search_terms


@pytest.mark.parametrize(
    ("query", "groups"),
    [
        ('Acme OR "Acme Corp"', (("Acme",), ("Acme Corp",))),
        ('Delta NEAR/5 (flight OR gate) NOT "delta variant"',
         (("Delta", "flight"), ("Delta", "gate"))),
        ("Apple NOT (fruit OR pie)", (("Apple",),)),
        ("refund* site:example.com", (("refund",),)),
        ("title:(late OR lost) Acme", (("late", "Acme"), ("lost", "Acme"))),
        ("site:example.com", ()),
        ("NOT spam", ()),
    ],
)
def test_positive_terms_in_disjunctive_normal_form(query: str, groups: tuple[object]) -> None:
    assert compute_search_terms([parse_query(query)]) == groups


def test_groups_of_several_brands_are_merged_without_repeats() -> None:
    queries = [parse_query("Acme OR Globex"), parse_query("globex OR Initech")]
    assert compute_search_terms(queries) == (("Acme",), ("Globex",), ("Initech",))


def test_an_exploding_query_falls_back_to_a_broader_search() -> None:
    query = parse_query(" ".join(f"(a{i} OR b{i} OR c{i})" for i in range(6)))
    assert compute_search_terms([query]) == (("a0",), ("b0",), ("c0",))


def test_too_many_groups_keep_each_groups_longest_member() -> None:
    query = parse_query(" OR ".join(f"(word{i} longerword{i})" for i in range(10)))
    groups = compute_search_terms([query], limit=4)
    assert groups == tuple((f"longerword{i}",) for i in range(4))
