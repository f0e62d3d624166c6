"""``report.html`` in a real browser: headless Chromium (Debian's ``chromium``).

The page is driven through the DevTools protocol (``tests/cdp.py``): every
console error or warning, uncaught exception and failed resource is
collected; the layout is read from the live page; screenshots are taken at a
desktop size and under a phone's emulation (390 x 844 CSS pixels, mobile).
"""

import io
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

from .cli_helpers import DATA, assert_ok, run_cli

pytest.importorskip("websocket", reason="the browser tests need websocket-client")

PHONE = (390, 844)
DESKTOP = (1280, 900)

_LAYOUT = """JSON.stringify({
  innerWidth: innerWidth,
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
  fontSize: parseFloat(getComputedStyle(document.body).fontSize),
  boxes: [].map.call(document.querySelectorAll(".scroll"),
                     b => b.getBoundingClientRect().right),
  images: [].map.call(document.images, i => {
    const r = i.getBoundingClientRect();
    return {figure: i.parentNode.id, complete: i.complete,
            naturalWidth: i.naturalWidth, left: r.left, top: r.top + scrollY,
            width: r.width, height: r.height};
  })
})"""


def _install_chromium():
    """Debian's chromium from the package registry; the reason when it fails."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "chromium is missing, and installing it needs root and apt-get"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    for cmd in (install, ["apt-get", "update"], install):
        try:
            proc = subprocess.run(
                cmd, env=env, capture_output=True, text=True, timeout=900
            )
        except subprocess.TimeoutExpired:
            return f"'{' '.join(cmd)}' timed out"
        if cmd is install and proc.returncode == 0:
            return None
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:]
    return f"apt-get could not install chromium: {' '.join(tail)}"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        reason = _install_chromium()
        exe = shutil.which("chromium")
        if exe is None:
            pytest.skip(reason or "chromium could not be installed")
    from .cdp import Browser

    session = Browser(exe, tmp_path_factory.mktemp("chromium") / "profile")
    yield session
    session.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    assert_ok(
        run_cli(
            "fit",
            DATA / "prostate.csv",
            "--target",
            "lpsa",
            "--cv",
            5,
            "--standardize",
            "--train-column",
            "train",
            "--out",
            tmp / "out",
            "--quiet",
        )
    )
    return tmp / "out" / "report.html"


def _layout(browser):
    import json

    return json.loads(browser.evaluate(_LAYOUT))


def _pixels(png):
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _coloured(pixels):
    """Pixels of saturated colour (plot traces), not grey text or white."""
    return (pixels.max(axis=2) - pixels.min(axis=2)) > 80


def _n_hues(pixels):
    from matplotlib.colors import rgb_to_hsv

    hue = rgb_to_hsv(pixels[_coloured(pixels)] / 255.0)[:, 0]
    counts = np.bincount((hue * 12).astype(int) % 12, minlength=12)
    return int((counts > 30).sum())


def test_report_is_self_contained(report):
    text = report.read_text(encoding="utf-8")
    assert text.count('src="data:image/png;base64,') == 2
    assert not re.search(r'(src|href)="(?!data:)', text)
    assert "<script" not in text
    assert '<meta name="viewport" content="width=device-width' in text
    for heading in ("Data", "Model", "Held-out metrics", "Selected features"):
        assert f"<h2>{heading}" in text
    assert "alpha_1se" in text and "Duality gap" in text


def test_the_checks_catch_errors_and_overflow(browser, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head></head><body>"
        '<img src="missing.png"><div style="width:600px">wide</div>'
        '<script>console.error("boom"); undefinedFunction();</script>'
        "</body></html>"
    )
    browser.load(bad.as_uri(), *PHONE, mobile=True)
    problems = " | ".join(browser.problems())
    assert "boom" in problems and "undefinedFunction" in problems
    assert "ERR_FILE_NOT_FOUND" in problems
    # Without a viewport meta tag a phone lays the page out 980 pixels wide.
    assert _layout(browser)["innerWidth"] == 980
    wide = tmp_path / "wide.html"
    wide.write_text(
        '<!DOCTYPE html><html><head><meta name="viewport" '
        'content="width=device-width"></head><body>'
        '<div style="width:600px">wide</div></body></html>'
    )
    browser.load(wide.as_uri(), *PHONE, mobile=True)
    layout = _layout(browser)
    # A phone zooms out to show the overflow: the page no longer fits 390.
    assert layout["scrollWidth"] > PHONE[0] and layout["innerWidth"] > PHONE[0]


def test_report_loads_without_console_errors(browser, report):
    browser.load(report.as_uri(), *DESKTOP)
    assert browser.problems() == []
    figures = {i["figure"]: i for i in _layout(browser)["images"]}
    assert set(figures) == {"path-figure", "cv-figure"}
    for image in figures.values():
        assert image["complete"] and image["naturalWidth"] > 500


def test_screenshot_shows_the_path_figure(browser, report, tmp_path):
    browser.load(report.as_uri(), *DESKTOP)
    fig = next(i for i in _layout(browser)["images"] if i["figure"] == "path-figure")
    png = browser.screenshot((0, 0, DESKTOP[0], fig["top"] + fig["height"] + 40))
    (tmp_path / "desktop.png").write_bytes(png)
    pixels = _pixels(png)
    top, left = int(fig["top"]), int(fig["left"])
    crop = pixels[top : top + int(fig["height"]), left : left + int(fig["width"])]
    above = pixels[: top - 20]
    assert crop.shape[0] > 300 and crop.std() > 20  # there, and not blank
    # Coloured traces in several hues in the figure; hardly any colour above it.
    assert _coloured(crop).mean() > 0.005 and _n_hues(crop) >= 4
    assert _coloured(above).mean() < _coloured(crop).mean() / 5


def test_report_is_usable_at_a_phone_width(browser, report, tmp_path):
    browser.load(report.as_uri(), *PHONE, mobile=True)
    assert browser.problems() == []
    layout = _layout(browser)
    assert layout["innerWidth"] == PHONE[0]
    # No sideways scrolling of the page: wide tables scroll inside their box.
    assert layout["scrollWidth"] <= layout["clientWidth"] == PHONE[0]
    assert max(layout["boxes"]) <= PHONE[0]
    assert layout["fontSize"] >= 12
    for image in layout["images"]:
        assert image["left"] >= 0 and 0.75 * PHONE[0] <= image["width"] <= PHONE[0]
    png = browser.screenshot()
    (tmp_path / "phone.png").write_bytes(png)
    pixels = _pixels(png)
    assert pixels.shape[1] == PHONE[0] and pixels.std() > 20
