"""The package as a user installs it: a wheel in a fresh venv, away from the source tree.

Builds the wheel, installs it with the locked versions into a new virtualenv, and runs
`monitor db upgrade` and an article extraction there, from a directory that has no source
tree: the migrations and templates must travel inside the package. Needs uv (installed by
`make` into .tools/) and the package index; skipped with a message when uv is missing.
The plain-pip variant (Python's bundled pip, no lock) is slow and runs with --run-slow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
EXTRACT = """
from collectors.articles import extract_article
html = "<html><head><title>Acme</title></head><body><article><p>" + \
    "Acme launched a new anvil line on Monday and the reviews are glowing. " * 20 + \
    "</p></article></body></html>"
found = extract_article(html, "https://blog.example/acme/")
assert found is not None and "anvil" in found.text, found
import monitor, api
print("installed at", monitor.__file__)
"""


def _uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".tools/bin/uv")
    if not Path(found).exists():
        pytest.skip("packaging test needs uv: run `make test`, which installs it in .tools/")
    return found


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MONITOR_", "VIRTUAL_ENV", "UV_PROJECT"))}
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def _wheel(uv: str, out: Path) -> Path:
    _run(uv, "build", "--wheel", "--out-dir", out, ROOT, cwd=out)
    return next(out.glob("brand_monitor-*.whl"))


def _check_installed(venv: Path, work: Path) -> None:
    config = work / "config.yaml"
    config.write_text(f"database:\n  url: sqlite:///{work / 'monitor.db'}\n")
    upgraded = _run(venv / "bin/monitor", "db", "upgrade", "--config", config, cwd=work)
    assert "database is up to date" in upgraded.stdout
    extracted = _run(venv / "bin/python", "-c", EXTRACT, cwd=work)
    assert str(venv) in extracted.stdout  # the installed copy ran, not the source tree


def test_the_wheel_installs_and_runs_without_the_source_tree(tmp_path: Path) -> None:
    uv = _uv()
    wheel = _wheel(uv, tmp_path)
    pins = _run(uv, "export", "--frozen", "--no-hashes", "--no-emit-project",
                "--project", ROOT, cwd=tmp_path).stdout
    (tmp_path / "pins.txt").write_text(pins)
    venv = tmp_path / "venv"
    _run(uv, "venv", "--python", sys.executable, venv, cwd=tmp_path)
    _run(uv, "pip", "install", "--python", venv / "bin/python", "-c", tmp_path / "pins.txt",
         wheel, cwd=tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    _check_installed(venv, work)


@pytest.mark.slow
def test_a_plain_pip_install_works(tmp_path: Path) -> None:
    """`python3 -m venv v && v/bin/pip install .` with the pip Python bundles, no lock."""
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    _run(venv / "bin/pip", "install", "--quiet", ROOT, cwd=tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    _check_installed(venv, work)
