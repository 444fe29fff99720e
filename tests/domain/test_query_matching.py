"""Matching queries against documents: words, operators, fields, unicode, and where it matched."""

from __future__ import annotations

import pytest

from monitor.domain.query import MatchInput, QuerySet, QuerySyntaxError, match_query, parse_query
from monitor.domain.spans import Span


def doc(
    text: str = "",
    title: str = "",
    *,
    author: str | None = None,
    url: str = "https://example.org/post/1",
    language: str | None = "en",
    source_kind: str | None = "rss",
    kind: str = "post",
) -> MatchInput:
    return MatchInput(title, text, author, url, language, source_kind, kind)


def matches(query: str, text: str = "", title: str = "") -> bool:
    return match_query(query, doc(text, title)) is not None


def matched_words(query: str, document: MatchInput) -> list[str]:
    spans = match_query(query, document)
    assert spans is not None
    return [
        (document.title if s.field == "title" else document.text)[s.start : s.end] for s in spans
    ]


class TestWords:
    @pytest.mark.parametrize(
        "text",
        [
            "Delta",
            "delta",
            "DELTA!",
            "(Delta)",
            "flew Delta's new plane",
            "Delta’s lounge",
            "Δ Delta.",
        ],
    )
    def test_terms_match_whole_words_in_any_case(self, text: str) -> None:
        assert matches("Delta", text)

    @pytest.mark.parametrize("text", ["Deltas", "deltaflight", "adelta", "del ta", ""])
    def test_terms_do_not_match_parts_of_words(self, text: str) -> None:
        assert not matches("Delta", text)

    def test_a_possessive_query_finds_the_plain_word_too(self) -> None:
        assert matches("Delta's", "I like Delta")
        assert matches("McDonald's", "went to mcdonalds") is False
        assert matches("McDonald's", "went to McDonald’s")

    def test_apostrophes_inside_words_separate_them(self) -> None:
        assert matches("Apple", "le nouvel iPhone d'Apple")
        assert matches("L'Oréal", "loved the L'Oreal serum")
        assert matches("O'Brien", "Mr O’Brien said")

    def test_hyphenated_words_match_as_a_phrase_of_their_parts(self) -> None:
        assert matches("e-mail", "send an e-mail")
        assert matches("e-mail", "send an E-Mail")
        assert matches("e-mail", "send an e mail")
        assert not matches("e-mail", "send an email")
        assert not matches("email", "send an e-mail")
        assert matches("email OR e-mail", "send an e-mail")
        assert matches("Cola", "a can of Coca-Cola")
        assert matches("Coca-Cola", "a can of Coca Cola")

    def test_in_links_only_the_host_counts(self) -> None:
        assert matches("acme", "see https://acme.com/x for details")
        assert matches("acme", "see www.acme.co.uk")
        assert matches('"acme.com"', "see https://www.acme.com/")
        assert not matches("pricing", "see https://acme.com/pricing?ref=pricing#pricing")
        assert not matches("apple", "https://cdn.example.com/apple-touch-icon.png")
        assert matches("pricing", "pricing at https://acme.com/x is fair")

    def test_phrases_need_adjacent_words_in_order_punctuation_between_ignored(self) -> None:
        assert matches('"customer service"', "their customer service sucks")
        assert matches('"customer service"', "customer-service, customer  service")
        assert matches('"customer service"', "the customer. Service was bad")
        assert not matches('"customer service"', "service for the customer")
        assert not matches('"customer service"', "customer care and service")

    def test_phrases_do_not_run_from_the_title_into_the_text(self) -> None:
        assert not matches('"customer service"', "service was bad", "Dear customer")

    def test_trailing_wildcard_matches_word_starts(self) -> None:
        for text in ("refund", "Refunds please", "they refunded me"):
            assert matches("refund*", text)
        assert not matches("refund*", "prefund")
        assert matches("mac*", "my MacBook")
        assert matches("e-ma*", "e-mails")
        assert not matches("e-ma*", "email")

    def test_case_sensitive_terms_need_the_exact_spelling(self) -> None:
        for query in ('raw:"Apple"', "raw:Apple"):
            assert matches(query, "I love my Apple watch")
            assert not matches(query, "an apple a day")
            assert not matches(query, "APPLE earnings")
        assert matches("raw:App*", "the Apps are great")
        assert not matches("raw:App*", "the apps are great")
        assert matches('raw:"Apple Inc"', "Apple, Inc. said")
        assert not matches('raw:"Apple Inc"', "Apple inc said")
        assert matches('raw:"Nestlé"', "Nestlé")
        assert not matches('raw:"Nestlé"', "Nestle")


