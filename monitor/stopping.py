"""One-shot commands stopped by SIGTERM or SIGINT: the work in flight is cancelled, its own
clean-up runs (claims freed, connections and the parse pool closed by the caller), and the
caller learns which signal stopped it instead of the process dying where it stood."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Coroutine
from typing import Any, TypeVar

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
T = TypeVar("T")


class StoppedBySignal(Exception):
    """The work was cancelled because the process was asked to stop."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")

    @property
    def exit_code(self) -> int:
        """The shell's convention for a process ended by a signal."""
        return 128 + self.signum


async def run_until_signalled(work: Coroutine[Any, Any, T]) -> T:
    """``work``'s result, or ``StoppedBySignal`` once SIGTERM or SIGINT has cancelled it."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(work)
    received: list[int] = []

    def stop(signum: int) -> None:
        received.append(signum)
        task.cancel()

    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop, signum)
    try:
        return await task
    except asyncio.CancelledError:
        if received:
            raise StoppedBySignal(received[0]) from None
        raise
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
