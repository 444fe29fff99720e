"""Load: `monitor serve` (real uvicorn processes) answers a steady stream of mixed reads while
`monitor collect` cycles write new documents to the same database: on SQLite with one API
process, and on Postgres with two API worker processes sharing the port.

The short variants run in the suite and assert that nothing failed; the long ones
(``--run-slow``) hold 200 req/s for 30 s over 20k mentions and print their figures. For the
figures with their baselines, run ``bench/load.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fresh_postgres_database
from tests.load_client import LoadResult
from tests.load_harness import (
    FeedSite,
    Service,
    Writer,
    load,
    mixed_paths,
    running_service,
    stored_documents,
    warm_up,
    write_config,
)


@pytest.fixture
def feed_site() -> Iterator[FeedSite]:
    site = FeedSite()
    yield site
    site.close()


def _under_writes(service: Service, rate: float, seconds: float) -> LoadResult:
    """The read mix at ``rate`` while collection cycles follow one another; each cycle must
    have exited 0. The measured window follows a short unmeasured warm-up."""
    warm_up(service)
    with Writer(service.config) as writer:
        result = load(service, mixed_paths(service), rate, seconds)
    print(json.dumps({"cycles": writer.cycles, **result.summary()}))
    assert writer.cycles, "no collection cycle ran"
    assert set(writer.cycles) == {0}, writer.cycles
    return result


def test_mixed_reads_while_a_cycle_writes_have_no_errors(tmp_path: Path,
                                                         feed_site: FeedSite) -> None:
    with running_service(write_config(tmp_path, feed_site), mentions=2000) as service:
        result = _under_writes(service, rate=10, seconds=4)
        assert result.errors == 0, result.statuses
        assert result.completed == 40
        assert stored_documents(service.config) > 2000  # the cycles did write


@pytest.mark.postgres
def test_two_api_workers_on_postgres_serve_mixed_reads_while_a_cycle_writes(
        tmp_path: Path, feed_site: FeedSite) -> None:
    with fresh_postgres_database("bm_load") as url, running_service(
            write_config(tmp_path, feed_site, url, workers=2), mentions=2000) as service:
        result = _under_writes(service, rate=20, seconds=4)
        assert result.errors == 0, result.statuses
        assert result.completed == 80
        assert stored_documents(service.config) > 2000


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_200_requests_a_second_for_30_s_over_20k_mentions_while_cycles_write(
        tmp_path: Path, feed_site: FeedSite) -> None:
    with running_service(write_config(tmp_path, feed_site, workers=2),
                         mentions=20_000) as service:
        result = _under_writes(service, rate=200, seconds=30)
        assert result.errors == 0, result.statuses
        assert result.percentile(0.99) < 0.250, result.summary()
        assert stored_documents(service.config) > 20_000


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(900)
def test_two_api_workers_on_postgres_hold_200_requests_a_second_for_30_s(
        tmp_path: Path, feed_site: FeedSite) -> None:
    with fresh_postgres_database("bm_load") as url, running_service(
            write_config(tmp_path, feed_site, url, workers=2), mentions=20_000) as service:
        result = _under_writes(service, rate=200, seconds=30)
        assert result.errors == 0, result.statuses
        assert result.percentile(0.99) < 0.250, result.summary()
        assert stored_documents(service.config) > 20_000
