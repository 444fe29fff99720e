"""A thread's reading order: each comment under the one it answers, siblings oldest first."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ThreadNode:
    key: str
    parent_key: str | None
    at: datetime
    order: int = 0  # a tie-breaker: the storage id


@dataclass(frozen=True, slots=True)
class PlacedNode:
    key: str
    depth: int


def compute_thread_key(url: str) -> str:
    """The key a thread is stored under: a digest of its URL, which may be very long."""
    return hashlib.sha256(url.encode()).hexdigest()


def compute_thread_order(nodes: Sequence[ThreadNode]) -> list[PlacedNode]:
    """Depth-first, oldest first. A comment whose parent is not stored sits at the top level,
    so no stored comment is ever left out (nor shown twice, even when parents form a loop)."""
    known = {node.key for node in nodes}
    children: dict[str | None, list[ThreadNode]] = {}
    for node in nodes:
        parent = node.parent_key if node.parent_key in known and node.parent_key != node.key \
            else None
        children.setdefault(parent, []).append(node)
    for siblings in children.values():
        siblings.sort(key=lambda n: (n.at, n.order))
    placed: list[PlacedNode] = []
    visited: set[str] = set()
    starts = children.get(None, []) + sorted(nodes, key=lambda n: (n.at, n.order))
    for start in starts:  # roots first; then whatever only a loop of parents reaches
        if start.key not in visited:
            _walk(start, children, placed, visited)
    return placed


def _walk(start: ThreadNode, children: dict[str | None, list[ThreadNode]],
          placed: list[PlacedNode], visited: set[str]) -> None:
    # An explicit stack: a reply chain thousands deep must not exhaust Python's recursion.
    stack = [(start, 0)]
    while stack:
        node, depth = stack.pop()
        if node.key in visited:
            continue
        visited.add(node.key)
        placed.append(PlacedNode(node.key, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(node.key, [])))
