"""The pure exclusion matcher the pipeline calls for every new mention."""

from __future__ import annotations

import pytest

from monitor.db.repositories.exclusions import (
    ExclusionRule,
    MentionCandidate,
    match_exclusion,
    normalise_value,
    site_of,
)
from monitor.errors import InvalidInputError

POST = MentionCandidate(brand_id=1, url="https://www.Forum.example/t/9#p3", author=" Nadia ",
                        thread_url="https://forum.example/t/9")


def rule(kind: str, value: str, brand_id: int | None = None, rule_id: int = 1) -> ExclusionRule:
    return ExclusionRule(rule_id, kind, normalise_value(kind, value), brand_id)


@pytest.mark.parametrize(("kind", "value", "muted"), [
    ("author", "nadia", True),
    ("author", "NADIA", True),
    ("author", "nadi", False),
    ("site", "forum.example", True),
    ("site", "www.forum.example", True),
    ("site", "https://forum.example/other/page", True),
    ("site", "other.example", False),
    ("site", "um.example", False),
    ("thread", "https://forum.example/t/9", True),
    ("thread", "https://forum.example/t/90", False),
])
def test_each_kind(kind: str, value: str, muted: bool) -> None:
    assert (match_exclusion([rule(kind, value)], POST) is not None) is muted


def test_subdomains_of_a_muted_site_are_muted() -> None:
    shop = MentionCandidate(1, "https://shop.forum.example/x", None, None)
    assert match_exclusion([rule("site", "forum.example")], shop) is not None


def test_a_brand_rule_mutes_only_that_brand_and_the_first_match_wins() -> None:
    rules = [rule("author", "nadia", brand_id=2, rule_id=1), rule("site", "forum.example",
                                                                   rule_id=2)]
    assert match_exclusion(rules, POST) == rules[1]
    assert match_exclusion(rules[:1], POST) is None
    other_brand = MentionCandidate(2, POST.url, POST.author, POST.thread_url)
    assert match_exclusion(rules, other_brand) == rules[0]


def test_a_thread_rule_matches_the_post_itself() -> None:
    post = MentionCandidate(1, "https://forum.example/t/9", None, None)
    assert match_exclusion([rule("thread", "https://forum.example/t/9")], post) is not None


def test_values_that_cannot_match_are_refused() -> None:
    for kind, value in (("author", "  "), ("site", "https://"), ("site", "com"),
                        ("colour", "red")):
        with pytest.raises(InvalidInputError):
            normalise_value(kind, value)


def test_site_of_copes_with_junk() -> None:
    assert site_of("https://[::1") == ""
    assert site_of("not a url") == ""
    assert site_of("HTTPS://WWW.Example.COM:8080/x") == "example.com"
