"""Tables of the community manager's desk: tags, notes, exclusions, views, sessions, visits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from monitor.db.models import Base, utcnow


class ItemTag(Base):
    """A tag on an item (a post or comment), shared by all its brands' mentions."""

    __tablename__ = "item_tags"
    __table_args__ = (Index("ix_item_tags_tag", "tag", "document_id"),)

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(50), primary_key=True)


class ItemNote(Base):
    """A private note on an item, written by someone on the team."""

    __tablename__ = "item_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Exclusion(Base):
    """A muted thread, author or site: matching mentions are hidden from the desk."""

    __tablename__ = "exclusions"
    __table_args__ = (UniqueConstraint("kind", "value", "brand_id", name="uq_exclusions_rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # thread | author | site
    value: Mapped[str] = mapped_column(String(2000))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedView(Base):
    """A named set of inbox filters, kept per person."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("owner", "name", name="uq_saved_views_owner_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeskSession(Base):
    """A dashboard login. Only a hash of the cookie's token is stored."""

    __tablename__ = "desk_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    principal: Mapped[str] = mapped_column(String(200))
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE")
    )
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class DeskVisit(Base):
    """When someone last looked at the desk, for "new since last visit"."""

    __tablename__ = "desk_visits"

    principal: Mapped[str] = mapped_column(String(200), primary_key=True)
    last_seen_at: Mapped[datetime]
    previous_visit_at: Mapped[datetime | None]


class Thread(Base):
    """A post and its comments, keyed by the post's URL (what comments carry as thread_url)."""

    __tablename__ = "threads"
    __table_args__ = (UniqueConstraint("key", name="uq_threads_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))  # SHA-256 of the URL: URLs run long
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(Text, default="")
    followed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ThreadRead(Base):
    """When someone last opened a thread, to mark the replies that came after."""

    __tablename__ = "thread_reads"

    principal: Mapped[str] = mapped_column(String(200), primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    opened_at: Mapped[datetime]


class AuthStrike(Base):
    """Recent failed logins or API-key attempts of one account or client address, shared by
    every API process (see api/throttle.py)."""

    __tablename__ = "auth_strikes"

    subject: Mapped[str] = mapped_column(String(300), primary_key=True)  # account:… address:…
    failures: Mapped[int]
    last_failure_at: Mapped[datetime] = mapped_column(index=True)
