"""Topic tagging with the default taxonomy and custom ones."""

from __future__ import annotations

import pytest

from monitor.domain.query import (
    MatchInput,
    QuerySyntaxError,
    match_query,
    parse_query,
    render_query,
)
from monitor.domain.spans import Span
from monitor.domain.topics import DEFAULT_TOPICS, TopicTagger

TAGGER = TopicTagger()


def doc(text: str, title: str = "") -> MatchInput:
    return MatchInput(title, text, None, "https://example.com/p", "en", "rss", "post")


def test_the_default_taxonomy_covers_the_usual_conversations() -> None:
    assert list(DEFAULT_TOPICS) == [
        "pricing", "customer service", "shipping/delivery", "quality/defects", "billing",
        "app/website", "staff", "praise", "cancellation/churn", "legal/safety",
    ]  # fmt: skip
    for query in DEFAULT_TOPICS.values():
        parsed = parse_query(query)
        assert parse_query(render_query(parsed)) == parsed


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Way too expensive for what it is", "pricing"),
        ("They raised the subscription price again, not worth it", "pricing"),
        ("Customer service kept me on hold for an hour", "customer service"),
        ("The support agent was rude and unhelpful", "customer service"),
        ("My package never arrived, tracking number is useless", "shipping/delivery"),
        ("Delivered two weeks late", "shipping/delivery"),
        ("Shipped via UPS", "shipping/delivery"),
        ("It stopped working after two days, clearly defective", "quality/defects"),
        ("The build quality is excellent", "quality/defects"),
        ("I was double charged and still waiting for my refund", "billing"),
        ("They keep auto-renewing my plan", "billing"),
        ("The app keeps crashing when I log in", "app/website"),
        ("Their website is down again", "app/website"),
        ("The cashier was so friendly", "staff"),
        ("Absolutely love it, highly recommend", "praise"),
        ("I recommend it 😍", "praise"),
        ("I just cancelled my subscription and switched to a competitor", "cancellation/churn"),
        ("No longer using them after this", "cancellation/churn"),
        ("There is a class action lawsuit about the recall", "legal/safety"),
        ("The charger caught fire, this is a safety hazard", "legal/safety"),
    ],
)
def test_default_topics_recognise_typical_sentences(text: str, topic: str) -> None:
    assert topic in TAGGER.tag(doc(text))


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("I would not recommend this to anyone", "praise"),
        ("Wouldn't recommend it", "praise"),
        ("ups and downs of life", "shipping/delivery"),
        ("A nice day at the beach", "pricing"),
    ],
)
def test_default_topics_avoid_common_traps(text: str, topic: str) -> None:
    assert topic not in TAGGER.tag(doc(text))


def test_tags_come_in_taxonomy_order() -> None:
    tagger = TopicTagger({"b": "beta", "a": "alpha"})
    assert tagger.names == ["b", "a"]
    assert tagger.tag(doc("alpha beta")) == ["b", "a"]


def test_a_mention_gets_the_topics_of_its_own_and_neighbouring_sentences() -> None:
    text = (
        "I ordered from Acme last week. The package never arrived. "
        "Unrelated: my gym raised its prices. Also the weather is nice. I love my dog."
    )
    document = doc(text)
    spans = match_query("acme", document)
    assert spans is not None
    assert TAGGER.tag(document) == ["pricing", "shipping/delivery", "praise"]
    assert TAGGER.tag(document, spans) == ["shipping/delivery"]
    wide = TopicTagger(context_sentences=2)
    assert wide.tag(document, spans) == ["pricing", "shipping/delivery"]
    narrow = TopicTagger(context_sentences=0)
    assert narrow.tag(document, spans) == []


def test_a_brand_in_the_title_makes_the_whole_document_near() -> None:
    document = doc("Long story. The package never arrived. I love it.", title="Acme review")
    assert TAGGER.tag(document, [Span("title", 0, 4)]) == ["shipping/delivery", "praise"]
    assert TAGGER.tag(document, []) == ["shipping/delivery", "praise"]


def test_a_topic_in_the_title_is_near_every_mention() -> None:
    document = doc(
        "Acme again. Nothing else. Nothing more. Still nothing.", title="Refund nightmare"
    )
    assert TAGGER.tag(document, [Span("text", 0, 4)]) == ["billing"]


def test_topics_matching_without_words_count_everywhere() -> None:
    tagger = TopicTagger({"news": "site:example.com", "other": "NOT delta"})
    assert tagger.tag(doc("a. b. c. d. e. acme"), [Span("text", 15, 19)]) == ["news", "other"]


def test_broken_topic_queries_and_bad_settings_are_refused() -> None:
    with pytest.raises(QuerySyntaxError):
        TopicTagger({"bad": "(refund"})
    with pytest.raises(ValueError, match="context_sentences"):
        TopicTagger(context_sentences=-1)


def mention(text: str, brand: str) -> list[str]:
    """Topics of the mention of ``brand`` (its first occurrence) in ``text``."""
    start = text.index(brand)
    return TAGGER.tag(doc(text), [Span("text", start, start + len(brand))])


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("The noise cancelling on these Acme headphones is superb", "cancellation/churn"),
        ("Acme's noise-cancelling buds cancel out the train", "cancellation/churn"),
        ("My Acme drill battery charged in forty minutes", "billing"),
        ("I recall Acme used to be better", "legal/safety"),
        ("Acme delivered on every promise this year", "shipping/delivery"),
        ("Acme says the update is shipping next week", "shipping/delivery"),
        ("Not impressed by Acme at all", "praise"),
        ("Acme no longer makes the blue kettle", "cancellation/churn"),
    ],
)
def test_words_count_only_in_the_sense_that_makes_the_topic(text: str, topic: str) -> None:
    assert topic not in mention(text, "Acme")


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Acme never replied to my ticket.", "customer service"),
        ("Three emails and Acme still hasn't responded.", "customer service"),
        ("Acme took four days to answer a simple question", "customer service"),
        ("I cancelled my Acme subscription today", "cancellation/churn"),
        ("Closing my Acme account for good", "cancellation/churn"),
        ("Acme charged me twice", "billing"),
        ("Acme recalled the heater over a fire risk", "legal/safety"),
        ("Acme sent the wrong colour", "shipping/delivery"),
    ],
)
def test_mentions_are_tagged_with_what_they_are_about(text: str, topic: str) -> None:
    assert topic in mention(text, "Acme")


def test_the_brand_customers_switch_to_is_not_churning() -> None:
    text = "Switched from Globex to Acme last month."
    assert "cancellation/churn" in mention(text, "Globex")
    assert "cancellation/churn" not in mention(text, "Acme")
    text = "Thinking of switching to Acme from Globex."
    assert "cancellation/churn" not in mention(text, "Acme")
    assert "cancellation/churn" in mention(text, "Globex")
    assert "cancellation/churn" in mention("I wrote to Acme to cancel my plan.", "Acme")