class TestUnicode:
    def test_accents_are_ignored_except_in_raw_terms(self) -> None:
        assert matches("Nestle", "NESTLÉ profits")
        assert matches("Nestlé", "nestle profits")
        assert matches("cafe", "un café noir")
        assert matches("cafe", "un cafe\u0301 noir")  # decomposed accent
        assert matches("Zurich", "Zürich")

    def test_scripts_without_spaces_match_inside_runs(self) -> None:
        assert matches("東京", "東京タワーに行った")
        assert matches("タワー", "東京タワーに行った")
        assert not matches("大阪", "東京タワーに行った")
        assert matches("ソニー", "ソニーの新製品")

    def test_other_scripts_keep_whole_words(self) -> None:
        assert matches("नमस्ते", "नमस्ते दुनिया")
        assert not matches("नमस", "नमस्ते दुनिया")
        assert matches("삼성", "삼성 갤럭시")
        assert matches("Москва", "в москве и Москва")

    def test_emoji_are_words_and_never_break_matching(self) -> None:
        assert matches("🍎", "I ❤️ my 🍎🏻 phone")
        assert matches("❤", "I ❤️ it")
        assert matches("phone", "🔥🔥🔥phone🔥🔥")
        assert matches("apple NEAR/1 phone", "apple 🍎 phone")

    def test_odd_input_does_not_crash(self) -> None:
        odd = "\x00\ufeff\u200d\U0010ffff İ ß ǅ ﬁ \ud7ff" + "é" * 50 + "\n\t"
        assert match_query("NOT delta", doc(odd, odd)) == []
        assert not matches("delta", odd, odd)


class TestOperators:
    def test_and_or_not_and_juxtaposition(self) -> None:
        assert matches("apple AND pie", "apple pie")
        assert matches("apple pie", "pie and apple")
        assert not matches("apple AND pie", "apple tart")
        assert matches("apple OR pie", "pie")
        assert not matches("apple OR pie", "tart")
        assert matches("apple NOT pie", "apple tart")
        assert not matches("apple NOT pie", "apple pie")
        assert matches("NOT pie", "")

    def test_precedence_not_then_and_then_or(self) -> None:
        # a OR (b AND c): true with a alone
        assert matches("a1 OR b1 c1", "a1")
        assert not matches("a1 OR b1 c1", "b1")
        # (NOT a) AND b, not NOT (a AND b)
        assert not matches("NOT a1 b1", "a1 b1")
        assert not matches("NOT a1 b1", "c1")
        assert matches("NOT a1 b1", "b1")

    def test_parentheses(self) -> None:
        assert matches("(a1 OR b1) c1", "b1 c1")
        assert not matches("(a1 OR b1) c1", "b1")

    def test_lowercase_operator_words_are_plain_words(self) -> None:
        assert matches("salt and pepper", "pepper salt and")
        assert not matches("salt and pepper", "salt pepper")


