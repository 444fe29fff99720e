"""The `monitor` command's entry point.

`collect` and `worker` lower their CPU priority (collector.nice) before the rest of the
program is imported: the imports are a third of a short cycle's CPU (about 1.1 of 4 s), and
at normal priority they took the cores from the API's requests on the same machine.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

COLLECTING = frozenset({"collect", "worker"})
_CONFIG_OPTIONS = ("--config", "-c")


def main() -> None:
    lower_priority_before_imports(sys.argv[1:])
    from monitor.cli import app  # imported once the priority is set: most of the start-up

    app()


def lower_priority_before_imports(arguments: list[str]) -> None:
    """For a collection command, collector.nice from the config its arguments (or
    $MONITOR_CONFIG) name. A config that cannot be read is left for the command to report."""
    if command_of(arguments) not in COLLECTING:
        return
    config = config_of(arguments) or os.environ.get("MONITOR_CONFIG")
    if not config:
        return
    from collectors.parsing import lower_priority
    from monitor.config import load_settings
    from monitor.errors import ConfigError

    try:
        settings = load_settings(Path(config))
    except ConfigError:
        return
    lower_priority(settings.collector.nice)


def command_of(arguments: list[str]) -> str | None:
    """The first word that is neither an option nor an option's value."""
    waiting_for_value = False
    for word in arguments:
        if waiting_for_value:
            waiting_for_value = False
        elif word in _CONFIG_OPTIONS:
            waiting_for_value = True
        elif not word.startswith("-"):
            return word
    return None


def config_of(arguments: list[str]) -> str | None:
    """The config file the arguments name (the last one given wins, as in the command)."""
    found = None
    for index, word in enumerate(arguments):
        if word in _CONFIG_OPTIONS and index + 1 < len(arguments):
            found = arguments[index + 1]
        elif word.startswith("--config="):
            found = word.removeprefix("--config=")
    return found


if __name__ == "__main__":
    main()
