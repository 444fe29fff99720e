"""The `monitor` entry point: `collect` and `worker` run at collector.nice before the rest of
the program is imported; other commands, and configs that cannot be read, are left alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from monitor.launch import command_of, config_of

PROBE = (
    "import os, sys; from monitor.launch import lower_priority_before_imports as lower; "
    "lower(sys.argv[1:]); "
    "print(os.getpriority(os.PRIO_PROCESS, 0), 'sqlalchemy' in sys.modules, "
    "'monitor.cli' in sys.modules)"
)


def _config(tmp_path: Path, nice: int) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "database": {"url": f"sqlite:///{tmp_path / 'monitor.db'}"},
        "collector": {"nice": nice},
    }))
    return config


def _probe(*arguments: str, env: dict[str, str] | None = None) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    done = subprocess.run([sys.executable, "-c", PROBE, *arguments], env={**clean, **(env or {})},
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.split()


@pytest.fixture
def base_priority() -> int:
    """The suite's own nice value (earlier in-process collections may have raised it)."""
    base = os.getpriority(os.PRIO_PROCESS, 0)
    if base >= 19:
        pytest.skip("this process already runs at the lowest priority")
    return base


def _below(base: int) -> int:
    """A nice value the probe can take: lower priority than the suite's own."""
    return min(base + 3, 19)


@pytest.mark.parametrize(("arguments", "command"), [
    (["collect", "--once"], "collect"),
    (["-c", "x.yaml", "--debug", "worker"], "worker"),
    (["--config", "collect", "serve"], "serve"),  # a config file named like a command
    (["--config=x.yaml", "collect"], "collect"),
    (["apikey", "create", "--name", "collect"], "apikey"),
    (["--debug"], None),
])
def test_the_command_is_the_first_word_that_is_not_an_option(arguments: list[str],
                                                             command: str | None) -> None:
    assert command_of(arguments) == command


def test_the_last_config_given_wins() -> None:
    assert config_of(["-c", "a.yaml", "collect", "--config", "b.yaml"]) == "b.yaml"
    assert config_of(["--config=a.yaml", "worker"]) == "a.yaml"
    assert config_of(["collect", "--once"]) is None


def test_collect_runs_at_its_priority_before_the_program_is_imported(
        tmp_path: Path, base_priority: int) -> None:
    nice = _below(base_priority)
    config = str(_config(tmp_path, nice=nice))
    assert _probe("collect", "--once", "--config", config) == [str(nice), "False", "False"]
    assert _probe("-c", config, "worker") == [str(nice), "False", "False"]
    assert _probe("worker", env={"MONITOR_CONFIG": config})[0] == str(nice)


def test_other_commands_and_unreadable_configs_keep_their_priority(
        tmp_path: Path, base_priority: int) -> None:
    config = str(_config(tmp_path, nice=_below(base_priority)))
    assert _probe("serve", "--config", config)[0] == str(base_priority)
    (tmp_path / "broken.yaml").write_text("collector: [unclosed")
    assert _probe("collect", "-c", str(tmp_path / "broken.yaml"))[0] == str(base_priority)
    assert _probe("collect", "-c", str(tmp_path / "missing.yaml"))[0] == str(base_priority)


def test_the_entry_point_runs_the_command(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "monitor.launch", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "collect" in done.stdout