class TestProximity:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("delta flight", True),
            ("flight delta", True),
            ("delta one two three flight", True),
            ("delta one two three four flight", False),
            ("flight one two three delta", True),
            ("flight one two three four delta", False),
        ],
    )
    def test_near_counts_the_words_between_either_order(self, text: str, expected: bool) -> None:
        assert matches("delta NEAR/3 flight", text) is expected

    def test_onear_needs_the_left_operand_first(self) -> None:
        assert matches("delta ONEAR/2 flight", "delta one flight")
        assert not matches("delta ONEAR/2 flight", "flight one delta")

    def test_near_zero_means_adjacent(self) -> None:
        assert matches("delta NEAR/0 flight", "flight delta")
        assert not matches("delta NEAR/0 flight", "delta x flight")
        assert matches("delta ONEAR/0 flight", "Delta, flight")

    def test_one_word_cannot_be_both_sides(self) -> None:
        assert not matches("delta NEAR/3 delta*", "delta")
        assert matches("delta NEAR/3 delta*", "delta deltas")
        assert not matches("delta NEAR/3 delta", "delta")
        assert matches("delta NEAR/3 delta", "delta and delta")

    def test_near_measures_from_the_edges_of_phrases(self) -> None:
        assert matches('"customer service" NEAR/1 rude', "customer service was rude")
        assert matches('"customer service" NEAR/1 rude', "rude, slow customer service")
        assert not matches('"customer service" NEAR/1 rude', "rude and slow customer service")

    def test_near_with_groups_and_nesting(self) -> None:
        query = "Delta NEAR/5 (flight OR airport OR gate)"
        assert matches(query, "our Delta flight")
        assert matches(query, "at the gate Delta agents were rude")
        assert not matches(query, "Delta is a river mouth, and much later: the airport")
        nested = "(delta NEAR/1 air) ONEAR/2 (late OR delayed)"
        assert matches(nested, "air delta was very late")
        assert not matches(nested, "late air delta")

    def test_near_stays_within_one_field(self) -> None:
        assert not matches("delta NEAR/3 flight", "flight was fine", "Delta")
        assert matches("delta NEAR/3 flight", "flight was fine", "Delta flight")

    def test_near_with_an_and_operand_uses_its_words(self) -> None:
        assert matches("(delta (lounge NOT closed)) NEAR/1 nice", "delta lounge nice")
        assert not matches("(delta (lounge NOT closed)) NEAR/1 nice", "closed delta lounge nice")


class TestFields:
    def test_title(self) -> None:
        assert matches("title:refund", "", "Refund please")
        assert not matches("title:refund", "refund please", "Hello")
        assert matches("title:(late OR lost) bag", "my bag", "Lost luggage")
        assert matches('title:"lost luggage"', "", "Lost luggage")
        assert not matches("title:(delta NEAR/2 late)", "delta late", "nothing")

    def test_site_matches_the_host_and_its_subdomains(self) -> None:
        for url in ("https://acme.com/x", "http://www.acme.com", "https://shop.eu.ACME.com/"):
            assert match_query("site:acme.com", doc(url=url)) == []
        for url in ("https://notacme.com/", "https://acme.com.evil.net/", "not a url", ""):
            assert match_query("site:acme.com", doc(url=url)) is None

    def test_url_is_a_case_insensitive_substring(self) -> None:
        assert match_query("url:/blog/", doc(url="https://x.com/Blog/post")) == []
        assert match_query("url:/blog/", doc(url="https://x.com/news/post")) is None

    def test_author_lang_source_kind(self) -> None:
        document = doc(author="Jane  Doe", language="en-GB", source_kind="reddit", kind="comment")
        for query in (
            'author:"jane doe"',
            "lang:en",
            "lang:en-gb",
            "source:reddit",
            "kind:comment",
        ):
            assert match_query(query, document) == [], query
        for query in ("author:jane", "lang:de", "lang:eng", "source:rss", "kind:post"):
            assert match_query(query, document) is None, query

    def test_missing_metadata_matches_no_field(self) -> None:
        bare = doc(author=None, language=None, source_kind=None)
        for query in ("author:x", "lang:en", "source:rss"):
            assert match_query(query, bare) is None
        assert match_query("NOT lang:en", bare) == []

    def test_fields_combine_with_words(self) -> None:
        query = "acme site:reddit.com NOT kind:comment"
        assert match_query(query, doc("acme rocks", url="https://old.reddit.com/r/x")) is not None
        assert (
            match_query(query, doc("acme rocks", url="https://old.reddit.com", kind="comment"))
            is None
        )


