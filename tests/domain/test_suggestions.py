"""Source suggestions: hosts that keep turning up, minus what is followed and platforms."""

from __future__ import annotations

from monitor.domain.suggestions import Evidence, compute_suggestions


def test_hosts_seen_in_several_documents_are_suggested() -> None:
    evidence = [
        Evidence("https://forum.example/t/1", "See https://www.coffee-news.example/acme-recall."),
        Evidence("https://forum.example/t/2", "Again https://coffee-news.example/more and "
                 "https://coffee-news.example/even-more (same document counts once)"),
        Evidence("https://news.example/acme", "", from_search_feed=True),
        Evidence("https://news.example/acme-2", "", from_search_feed=True),
        Evidence("https://forum.example/t/3", "https://www.reddit.com/r/x https://blog.example/a"),
        Evidence("https://forum.example/t/4", "https://old.reddit.com/r/y https://blog.example/b"),
        Evidence("https://forum.example/t/5", "once https://lonely.example/"),
    ]
    suggestions = compute_suggestions(evidence, followed_hosts=["blog.example"])
    assert [(s.host, s.documents, s.url) for s in suggestions] == [
        ("coffee-news.example", 2, "https://coffee-news.example/"),
        ("news.example", 2, "https://news.example/"),
    ]
    assert suggestions[0].samples == ("https://www.coffee-news.example/acme-recall",
                                      "https://coffee-news.example/more")


def test_a_search_hit_counts_only_from_search_feeds() -> None:
    evidence = [Evidence("https://news.example/a", ""), Evidence("https://news.example/b", "")]
    assert compute_suggestions(evidence, []) == []
