"""The report card in a real headless browser (Debian's chromium, driven by Playwright without
downloading a browser): every section renders, plots have content, summary links scroll to their
sections, nothing is fetched from the network and the console stays clean."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from genguard.report.card import build_sections

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
# Launch flags for a sandboxed CI machine: no GPU, no network chatter of the browser itself.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser_page(card_run, tmp_path_factory: pytest.TempPathFactory):
    if CHROMIUM is None:
        pytest.skip("no chromium binary (apt-get install -y chromium; `make setup` does it as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extras")
    profile = tmp_path_factory.mktemp("chromium-profile")
    requests: list[str] = []
    problems: list[str] = []
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        page.on(
            "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
        )
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        url = (card_run.out_dir / "report.html").resolve().as_uri()
        page.goto(url, wait_until="load")
        yield page, url, requests, problems
        context.close()


def test_every_section_renders_with_its_plots(card_run, browser_page) -> None:
    page, _, _, _ = browser_page
    sections = build_sections(card_run.data)
    assert len(sections) >= 8
    for section in sections:
        heading = page.locator(f"section#{section.key} > h2")
        assert heading.is_visible(), section.key
        assert heading.inner_text() == section.title
        if section.has_figures:
            svgs = page.locator(f"section#{section.key} figure svg")
            assert svgs.count() >= 1, section.key
            box = svgs.first.bounding_box()
            assert box and box["width"] > 200 and box["height"] > 50, section.key
            # bars and dots are rects and circles; ROC curves (privacy) are polylines
            marks = ", ".join(f"section#{section.key} figure svg {m}" for m in ("rect", "circle", "polyline"))
            assert page.locator(marks).count() > 2, section.key


def test_summary_links_scroll_to_their_sections(browser_page) -> None:
    page, _, _, _ = browser_page
    links = page.locator("#summary a[href^='#']")
    assert links.count() == 8  # every concern of the card has a section in the tiny run
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href")
        assert page.locator(target).count() == 1, target
        page.evaluate("window.scrollTo(0, 0)")
        links.nth(i).click()
        page.wait_for_function(
            f"Math.abs(document.querySelector('{target}').getBoundingClientRect().top) < 40"
        )
        assert page.evaluate("window.scrollY") > 0


def test_nothing_fetched_and_no_console_error(card_run, browser_page) -> None:
    page, url, requests, problems = browser_page
    page.screenshot(path=str(card_run.out_dir / "report.png"), full_page=True)
    assert set(requests) == {url}, requests
    assert problems == []


def test_long_labels_wrap_instead_of_being_cut(browser_page) -> None:
    page, _, _, _ = browser_page
    labels = page.eval_on_selector_all("section#context svg text", "els => els.map(e => e.textContent)")
    assert any("(should:" in t for t in labels)
    assert not any(t.endswith("…") for t in labels)
