"""Entry point for `python -m reportgen`."""

from __future__ import annotations

from reportgen.cli import run_and_exit

if __name__ == "__main__":
    run_and_exit()
