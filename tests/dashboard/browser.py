"""Headless Chromium (Debian's) driven by Playwright for Python, or a reason to skip."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# As this machine needs them: no sandbox as root, and no calls home on a closed network.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 860}


def chromium() -> str | None:
    for candidate in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def launch(playwright):
    """A browser, or pytest.skip saying why there is none."""
    executable = chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine: `make browser` (apt-get install chromium) installs it")
    try:
        return playwright.chromium.launch(executable_path=executable, args=FLAGS)
    except Exception as exc:  # noqa: BLE001 (whatever stops the browser is the reason to report)
        pytest.skip(f"Chromium at {executable} does not start here: {exc}")


def playwright_or_skip():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed: pip install -e '.[browser]'")
    return sync_playwright
