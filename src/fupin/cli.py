"""The `fupin` console command: Django's management commands with the project's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run `fupin <command> ...` as `django-admin <command> ...` with fupin's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["fupin", *argv])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
