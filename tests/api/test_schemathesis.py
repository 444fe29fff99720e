"""Property-based requests against the OpenAPI schema: no input may cause a server error.

Runs on SQLite only, with a small seeded database and a bounded number of examples per
operation, so it stays well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import hypothesis.internal.conjecture.utils as hypothesis_utils
import hypothesis_jsonschema._from_schema as hypothesis_jsonschema_schema
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from monitor.config import Settings
from monitor.runtime import Runtime, open_runtime
from tests.conftest import _empty_tables
from tests.desk_seed import NOW, Doc, make_key, seed

MAX_EXAMPLES = 10
schemathesis.experimental.OPEN_API_3_1.enable()  # FastAPI writes OpenAPI 3.1


class _LoopStyleMany:
    """hypothesis-jsonschema 0.23 drives ``many`` with ``more()``/``reject()``; newer Hypothesis
    made it a context manager to iterate. This adapter keeps JSON objects generatable."""

    def __init__(self, data: Any, **sizes: Any) -> None:
        self._many = _new_many(data, **sizes)
        self._many.__enter__()
        self._steps = iter(self._many)

    def more(self) -> bool:
        if next(self._steps, _END) is _END:
            self._many.__exit__(None)
            return False
        return True

    def reject(self, why: str | None = None) -> None:
        self._many.reject(why)


_END = object()
_new_many = hypothesis_utils.many
if not hasattr(_new_many, "more"):
    vars(hypothesis_jsonschema_schema)["cu"] = SimpleNamespace(many=_LoopStyleMany)


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    path = tmp_path_factory.mktemp("fuzz") / "monitor.db"
    config = Settings(database={"url": f"sqlite:///{path}"})
    runtime: Runtime = open_runtime(config)
    _empty_tables(config.database.url)
    seed(runtime, [Doc("a", NOW, title="Espresso <b>", topics=["price"]),
                   Doc("b", NOW, kind="comment", parent_key="a", author="omar")])
    key = make_key(runtime, ["read", "write", "admin"])
    yield create_app(config, runtime), key
    runtime.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzz_target: tuple[FastAPI, str]) -> Any:
    app, _key = fuzz_target
    # Revoking the key under test would turn the rest of the run into 401s.
    methods = [schemathesis.DataGenerationMethod.positive,
               schemathesis.DataGenerationMethod.negative]
    return schemathesis.from_asgi("/openapi.json", app, data_generation_methods=methods).exclude(
        path_regex=r"^/api/v1/keys/", method="DELETE")


schema = schemathesis.from_pytest_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_no_request_makes_the_server_fail(case: Any, fuzz_target: tuple[FastAPI, str]) -> None:
    _app, key = fuzz_target
    response = case.call_asgi(headers={"Authorization": f"Bearer {key}"})
    case.validate_response(response, checks=(not_a_server_error, response_schema_conformance))
