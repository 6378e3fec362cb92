"""The HTML report in a real browser: headless Chromium driven by Playwright, network off.

The sample and a hostile-input report are opened at desktop and phone (390 px) widths: no
console error (a CSP violation is one), no request beyond the file itself, no sideways scroll
at 390 px, the filter box finds a failure by name, and the page reads with scripts off.
Screenshots go to `out/screenshots/` (or $REPORTGEN_SCREENSHOTS), kept by CI as an artifact.
Without Chromium or Playwright these tests skip, except under CI=true, where that fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_cli
from tests.render.helpers import render_sample
from tests.render.test_hostile import write_inputs

CHROMIUM = Path(os.environ.get("REPORTGEN_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("REPORTGEN_SCREENSHOTS", REPO / "out" / "screenshots"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WIDTHS = {"desktop": 1280, "phone": 390}


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright)"
    if not CHROMIUM.is_file():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser checks cannot run on CI: {missing}")
        pytest.skip(f"browser checks skipped: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """name -> (HTML file, a failing test's name to filter for), both from the real CLI."""
    out = tmp_path_factory.mktemp("browser")
    result = render_sample(out, "sample.html")
    assert result.returncode == 1, result.stderr
    # Port 9 (discard): any request the hostile text could make is caught by the page below.
    results, criteria = write_inputs(out, 9)
    result = run_cli("report", "-c", str(criteria), str(results), "-o", str(out / "hostile.html"))
    assert result.returncode == 1, result.stderr
    return {
        "sample": (out / "sample.html", "test_staging_websocket_connection"),
        "hostile": (out / "hostile.html", "test_5 | pipes"),
    }


def _open(browser: Any, path: Path, width: int, **options: Any) -> tuple[Any, Any, list[str]]:
    """A page on `path` with the network off; what it logged or requested is collected."""
    context = browser.new_context(viewport={"width": width, "height": 900}, offline=True, **options)
    page = context.new_page()
    problems: list[str] = []
    url = path.as_uri()

    def on_request(request: Any) -> None:
        if request.url != url:
            problems.append(f"request: {request.url}")

    def on_route(route: Any) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()

    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", on_request)
    context.route("**/*", on_route)
    page.goto(url)
    return context, page, problems


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("name", ["sample", "hostile"])
def test_report_in_chromium(
    browser: Any, reports: dict[str, tuple[Path, str]], name: str, width: str
) -> None:
    path, failing = reports[name]
    context, page, problems = _open(browser, path, WIDTHS[width])
    try:
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{name} scrolls sideways at {WIDTHS[width]} px: {scroll} > {inner}"
        # The filter box is shown by the script and finds the failure by name.
        assert page.is_visible("#filter")
        entries = page.locator("[data-filterable]")
        total = entries.count()
        assert total >= 1
        page.fill("#filter", failing)
        shown = [
            entries.nth(i).locator(".name").inner_text()
            for i in range(total)
            if entries.nth(i).is_visible()
        ]
        assert shown and all(failing in s for s in shown), shown
        assert page.inner_text("#filter-status") == f"{len(shown)} of {total} shown"
        page.fill("#filter", "no test is called this")
        assert not any(entries.nth(i).is_visible() for i in range(total))
        page.fill("#filter", "")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        assert problems == [], problems
    finally:
        context.close()


def test_reads_with_scripts_off_and_in_dark_mode(
    browser: Any, reports: dict[str, tuple[Path, str]]
) -> None:
    path, failing = reports["sample"]
    context, page, problems = _open(
        browser, path, WIDTHS["phone"], java_script_enabled=False, color_scheme="dark"
    )
    try:
        # No filter box without its script; every failure is still there to read.
        assert not page.is_visible("#filter-box")
        assert page.locator("[data-filterable]").count() == 1
        assert failing in page.inner_text("#failures + ul")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(18, 22, 29)", background  # the dark scheme's page colour
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "sample-phone-dark-noscript.png"), full_page=True)
        assert problems == [], problems
    finally:
        context.close()
