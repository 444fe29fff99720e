"""Sentences, and the short excerpt shown for a mention.

``split_sentences`` is shared with sentiment scoring, so it is written for web text as it comes:
abbreviations (``e.g.``, ``Mr.``, ``Inc.``), decimals and links do not end sentences; runs like
``!!!`` or ``?!`` and trailing emoji stay with their sentence; a line break ends a sentence unless
the next line carries on in lower case (hard-wrapped text).
"""

from __future__ import annotations

import re

from monitor.domain.spans import Span

_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\u200d"
_CLOSERS = "\"'\u201d\u2019\u00bb)\\]"
_BOUNDARY_RE = re.compile(
    f"(?:[.!?\u2026]+|[{_EMOJI}]+)"  # terminal punctuation, or emoji standing in for it
    f"[{_CLOSERS}]*"  # closing quotes and brackets stay with the sentence
    f"(?:[ \\t]*[{_EMOJI}]+)*"  # so do emoji after the punctuation: "Great!!! 😍"
    r"(?=\s|$)"
    r"|\n"
)
_WORD_BEFORE_RE = re.compile(r"[\w.]+$")
_SPACE_RE = re.compile(r"\s")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Never end a sentence: titles before names, and abbreviations that introduce more text.
_NEVER_ENDS = _word_set(
    "mr mrs ms dr prof sr jr st mt rev hon gen col capt lt sgt gov sen rep "
    "e.g i.e eg ie vs cf approx incl esp viz ca fig"
)
# End a sentence only when a capital letter follows ("Acme Inc. The …" but "Inc. announced").
_MAYBE_ENDS = _word_set(
    "etc inc ltd co corp llc no nos vol dept est jan feb mar apr jun jul aug sep sept oct nov dec"
)
MIN_SNIPPET_CHARS = 20
_MIN_OPENING_CHARS = 12  # below this, a title's snippet leaves the text's opening out
ELLIPSIS = "\u2026"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` offsets of each sentence of ``text``, without surrounding whitespace."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for boundary in _BOUNDARY_RE.finditer(text):
        if _ends_sentence(text, boundary):
            _add_trimmed(bounds, text, start, boundary.end())
            start = boundary.end()
    _add_trimmed(bounds, text, start, len(text))
    return bounds


def _add_trimmed(bounds: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        bounds.append((start, end))


def _ends_sentence(text: str, boundary: re.Match[str]) -> bool:
    after = _next_visible(text, boundary.end())
    if not after:
        return True
    mark = boundary.group()
    if mark == "\n":
        return _blank_line_follows(text, boundary.end()) or not after.islower()
    if "!" in mark or "?" in mark:
        return True
    if mark[0] not in ".\u2026":  # emoji alone end a sentence only before a capital
        return after.isupper()
    if mark.startswith("..") or mark.startswith("\u2026"):
        return not after.islower()
    return _period_ends_sentence(text, boundary.start(), after)


def _period_ends_sentence(text: str, period: int, after: str) -> bool:
    found = _WORD_BEFORE_RE.search(text, max(0, period - 30), period)
    if not found:
        return True
    word = found.group()
    lowered = word.lower().strip(".")
    if lowered in _NEVER_ENDS or (len(word) == 1 and word.isupper()):  # "J. R. R. Tolkien"
        return False
    if word.isdigit() and _starts_line(text, found.start()):  # a numbered list item: "1. Buy"
        return False
    if lowered in _MAYBE_ENDS or "." in lowered:
        return after.isupper()
    return True


def _next_visible(text: str, pos: int) -> str:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return text[pos] if pos < len(text) else ""


def _blank_line_follows(text: str, pos: int) -> bool:
    while pos < len(text) and text[pos] in " \t\r":
        pos += 1
    return pos < len(text) and text[pos] == "\n"


def _starts_line(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return not text[line_start:pos].strip()


def render_snippet(title: str, text: str, spans: list[Span], max_chars: int = 320) -> str:
    """A short excerpt showing a match: the sentence(s) around the best match in the text.

    The best match is the sentence holding the most spans (the earliest on a tie); neighbouring
    sentences are added while they fit. A sentence longer than ``max_chars`` is cut on word
    boundaries around the match, with an ellipsis where it was cut. When no span is in the text
    (a title match, or a match on fields only) the snippet is the title and the text's first
    sentence. Whitespace runs are collapsed; the result has at most ``max_chars`` characters.
    """
    if max_chars < MIN_SNIPPET_CHARS:
        raise ValueError(f"max_chars must be at least {MIN_SNIPPET_CHARS}, not {max_chars}")
    in_text = sorted(s for s in spans if s.field == "text" and s.end <= len(text))
    sentences = split_sentences(text)
    if not in_text or not sentences:
        return _title_snippet(title, sentences, text, max_chars)
    best = _best_sentence(sentences, in_text)
    first, last = _widen(sentences, best, text, max_chars)
    start, end = sentences[first][0], sentences[last][1]
    if len(_squeezed(text[start:end])) <= max_chars:
        return _squeezed(text[start:end])
    focus = next((s for s in in_text if s.start >= sentences[best][0]), in_text[0])
    return _window(text, sentences[best], focus, max_chars)


def _best_sentence(sentences: list[tuple[int, int]], spans: list[Span]) -> int:
    counts = [0] * len(sentences)
    index = 0
    for span in spans:
        while index + 1 < len(sentences) and span.start >= sentences[index + 1][0]:
            index += 1
        counts[index] += 1
    return counts.index(max(counts))


def _widen(
    sentences: list[tuple[int, int]], best: int, text: str, max_chars: int
) -> tuple[int, int]:
    """Add the following, then the preceding sentence, while the excerpt still fits."""
    first, last = best, best
    size = len(_squeezed(text[slice(*sentences[best])]))
    grew = True
    while grew:
        grew = False
        for candidate in (last + 1, first - 1):
            if 0 <= candidate < len(sentences):
                extra = len(_squeezed(text[slice(*sentences[candidate])])) + 1
                if size + extra <= max_chars:
                    size += extra
                    first, last = min(first, candidate), max(last, candidate)
                    grew = True
    return first, last


def _window(text: str, sentence: tuple[int, int], focus: Span, max_chars: int) -> str:
    """Part of a long sentence around ``focus``: a third of the room before it, the rest after."""
    budget = max_chars - 2  # room for an ellipsis at each end
    start, end = sentence
    focus_end = min(focus.end, focus.start + budget)
    lo = max(start, focus.start - (budget - (focus_end - focus.start)) // 3)
    hi = min(end, lo + budget)
    lo = max(start, hi - budget)
    if lo > start:
        lo = _word_start_after(text, lo, focus.start)
    if hi < end:
        hi = _word_end_before(text, hi, focus_end)
    head = ELLIPSIS if lo > start else ""
    tail = ELLIPSIS if hi < end else ""
    return f"{head}{_squeezed(text[lo:hi])}{tail}"


def _word_start_after(text: str, pos: int, limit: int) -> int:
    """The start of the first whole word at or after ``pos`` (no further than ``limit``)."""
    if text[pos - 1].isspace():
        return pos
    space = _SPACE_RE.search(text, pos, limit)
    return space.end() if space else pos


def _word_end_before(text: str, pos: int, limit: int) -> int:
    """The end of the last whole word before ``pos`` (no earlier than ``limit``)."""
    if pos < len(text) and text[pos].isspace():
        return pos
    space = max(text.rfind(c, limit, pos) for c in " \t\n")
    return space if space > limit else pos


def _title_snippet(title: str, sentences: list[tuple[int, int]], text: str, max_chars: int) -> str:
    heading = _squeezed(title)
    opening = _squeezed(text[slice(*sentences[0])]) if sentences else ""
    if not heading:
        return _trimmed(opening, max_chars)
    room = max_chars - len(heading) - 3
    if not opening or room < _MIN_OPENING_CHARS:
        return _trimmed(heading, max_chars)
    return f"{heading} \u2014 {_trimmed(opening, room)}"


def _trimmed(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def _squeezed(text: str) -> str:
    return " ".join(text.split())