class TestSpans:
    def test_spans_point_at_the_positive_words_that_matched(self) -> None:
        document = doc("My Delta flight was late. I love apple pie.", "Delta rocks")
        assert matched_words("Delta NEAR/5 (flight OR airport OR gate)", document) == [
            "Delta",
            "flight",
        ]
        assert matched_words("delta NOT airport", document) == ["Delta", "Delta"]
        spans = match_query("delta NOT airport", document)
        assert spans == [Span("title", 0, 5), Span("text", 3, 8)]

    def test_phrase_spans_cover_the_whole_phrase(self) -> None:
        assert matched_words('"customer service"', doc("bad Customer-Service here")) == [
            "Customer-Service"
        ]

    def test_or_reports_every_alternative_found(self) -> None:
        assert matched_words("late OR delayed OR lost", doc("delayed then lost")) == [
            "delayed",
            "lost",
        ]

    def test_near_reports_only_the_pairs_that_were_near(self) -> None:
        text = "delta is far from the place where a flight was mentioned; delta flight"
        assert matched_words("delta NEAR/1 flight", doc(text)) == ["delta", "flight"]

    def test_queries_matching_without_words_give_no_spans(self) -> None:
        assert match_query("NOT spam", doc("ham")) == []
        assert match_query("site:example.org", doc("ham")) == []

    def test_positions_hold_in_large_documents(self) -> None:
        filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 900
        text = f"{filler}Then Acme’s refund came. {filler}"
        assert len(text) > 100_000
        document = doc(text)
        spans = match_query("acme NEAR/3 refund*", document)
        assert spans is not None
        assert [text[s.start : s.end] for s in spans] == ["Acme", "refund"]


class TestRealWorld:
    def test_apple_not_fruit(self) -> None:
        query = "Apple NOT (fruit OR pie OR orchard)"
        assert matches(query, "Apple announced the new iPhone")
        assert not matches(query, "Apple pie recipe from grandma")
        assert not matches(query, "visiting an apple orchard")

    def test_delta_near_travel_words(self) -> None:
        query = "Delta NEAR/5 (flight OR airport OR gate)"
        assert matches(query, "Delta cancelled my flight again")
        assert not matches(query, "The Mississippi delta is beautiful this time of year")

    def test_raw_apple_with_products(self) -> None:
        query = 'raw:"Apple" AND (iphone OR mac*)'
        assert matches(query, "Apple should fix the MacBook keyboard")
        assert not matches(query, "apple and macaroni salad")
        assert not matches(query, "Apple pie")


class TestQuerySet:
    def test_returns_only_the_matching_keys_with_spans(self) -> None:
        queries = QuerySet({1: "delta", 2: parse_query("united"), 3: "NOT delta", 4: "site:x.com"})
        assert queries.match(doc("Delta again")) == {1: [Span("text", 0, 5)]}
        assert queries.match(doc("United again")) == {2: [Span("text", 0, 6)], 3: []}
        assert list(queries) == [1, 2, 3, 4]
        assert len(queries) == 4

    def test_a_broken_query_is_refused_naming_its_key(self) -> None:
        with pytest.raises(QuerySyntaxError) as caught:
            QuerySet({"acme": "acme", "broken": "(acme"})
        assert caught.value.column == 6
        assert any("'broken'" in note for note in caught.value.__notes__)

    def test_empty_and_wordless_sets(self) -> None:
        assert QuerySet({}).match(doc("anything")) == {}
        assert QuerySet({"en": "lang:en"}).match(doc("anything")) == {"en": []}

    def test_shares_words_between_queries(self) -> None:
        queries = QuerySet({"a": "refund*", "b": "refund", "c": '"refund please"', "d": "refunds"})
        assert set(queries.match(doc("Refund please"))) == {"a", "b", "c"}
        assert set(queries.match(doc("refunds"))) == {"a", "d"}

    def test_queries_needing_one_of_several_words(self) -> None:
        queries = QuerySet(
            {
                "or": "(delta OR united) NOT cancelled",
                "and": "delta united",
                "near": "delta NEAR/2 (late OR lost)",
                "not-not": "NOT NOT delta",
                "title": "title:delta",
            }
        )
        assert set(queries.match(doc("united"))) == {"or"}
        assert set(queries.match(doc("delta late united"))) == {"or", "and", "near", "not-not"}
        assert set(queries.match(doc("delta", "Delta"))) == {"or", "not-not", "title"}
