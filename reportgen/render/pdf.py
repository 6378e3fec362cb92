"""PDF reports: the print HTML rendered by WeasyPrint in a sandboxed, time-limited child process.

The child (`python -m reportgen.render.pdf`) reads HTML on stdin and writes the PDF on stdout.
It is the only place WeasyPrint is imported. Its URL fetcher serves `data:` URLs and refuses
everything else (file, http(s), ftp, ...), and there is no base URL, so hostile test output
that made it into the HTML (an `<img src="http://...">`, a `<link rel="attachment"
href="file:///...">`) can neither reach the network nor embed a local file. Running in a
child means a pathological document costs at most `timeout` seconds: the child is killed and
`RenderError` raised. With SOURCE_DATE_EPOCH set the PDF's created/modified dates come from it
(otherwise they are omitted), so equal HTML gives byte-identical PDFs.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen import clock
from reportgen.errors import RenderError, RendererUnavailableError, UsageError

if TYPE_CHECKING:
    from reportgen.render.outputs import RenderContext
    from reportgen.render.view import ReportView

#: PDF variants passed through to WeasyPrint's `pdf_variant` (`--pdf-variant`).
PDF_VARIANTS: tuple[str, ...] = ("pdf/a-3b", "pdf/ua-1")
#: `--pdf-variant` value for a PDF without structure tags.
UNTAGGED = "untagged"
#: The report's PDF is tagged by default (PDF/UA-1: structure, alt text on charts, language,
#: title): benchmarks/report.py measures it at about the untagged cost (renderer CPU time
#: 1.06-1.09x on 100k tests, 0.93-0.96x on the sample), within the 1.5x allowed for a default.
DEFAULT_VARIANT = "pdf/ua-1"

#: Default time limit for one PDF, in seconds.
DEFAULT_TIMEOUT = 120.0

# Rendering cost grows with what the view lists, not with the run: benchmarks/report.py
# (100,000 tests, 1,000 failures) takes about 5-7 s here with the view's caps (50 failures of
# 25 output lines each, 25 pages), and each further listed failure adds about 0.1-0.2 s
# (150 failures: 18 s, 300: 30 s). Raising `MAX_FAILURES` in render/view.py costs that here.

# The worker's last stderr line carries its report; the marker tells it apart from anything
# a library might print.
_REPORT_MARKER = "reportgen-pdf-worker: "
# How cffi says that a shared library could not be opened (WeasyPrint loads Pango that way).
_CANNOT_LOAD = re.compile(r"cannot load library '([^']+)'")


@dataclass(frozen=True, slots=True)
class RenderStats:
    """What one PDF rendering cost, as measured by the parent and reported by the child."""

    seconds: float
    peak_rss_bytes: int
    pages: int
    warnings: tuple[str, ...]


def render_pdf(
    view: ReportView, *, variant: str = DEFAULT_VARIANT, timeout: float = DEFAULT_TIMEOUT
) -> bytes:
    """The PDF report of `view`: its print HTML rendered in a sandboxed child process, tagged
    (PDF/UA-1) unless `variant` says otherwise (`untagged`, or `pdf/a-3b`)."""
    from reportgen.render.html import render_html

    chosen = None if variant == UNTAGGED else variant
    return html_to_pdf(render_html(view, for_pdf=True), variant=chosen, timeout=timeout)


def render(context: RenderContext) -> bytes:
    """The PDF output of the outputs registry."""
    return render_pdf(
        context.view,
        variant=context.pdf_variant or DEFAULT_VARIANT,
        timeout=context.pdf_timeout or DEFAULT_TIMEOUT,
    )


def html_to_pdf(
    html: str, *, variant: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> bytes:
    """Render an HTML string to PDF in a child process; RenderError on failure or timeout."""
    pdf, _ = html_to_pdf_with_stats(html, variant=variant, timeout=timeout)
    return pdf


def html_to_pdf_with_stats(
    html: str, *, variant: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> tuple[bytes, RenderStats]:
    """`html_to_pdf`, also returning the wall time, the child's peak RSS, pages and warnings."""
    if variant is not None and variant not in PDF_VARIANTS:
        raise UsageError(
            f"unknown PDF variant {variant!r}", hint=f"use one of: {', '.join(PDF_VARIANTS)}"
        )
    if not timeout > 0:
        raise UsageError(f"the PDF time limit must be positive, got {timeout!r}")
    command = [sys.executable, "-m", "reportgen.render.pdf"]
    if variant:
        command += ["--variant", variant]
    started = time.perf_counter()
    # An empty working directory: nothing relative can resolve to project files, even if a
    # future WeasyPrint started resolving paths without a base URL.
    with tempfile.TemporaryDirectory(prefix="reportgen-pdf-") as workdir:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=workdir,
            env=_child_env(workdir),
            # Its own process group, so a timeout kills whatever the renderer started too.
            start_new_session=True,
        )
        try:
            out, err = process.communicate(html.encode("utf-8"), timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise RenderError(
                f"PDF rendering exceeded the {timeout:g} s time limit; the renderer was stopped",
                hint="render fewer details (lower the caps) or allow more time",
            ) from None
        finally:
            # On any other way out (KeyboardInterrupt, ...) leave no renderer behind.
            if process.poll() is None:
                _kill(process)
    elapsed = time.perf_counter() - started
    report = _parse_report(err.decode("utf-8", "replace"))
    if report is not None and report.get("missing"):
        raise _unavailable(str(report["missing"]))
    if process.returncode != 0 or report is None or "error" in report:
        detail = (report or {}).get("error") or _last_line(err) or f"exit {process.returncode}"
        raise RenderError(f"PDF rendering failed: {detail}")
    stats = RenderStats(
        seconds=elapsed,
        peak_rss_bytes=int(report.get("peak_rss_kb", 0)) * 1024,
        pages=int(report.get("pages", 0)),
        warnings=tuple(str(w) for w in report.get("warnings", ())),
    )
    return out, stats


def _unavailable(missing: str) -> RendererUnavailableError:
    """The error for a renderer that cannot start here, saying what to install."""
    if missing == "weasyprint":
        return RendererUnavailableError(
            "cannot render PDF on this machine: the weasyprint package is not installed",
            hint="install it: `python3 -m pip install 'weasyprint>=70,<71'`",
        )
    return RendererUnavailableError(
        f"cannot render PDF on this machine: missing system library {missing}",
        hint="install Pango: `apt-get install libpango-1.0-0 libpangoft2-1.0-0` on "
        "Debian/Ubuntu, else see WeasyPrint's installation guide",
    )


def _missing_library(exc: BaseException) -> str | None:
    """The library WeasyPrint could not load at import, when that is what `exc` says."""
    if isinstance(exc, ModuleNotFoundError) and exc.name == "weasyprint":
        return "weasyprint"
    if isinstance(exc, OSError):
        found = _CANNOT_LOAD.search(str(exc))
        if found:
            return found.group(1)[:100]
    return None


def _child_env(workdir: str) -> dict[str, str]:
    """The environment for the child: ours, with this very reportgen first on the path so the
    child runs the same code whether reportgen is installed or run from a checkout, and its
    temporary files inside `workdir`: a library lookup at WeasyPrint's import runs a compiler
    whose scratch files a killed renderer would otherwise leave behind."""
    import reportgen

    root = str(Path(reportgen.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["TMPDIR"] = workdir
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the renderer's process group (we created it) and reap the child."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _last_line(data: bytes) -> str:
    lines = data.decode("utf-8", "replace").strip().splitlines()
    return " ".join(lines[-1].split()) if lines else ""


def _parse_report(stderr: str) -> dict[str, Any] | None:
    for line in reversed(stderr.splitlines()):
        if line.startswith(_REPORT_MARKER):
            try:
                report = json.loads(line[len(_REPORT_MARKER) :])
            except json.JSONDecodeError:
                return None
            return report if isinstance(report, dict) else None
    return None


# --- the child process --------------------------------------------------------------------


def _data_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves `data:` URLs and raises for anything else."""
    from urllib.request import DataHandler, Request

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class DataOnlyFetcher(URLFetcher):
        """Never opens a file or a socket: `data:` is decoded in memory, the rest refused.

        Overriding `fetch` (which `open` and `__call__` go through) means urllib's file,
        HTTP and redirect handlers are never consulted.
        """

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data",), allow_redirects=False)

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url[:5].lower() != "data:":
                scheme = url.split(":", 1)[0][:20] if ":" in url else "relative"
                raise ValueError(f"refused to fetch a {scheme} URL: only data: URLs are allowed")
            response = DataHandler().data_open(Request(url))
            return URLFetcherResponse(
                url,
                body=response.read(),
                headers={"Content-Type": response.headers.get("Content-Type", "text/plain")},
            )

    return DataOnlyFetcher()


def _peak_rss_kb() -> int:
    """This process's peak resident set size in kB.

    Linux's VmHWM belongs to the address space created at exec, so it counts the renderer
    alone; ru_maxrss (the fallback elsewhere) also carries the parent's size at spawn time.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _worker(argv: Sequence[str]) -> int:
    """Child entry point: HTML on stdin -> PDF on stdout, a one-line JSON report on stderr."""
    import argparse
    import logging

    parser = argparse.ArgumentParser(prog="python -m reportgen.render.pdf")
    parser.add_argument("--variant", choices=PDF_VARIANTS, default=None)
    args = parser.parse_args(argv)
    warnings: list[str] = []

    class Keep(logging.Handler):
        """Keeps WeasyPrint's warnings for the report (and off stderr)."""

        def emit(self, record: logging.LogRecord) -> None:
            warnings.append(" ".join(record.getMessage().split())[:500])

    report: dict[str, Any] = {}
    try:
        # WeasyPrint's import opens Pango; when that fails the machine lacks a library (an
        # expected error the parent explains), not a rendering bug. Its notice goes to stdout,
        # which is the PDF, so it is kept off it.
        with contextlib.redirect_stdout(sys.stderr):
            import weasyprint
    except (ImportError, OSError) as exc:
        report["missing"] = _missing_library(exc)
        report["error"] = " ".join(f"{type(exc).__name__}: {exc}".split())[:500]
        sys.stderr.write(_REPORT_MARKER + json.dumps(report, sort_keys=True) + "\n")
        return 1
    try:
        html = sys.stdin.buffer.read().decode("utf-8")
        logger = logging.getLogger("weasyprint")
        logger.addHandler(Keep(level=logging.WARNING))
        logger.setLevel(logging.WARNING)
        document = weasyprint.HTML(
            string=html, base_url=None, url_fetcher=_data_only_fetcher()
        ).render()
        # The parent checked the value (the CLI refuses a bad one before any work).
        moment = clock.source_date()
        if moment is not None:
            document.metadata.created = document.metadata.modified = clock.iso(moment)
        pdf = document.write_pdf(pdf_variant=args.variant)
        report["pages"] = len(document.pages)
    except Exception as exc:  # the parent turns this into a RenderError
        report["error"] = " ".join(f"{type(exc).__name__}: {exc}".split())[:500]
        pdf = b""
    report["warnings"] = warnings[:200]
    report["peak_rss_kb"] = _peak_rss_kb()
    sys.stdout.buffer.write(pdf)
    sys.stdout.buffer.flush()
    sys.stderr.write(_REPORT_MARKER + json.dumps(report, sort_keys=True) + "\n")
    return 1 if "error" in report else 0


if __name__ == "__main__":
    sys.exit(_worker(sys.argv[1:]))
