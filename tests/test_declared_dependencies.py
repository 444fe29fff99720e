"""pyproject.toml declares every third-party package the shipped code imports.

A package that is only installed as somebody else's dependency (lxml_html_clean for jusText,
say) can vanish with the next release of that somebody; declaring it keeps `pip install .`
working without the lock.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[1]
SHIPPED = ("monitor", "collectors", "api")


def _imported_top_levels() -> set[str]:
    names: set[str] = set()
    for package in SHIPPED:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module.split(".")[0])
    return names - set(SHIPPED) - set(sys.stdlib_module_names) - {"__future__"}


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"],
                    *project["optional-dependencies"].get("postgres", [])]
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def test_every_imported_package_is_declared() -> None:
    owners = packages_distributions()
    declared = _declared()
    missing = {
        module: owners.get(module, ["?"])
        for module in _imported_top_levels()
        if not {canonicalize_name(d) for d in owners.get(module, [])} & declared
    }
    assert missing == {}, f"imported but not declared in pyproject.toml: {missing}"
