"""`monitor collect` runs at `collector.nice`: every thread of the process, seen from the feed
server while the process fetches."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title>'
        b"<link>http://127.0.0.1/</link><item><title>Acme news</title>"
        b"<link>http://127.0.0.1/a</link><guid>a</guid><description>Acme is fine."
        b"</description></item></channel></rss>")


class PrioritySpy:
    """A feed on loopback that notes the nice value of every thread of ``pid`` (set once the
    collecting process has started) each time the feed is fetched."""

    def __init__(self) -> None:
        self.pid = 0
        self.seen: list[int] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def thread_priorities(self) -> list[int]:
        tasks = Path(f"/proc/{self.pid}/task")
        # Field 19 of stat is the nice value; the command name before it may hold spaces.
        return [int((task / "stat").read_text().rsplit(")", 1)[1].split()[16])
                for task in tasks.iterdir()]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        spy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if spy.pid:
                    spy.seen.extend(spy.thread_priorities())
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(FEED)))
                self.end_headers()
                self.wfile.write(FEED)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        return Handler


@pytest.fixture
def spy() -> Iterator[PrioritySpy]:
    watching = PrioritySpy()
    yield watching
    watching.server.shutdown()
    watching.server.server_close()


def _collect(tmp_path: Path, spy: PrioritySpy, nice: int) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "database": {"url": f"sqlite:///{tmp_path / 'monitor.db'}"},
        "collector": {"allow_private_networks": True, "obey_robots": False, "nice": nice},
        "brands": [{"name": "Acme", "query": "Acme"}],
        "sources": [{"name": "Quiet", "url": spy.url, "kind": "rss"}],
    }))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor.launch", "collect", "--once", "--all", "--config",
         str(config)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    spy.pid = process.pid
    _out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_collect_runs_every_thread_at_the_configured_priority(tmp_path: Path,
                                                              spy: PrioritySpy) -> None:
    base = os.getpriority(os.PRIO_PROCESS, 0)
    if base >= 7:
        pytest.skip("this process already runs at a low priority")
    _collect(tmp_path, spy, nice=7)
    assert spy.seen, "the feed was never fetched"
    assert set(spy.seen) == {7}


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_nice_0_leaves_collect_at_the_priority_it_was_started_with(tmp_path: Path,
                                                                    spy: PrioritySpy) -> None:
    _collect(tmp_path, spy, nice=0)
    assert set(spy.seen) == {os.getpriority(os.PRIO_PROCESS, 0)}
