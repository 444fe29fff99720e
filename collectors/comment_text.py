"""What is left of a comment's text once the page's chrome is taken out.

Themes put "Reply" links, "Name says:" headers and dates inside the element that holds the
comment; the selectors remove most of it, and these line rules catch what is left.
"""

from __future__ import annotations

import re

# Whole lines that are a button or a link of the comment's frame, in several languages.
CHROME_LINES = frozenset({
    "reply", "antworten", "antwort", "responder", "répondre", "repondre", "rispondi",
    "beantwoorden", "reageren", "svara", "odpowiedz", "odpowiedź", "ответить", "report",
    "melden", "like", "permalink", "edit", "delete", "share", "log in to reply",
    "anmelden, um zu antworten", "reply to this comment", "quote", "zitieren",
})
HEADER = re.compile(
    r"^.{1,80}?\s(says|said|wrote|sagt|schreibt|schrieb|dit|écrit|dice|escribió|scrive|"
    r"schreef|zegt)\s*(?::|\.\.\.|…)?$", re.IGNORECASE)
DATE_LINE = re.compile(
    r"^(?=.*\d)(?=.{4,60}$)[\w\s.,:/–—|@-]*(\d{1,2}:\d{2}|\d{4}|\b(ago|vor|hace|il y a)\b)"
    r"[\w\s.,:/–—|@-]*$", re.IGNORECASE)


def clean_comment_text(text: str) -> str:
    """``text`` without chrome lines, and without a leading "Name says:" header (and the
    date line after it)."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not is_chrome_line(line)]
    if lines and HEADER.match(lines[0]):
        lines = lines[1:]
        if lines and DATE_LINE.match(lines[0]):
            lines = lines[1:]
    return "\n".join(lines)


def is_chrome_line(line: str) -> bool:
    core = line.strip(" \t↓→↑·|•»«[]()").casefold()
    return core in CHROME_LINES
