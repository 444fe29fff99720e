"""Every source kind in one place: the collector modules describe themselves here.

A collector module is any module of the ``collectors`` package with a module-level ``KIND``
(a ``KindInfo``) and the two functions of the ``Collector`` protocol. Config validation,
the ``source:`` query field, the API schemas and the dashboard all read the kinds from
``kinds()``, so a new kind is one module (plus its tests and fixtures) and nothing else.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Protocol, cast

from collectors.document import CollectResult, FetchState, SourceSpec, ThreadRef
from collectors.errors import CollectorError
from collectors.fetching import Fetcher


@dataclass(frozen=True, slots=True)
class OptionField:
    """One key a kind accepts under a source's ``options``.

    Values are strings (as in YAML); ``choices`` limits them, ``integer`` asks for a whole
    number of at least ``minimum``.
    """

    name: str
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()
    integer: bool = False
    minimum: int = 1

    def problem(self, value: str) -> str | None:
        """Why ``value`` is not acceptable, or None."""
        if self.choices and value not in self.choices:
            return f"takes one of {', '.join(self.choices)}, not {value!r}"
        if self.integer and not (value.strip().isdigit() and int(value) >= self.minimum):
            return f"takes a whole number of at least {self.minimum}, not {value!r}"
        return None


@dataclass(frozen=True, slots=True)
class KindInfo:
    """What a source kind is: its name in configs and queries, how people call it, what a
    source of it points at, the options it takes, the kinds of the ThreadRefs it yields and
    the hosts that identify it without a fetch."""

    name: str
    display_name: str
    url_help: str
    options: tuple[OptionField, ...] = ()
    thread_kinds: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    needs_url: bool = True  # False: the URL only names the source (search kinds)
    order: int = 100  # position in lists shown to people

    def option(self, name: str) -> OptionField | None:
        return next((o for o in self.options if o.name == name), None)

    def option_problems(self, options: Mapping[str, str]) -> list[str]:
        """Unknown keys, missing required keys and refused values, one message each."""
        problems = [
            f"option {key!r} is not known to kind {self.name!r}"
            f" (known: {', '.join(o.name for o in self.options) or 'none'})"
            for key in options if self.option(key) is None
        ]
        for option in self.options:
            value = options.get(option.name)
            if value is None:
                if option.required:
                    problems.append(f"kind {self.name!r} needs option {option.name!r}")
                continue
            problem = option.problem(value)
            if problem:
                problems.append(f"option {option.name!r} {problem}")
        return problems


class Collector(Protocol):
    """What a collector module provides besides its ``KIND``."""

    async def collect(
        self, fetcher: Fetcher, spec: SourceSpec, state: FetchState
    ) -> CollectResult: ...

    async def collect_thread(
        self, fetcher: Fetcher, ref: ThreadRef, state: FetchState
    ) -> CollectResult: ...


@dataclass(frozen=True, slots=True)
class RegisteredKind:
    info: KindInfo
    module: ModuleType

    @property
    def collector(self) -> Collector:
        return cast(Collector, self.module)


def discover(package: ModuleType, attribute: str = "KIND") -> dict[str, ModuleType]:
    """Modules of ``package`` that declare ``attribute``, by the declared name."""
    found: dict[str, ModuleType] = {}
    for module_info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if not _declares(module_info.name, attribute):
            continue  # helpers (the HTTP client, parsers) need not load to list the kinds
        module = importlib.import_module(module_info.name)
        declared = getattr(module, attribute, None)
        name = getattr(declared, "name", None)
        if isinstance(name, str):
            if name in found:
                raise CollectorError(f"kind {name!r} declared by two modules")
            found[name] = module
    return found


def _declares(module_name: str, attribute: str) -> bool:
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return True  # not a plain source file: import it and look
    try:
        source = Path(spec.origin).read_text(encoding="utf-8")
    except OSError:
        return True
    return re.search(rf"^{re.escape(attribute)}\s*=", source, re.MULTILINE) is not None


@cache
def _registry() -> dict[str, RegisteredKind]:
    import collectors

    modules = discover(collectors)
    registered = [RegisteredKind(cast(KindInfo, m.KIND), m) for m in modules.values()]
    registered.sort(key=lambda r: (r.info.order, r.info.name))
    return {r.info.name: r for r in registered}


def kinds() -> list[KindInfo]:
    """Every source kind, in display order."""
    return [r.info for r in _registry().values()]


def kind_names() -> tuple[str, ...]:
    return tuple(_registry())


def is_kind(name: str | None) -> bool:
    return name is not None and name in _registry()


def kind_info(name: str) -> KindInfo:
    return lookup(name).info


def lookup(name: str) -> RegisteredKind:
    """The registered kind ``name``; CollectorError naming the known kinds otherwise."""
    found = _registry().get(name)
    if found is None:
        raise CollectorError(f"unknown source kind {name!r}; known: {', '.join(_registry())}")
    return found


def kind_for_host(host: str) -> str | None:
    """The kind whose ``hosts`` include ``host`` (or a parent domain of it)."""
    host = host.lower()
    for info in kinds():
        if any(host == h or host.endswith("." + h) for h in info.hosts):
            return info.name
    return None


def display_names(names: Iterable[str] | None = None) -> dict[str, str]:
    """Kind name -> display name, for menus."""
    wanted = set(names) if names is not None else None
    return {i.name: i.display_name for i in kinds() if wanted is None or i.name in wanted}
