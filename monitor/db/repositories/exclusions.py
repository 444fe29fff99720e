"""Muted threads, authors and sites: stored rules, and the pure matcher the pipeline calls.

A rule with ``brand_id`` None applies to every brand. New mentions that match a rule are stored
hidden (``mentions.hidden_by_id``); past ones are hidden only when asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args
from urllib.parse import urlsplit

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.db.models import Document, Mention
from monitor.db.models_desk import Exclusion
from monitor.db.repositories.counted_writes import lock_counted_writes
from monitor.errors import ConflictError, InvalidInputError, NotFoundError

ExclusionKind = Literal["thread", "author", "site"]
EXCLUSION_KINDS: tuple[str, ...] = get_args(ExclusionKind)
SCAN_BATCH = 1000


@dataclass(frozen=True, slots=True)
class ExclusionRule:
    id: int
    kind: str
    value: str
    brand_id: int | None


@dataclass(frozen=True, slots=True)
class MentionCandidate:
    """What the matcher needs to know about a mention: its brand and its document."""

    brand_id: int
    url: str
    author: str | None
    thread_url: str | None


def site_of(url: str) -> str:
    """The host a URL lives on, lower-cased, without a leading ``www.``."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def normalise_value(kind: str, value: str) -> str:
    """The canonical form of a rule's value; InvalidInputError when it cannot match anything."""
    value = value.strip()
    if kind not in EXCLUSION_KINDS:
        raise InvalidInputError(f"exclusion kind must be one of {', '.join(EXCLUSION_KINDS)}")
    if kind == "site":
        value = site_of(value if "://" in value else "http://" + value)
    if not value:
        raise InvalidInputError(f"a {kind} exclusion needs a non-empty value")
    if kind == "site" and "." not in value.strip("."):
        raise InvalidInputError("a site is a host name such as example.com")
    return value.lower() if kind == "author" else value


def match_exclusion(
    rules: Sequence[ExclusionRule], candidate: MentionCandidate
) -> ExclusionRule | None:
    """The first rule that mutes ``candidate``, or None when it should be shown."""
    for rule in rules:
        if rule.brand_id is not None and rule.brand_id != candidate.brand_id:
            continue
        if _matches(rule, candidate):
            return rule
    return None


def _matches(rule: ExclusionRule, candidate: MentionCandidate) -> bool:
    if rule.kind == "author":
        return candidate.author is not None and candidate.author.strip().lower() == rule.value
    if rule.kind == "site":
        site = site_of(candidate.url)
        return site == rule.value or site.endswith("." + rule.value)
    return rule.value in (candidate.thread_url or candidate.url, candidate.url)


def as_rule(row: Exclusion) -> ExclusionRule:
    return ExclusionRule(id=row.id, kind=row.kind, value=row.value, brand_id=row.brand_id)


def load_exclusions(session: Session) -> list[ExclusionRule]:
    """Every stored rule, oldest first (the order the matcher tries them)."""
    rows = session.scalars(select(Exclusion).order_by(Exclusion.id))
    return [as_rule(row) for row in rows]


def is_excluded(session: Session, candidate: MentionCandidate) -> bool:
    """One-off check; in a loop, call ``load_exclusions`` once and ``match_exclusion`` per item."""
    return match_exclusion(load_exclusions(session), candidate) is not None


class ExclusionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def list_all(self) -> list[Exclusion]:
        return list(self.session.scalars(select(Exclusion).order_by(Exclusion.id)))

    def get(self, exclusion_id: int) -> Exclusion:
        row = self.session.get(Exclusion, exclusion_id)
        if row is None:
            raise NotFoundError(f"no exclusion with id {exclusion_id}")
        return row

    def create(
        self, kind: str, value: str, brand_id: int | None, created_by: str, now: datetime
    ) -> Exclusion:
        value = normalise_value(kind, value)
        same_brand = (Exclusion.brand_id.is_(None) if brand_id is None
                      else Exclusion.brand_id == brand_id)
        if self.session.scalar(select(Exclusion.id).where(
                Exclusion.kind == kind, Exclusion.value == value, same_brand)) is not None:
            raise ConflictError(f"this {kind} is already muted")
        row = Exclusion(kind=kind, value=value, brand_id=brand_id, created_by=created_by,
                        created_at=now)
        try:  # the unique constraint settles a race (NULL brands aside: the check above)
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
        except IntegrityError:
            raise ConflictError(f"this {kind} is already muted") from None
        return row

    def delete(self, exclusion_id: int) -> None:
        """Remove a rule; the mentions it hid come back (the foreign key sets them free)."""
        row = self.get(exclusion_id)
        lock_counted_writes(self.session)  # shown again: counted again
        self.session.execute(
            update(Mention).where(Mention.hidden_by_id == row.id).values(hidden_by_id=None)
        )
        self.session.delete(row)
        self.session.flush()

    def count_matching(self, rule: ExclusionRule) -> int:
        """How many visible stored mentions the rule would hide (the dry run)."""
        return sum(len(batch) for batch in self._matching_ids(rule))

    def hide_matching(self, rule: ExclusionRule) -> int:
        """Hide the visible stored mentions the rule matches; returns how many."""
        hidden = 0
        lock_counted_writes(self.session)  # hidden: counted out
        for batch in list(self._matching_ids(rule)):
            self.session.execute(
                update(Mention).where(Mention.id.in_(batch)).values(hidden_by_id=rule.id)
            )
            hidden += len(batch)
        self.session.flush()
        return hidden

    def _matching_ids(self, rule: ExclusionRule) -> Iterator[list[int]]:
        # SQL narrows the candidates; the pure matcher has the last word, so the dry run,
        # the hiding and the pipeline agree exactly.
        last_id = 0
        while True:
            query = _candidates(rule).where(Mention.id > last_id)
            rows = self.session.execute(query.order_by(Mention.id).limit(SCAN_BATCH)).all()
            if not rows:
                return
            last_id = rows[-1][0]
            matched = [row[0] for row in rows
                       if match_exclusion([rule], MentionCandidate(*row[1:])) is not None]
            if matched:
                yield matched


def _candidates(rule: ExclusionRule) -> Select[int, int, str, str | None, str | None]:
    query = (
        select(Mention.id, Mention.brand_id, Document.url, Document.author, Document.thread_url)
        .join(Document, Mention.document_id == Document.id)
        .where(Mention.hidden_by_id.is_(None))
    )
    if rule.brand_id is not None:
        query = query.where(Mention.brand_id == rule.brand_id)
    if rule.kind == "author":
        if not rule.value.isascii():  # SQLite's lower() folds ASCII only: let Python decide
            return query.where(Document.author.is_not(None))
        return query.where(func.lower(func.trim(Document.author)) == rule.value)
    if rule.kind == "site":
        return query.where(or_(Mention.site == rule.value,
                               Mention.site.like("%." + _escape_like(rule.value), escape="\\")))
    return query.where(or_(Document.thread_url == rule.value, Document.url == rule.value))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
