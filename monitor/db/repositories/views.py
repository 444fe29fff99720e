"""Saved views: a person's named inbox filters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.db.models_desk import SavedView
from monitor.errors import ConflictError, NotFoundError

MAX_VIEWS = 100  # per person


class ViewRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def list_for(self, owner: str) -> list[SavedView]:
        query = select(SavedView).where(SavedView.owner == owner).order_by(SavedView.name)
        return list(self.session.scalars(query))

    def get(self, owner: str, view_id: int) -> SavedView:
        view = self.session.get(SavedView, view_id)
        if view is None or view.owner != owner:
            raise NotFoundError(f"no saved view with id {view_id}")
        return view

    def save(self, owner: str, name: str, params: dict[str, str], now: datetime) -> SavedView:
        """Create the view, or replace the filters of the owner's view of that name."""
        existing = self.session.scalar(
            select(SavedView).where(SavedView.owner == owner, SavedView.name == name))
        if existing is not None:
            existing.params = dict(params)
            self.session.flush()
            return existing
        if len(self.list_for(owner)) >= MAX_VIEWS:
            raise ConflictError(f"at most {MAX_VIEWS} saved views each: delete one first")
        view = SavedView(owner=owner, name=name, params=dict(params), created_at=now)
        try:
            with self.session.begin_nested():
                self.session.add(view)
                self.session.flush()
        except IntegrityError:
            raise ConflictError(f"a view named {name!r} was saved at the same time") from None
        return view

    def delete(self, owner: str, view_id: int) -> None:
        self.session.delete(self.get(owner, view_id))
        self.session.flush()
