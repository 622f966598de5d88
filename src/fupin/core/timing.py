"""Timing the steps of a long job, so that logs and benchmarks show where time goes."""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger("fupin.timing")


@dataclass
class Steps:
    """Seconds taken by each named step of one job, in the order they ran."""

    job: str
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time one step; the figure is logged and kept in `seconds`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 3)
            logger.info(
                "%s: %s took %.3f s (process peak %d MiB)",
                self.job, name, self.seconds[name], peak_mib(),
            )  # fmt: skip

    def record(self, name: str, seconds: float) -> None:
        """Keep a figure measured elsewhere (a commit that ends a `with` block, say)."""
        self.seconds[name] = round(seconds, 3)
        logger.info("%s: %s took %.3f s", self.job, name, self.seconds[name])

    def __str__(self) -> str:
        return ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.seconds.items())


def peak_mib() -> int:
    """The peak resident memory of this process image, in MiB.

    VmHWM belongs to the current program (it starts afresh at exec), whereas ru_maxrss
    carries the high-water mark of the parent that forked it.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
