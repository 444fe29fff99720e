"""The source kind registry: every kind declared once, read by config, queries and the API."""

from __future__ import annotations

import pytest

from collectors import registry
from collectors.errors import CollectorError
from collectors.registry import KindInfo, OptionField
from monitor.domain.matching import check_query

BUILT_IN = ("rss", "blog", "discourse", "reddit", "hackernews")


def test_the_built_in_kinds_are_registered_in_display_order() -> None:
    names = registry.kind_names()
    assert set(BUILT_IN) <= set(names)
    assert [n for n in names if n in BUILT_IN] == list(BUILT_IN)


def test_every_kind_has_a_display_name_and_a_collector() -> None:
    for info in registry.kinds():
        found = registry.lookup(info.name)
        assert info.display_name
        assert info.url_help
        assert callable(found.collector.collect)
        assert callable(found.collector.collect_thread)
        assert set(info.thread_kinds) <= set(registry.kind_names())


def test_an_unknown_kind_is_refused_with_the_known_ones() -> None:
    with pytest.raises(CollectorError, match="unknown source kind 'myspace'; known: rss"):
        registry.lookup("myspace")


def test_hosts_identify_kinds() -> None:
    assert registry.kind_for_host("old.reddit.com") == "reddit"
    assert registry.kind_for_host("news.ycombinator.com") == "hackernews"
    assert registry.kind_for_host("example.com") is None


def test_options_are_checked_against_the_kind() -> None:
    info = KindInfo(
        name="x", display_name="X", url_help="u",
        options=(OptionField("engine", "e", required=True, choices=("a", "b")),
                 OptionField("max_pages", "m", integer=True)),
    )
    assert info.option_problems({"engine": "a", "max_pages": "3"}) == []
    assert info.option_problems({"max_pages": "0", "colour": "red"}) == [
        "option 'colour' is not known to kind 'x' (known: engine, max_pages)",
        "kind 'x' needs option 'engine'",
        "option 'max_pages' takes a whole number of at least 1, not '0'",
    ]
    assert info.option_problems({"engine": "c"}) == ["option 'engine' takes one of a, b, not 'c'"]


def test_query_source_field_takes_the_registered_kinds() -> None:
    check_query("acme source:reddit", registry.kind_names())
    problem = r"source: takes one of rss, .* not 'myspace' at column 13"
    with pytest.raises(ValueError, match=problem):
        check_query("acme source:myspace", registry.kind_names())


def test_config_refuses_unknown_kinds_and_options() -> None:
    from monitor.config import Settings

    source = {"name": "r", "url": "https://www.reddit.com/r/x/new", "kind": "reddit"}
    Settings(sources=[{**source, "options": {"base_url": "https://old.reddit.com"}}])
    with pytest.raises(ValueError, match="option 'colour' is not known to kind 'reddit'"):
        Settings(sources=[{**source, "options": {"colour": "red"}}])
    with pytest.raises(ValueError, match="unknown source kind 'myspace'"):
        Settings(sources=[{**source, "kind": "myspace"}])
