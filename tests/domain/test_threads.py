"""A thread's reading order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.domain.threads import ThreadNode, compute_thread_order

T0 = datetime(2026, 11, 20, tzinfo=UTC)


def _node(key: str, parent: str | None, minutes: int) -> ThreadNode:
    return ThreadNode(key, parent, T0 + timedelta(minutes=minutes))


def test_children_follow_their_parent_oldest_first() -> None:
    nodes = [_node("b", "post", 5), _node("post", None, 0), _node("a", "post", 1),
             _node("a1", "a", 9), _node("x", "missing", 3)]
    placed = [(p.key, p.depth) for p in compute_thread_order(nodes)]
    assert placed == [("post", 0), ("a", 1), ("a1", 2), ("b", 1), ("x", 0)]


def test_loops_and_self_parents_keep_every_node_once() -> None:
    nodes = [_node("a", "b", 0), _node("b", "a", 1), _node("c", "c", 2)]
    placed = [p.key for p in compute_thread_order(nodes)]
    assert sorted(placed) == ["a", "b", "c"]
    assert len(placed) == 3


def test_a_very_deep_chain_does_not_recurse() -> None:
    nodes = [_node("n0", None, 0)] + [_node(f"n{i}", f"n{i - 1}", i) for i in range(1, 5000)]
    placed = compute_thread_order(nodes)
    assert placed[-1].depth == 4999
