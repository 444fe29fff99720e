"""Words as the query language, topic rules and term counts see them.

One tokeniser for everything that compares words, so that a query term, a topic rule and a
rising term all agree on what "a word" is:

- matching ignores case and Latin/Greek accents (``Nestlé`` = ``nestle``);
- apostrophes and hyphens separate words (``d'Apple`` holds ``apple``, ``e-mail`` is ``e`` ``mail``)
  and a possessive ``'s`` is not a word of its own (``Delta's`` is the word ``delta``);
- Han, kana, Thai/Lao characters and emoji are one word each, since those scripts do not put spaces
  between words and a brand written in them must still be findable inside a longer run;
- in ``http(s)://`` and ``www.`` links only the host counts: ``https://acme.com/x`` holds ``acme``
  and ``com``, while paths, query strings and tracking parameters are ignored.

Folding keeps every character in place, so a word's offsets in the folded text are its offsets
in the original.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import chain

# Scripts written without spaces between words, and pictographs: one character, one word.
_SINGLES = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\uff66-\uff9f"  # half-width Katakana
    "\u2600-\u27bf"  # miscellaneous symbols, dingbats (❤, ☕, ✈)
    "\U0001f000-\U0001f3fa\U0001f400-\U0001faff"  # emoji, without skin-tone modifiers
    "\U00020000-\U0002fa1f"  # Han extensions
)


def _mark_ranges() -> str:
    """Combining marks outside the Latin diacritics block, as a character-class body.

    Indic, Arabic and Hebrew words carry vowel signs that are not ``\\w`` to ``re``; without them a
    word would fall apart. Marks only continue a word (a stray one is not a word), and emoji
    variation selectors are not marks here. Latin combining accents (U+0300-036F) are left out
    on purpose: they then end the word, which folds decomposed ``café`` to ``cafe`` like the
    composed form does.
    """
    ranges: list[tuple[int, int]] = []
    for cp in range(0x0370, 0x10000):
        if unicodedata.category(chr(cp)).startswith("M") and not 0xFE00 <= cp <= 0xFE0F:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(f"{chr(lo)}-{chr(hi)}" if lo != hi else chr(lo) for lo, hi in ranges)


_MARKS = _mark_ranges()
_LETTERS = f"[^\\W_{_SINGLES}]"
WORD_RE = re.compile(f"{_LETTERS}+(?:[{_MARKS}]+{_LETTERS}*)*|[{_SINGLES}]")
# The "s" of a possessive "'s" is blanked before words are found (cheaper than a lookbehind in
# WORD_RE, which would run at every word).
_POSSESSIVE_RE = re.compile(r"'s\b")
_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]+")
_HOST_END_RE = re.compile(r"[/?#:@\\]")


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    latin_greek = chain(range(0x00C0, 0x0250), range(0x1E00, 0x1F00), range(0x0370, 0x0400))
    for cp in latin_greek:
        decomposed = unicodedata.normalize("NFD", chr(cp))
        # Lower-cased too: İ is the one capital that reaches this table (see _lower_in_place).
        base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
        if len(base) == 1 and base != chr(cp):
            table[cp] = base
    # Letters that do not decompose but that people type without the stroke.
    table.update({ord(k): v for k, v in zip("øđłħıς", "odlhiσ", strict=True)})
    # Typographic apostrophes behave like the ASCII one.
    table.update({ord(c): "'" for c in "\u2019\u2018\u02bc"})
    return table


_FOLD = _fold_table()


def _mask_url(match: re.Match[str]) -> str:
    url = match.group()
    scheme_end = url.index("//") + 2 if "//" in url[:8] else 0
    rest = url[scheme_end:]
    cut = _HOST_END_RE.search(rest)
    host = rest[: cut.start()] if cut else rest
    return " " * scheme_end + host + " " * (len(rest) - len(host))


def _lower_in_place(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few capitals (İ) lower to two characters; keep those as they are so offsets hold.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def compute_folded(text: str) -> str:
    """``text`` lower-cased, accent-folded, link paths and possessive "s" blanked.

    Every character stays at its offset, so word offsets in the result hold for ``text``.
    """
    lowered = _lower_in_place(text)
    if "//" in lowered or "www." in lowered:
        lowered = _URL_RE.sub(_mask_url, lowered)
    folded = lowered if lowered.isascii() else lowered.translate(_FOLD)
    return _POSSESSIVE_RE.sub("' ", folded) if "'" in folded else folded


def compute_words(text: str) -> list[str]:
    """The folded words of ``text`` in order."""
    return WORD_RE.findall(compute_folded(text))


def compute_word_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` offsets of each word of ``text`` (same order as :func:`compute_words`)."""
    return [m.span() for m in WORD_RE.finditer(compute_folded(text))]
