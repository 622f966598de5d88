"""What the benchmark scripts share: a throwaway database and a command line."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def throwaway_database(postgres: bool) -> Iterator[Path]:
    """Point DATABASE_URL at a fresh SQLite file or a throwaway PostgreSQL cluster.

    Yields a scratch directory that is removed afterwards.
    """
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fupin-bench-")))
        if postgres:
            from fupin.testing.pgcluster import running_cluster

            os.environ["DATABASE_URL"] = stack.enter_context(running_cluster()).url()
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
        yield scratch


def main(doc: str, run: Callable[[int, Path], dict[str, Any]], households: int) -> None:
    """Parse `--postgres` and `--households`, run the case, print its figures as JSON."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="use a throwaway cluster")
    parser.add_argument("--households", type=int, default=households)
    args = parser.parse_args()
    with throwaway_database(args.postgres) as scratch:
        print(json.dumps(run(args.households, scratch), indent=2, ensure_ascii=False))
