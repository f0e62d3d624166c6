"""Check the built site in headless Chromium (``make docs-check``).

Serves ``docs/_build/html`` on a local port, opens every page reachable from
``index.html`` in a 390 x 844 CSS-pixel viewport (a phone) and reports:

- console errors and warnings, uncaught exceptions and failed loads (a
  script, a stylesheet, an image or a font that did not come);
- broken internal links: a link to a page that does not exist, or to an
  anchor (``page.html#id``) that the page does not have;
- sideways scrolling: the document wider than the viewport;
- formulas that MathJax (served from the site itself) did not typeset.

Exit status 0 when every page is clean, 1 otherwise (each problem printed).
The browser is driven through the DevTools protocol (``tests/cdp.py``), so
nothing is downloaded: ``--chromium`` names the executable (default
``/usr/bin/chromium``).
"""

import argparse
import functools
import http.server
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.cdp import Browser  # noqa: E402

WIDTH, HEIGHT = 390, 844

# The links, ids and width of the page, read in the page after it loaded.
PAGE_FACTS = """(() => {
  const links = Array.from(document.querySelectorAll('a[href]'))
      .map(a => a.href);
  const ids = Array.from(document.querySelectorAll('[id]')).map(e => e.id)
      .concat(Array.from(document.querySelectorAll('a[name]')).map(a => a.name));
  const doc = document.documentElement;
  return JSON.stringify({links, ids, scrollWidth: doc.scrollWidth,
                         clientWidth: doc.clientWidth,
                         mathErrors: document.querySelectorAll('mjx-merror').length,
                         formulas: document.querySelectorAll('.math').length,
                         typeset: document.querySelectorAll('mjx-container').length});
})()"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder):
    """A local HTTP server on ``folder``; returns (server, base URL)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _local_page(url, base):
    """The page part of an internal link to an HTML page, else None."""
    page, _ = urldefrag(url)
    if not page.startswith(base):
        return None
    path = urlparse(page).path
    if path.endswith("/"):
        page += "index.html"
    return page if page.endswith(".html") else None


def _wait_for_math(browser):
    """Let MathJax finish typesetting (it runs after the load event)."""
    browser.evaluate(
        "(window.MathJax && MathJax.startup && MathJax.startup.promise)"
        " ? MathJax.startup.promise.then(() => true) : true"
    )


def check_page(browser, url, folder, base):
    """Load ``url``; return (problems, facts)."""
    import json

    browser.load(url, WIDTH, HEIGHT, mobile=True)
    _wait_for_math(browser)
    facts = json.loads(browser.evaluate(PAGE_FACTS))
    problems = list(browser.problems())
    if facts["scrollWidth"] > facts["clientWidth"]:
        problems.append(
            f"scrolls sideways at {WIDTH} px: document {facts['scrollWidth']} px "
            f"wide, viewport {facts['clientWidth']} px"
        )
    if facts["formulas"] and not facts["typeset"]:
        problems.append(f"{facts['formulas']} formula(s) left untypeset (no MathJax)")
    if facts["mathErrors"]:
        problems.append(f"{facts['mathErrors']} formula(s) MathJax could not typeset")
    for link in facts["links"]:
        target = _local_page(link, base)
        if target is None and link.startswith(base):
            # another local file (an image, a .py download): it must exist
            path = folder / urlparse(urldefrag(link)[0]).path.lstrip("/")
            if not path.exists():
                problems.append(f"broken link: {link}")
    return problems, facts


def crawl(folder, chromium):
    """Visit every page reachable from index.html; return {page: problems}."""
    server, base = serve(folder)
    report, ids, anchors = {}, {}, []
    with tempfile.TemporaryDirectory() as profile:
        browser = Browser(chromium, profile)
        try:
            queue, seen = [urljoin(base, "index.html")], set()
            while queue:
                url = queue.pop()
                if url in seen:
                    continue
                seen.add(url)
                path = folder / urlparse(url).path.lstrip("/")
                if not path.exists():
                    continue  # reported as a broken link by the page linking it
                problems, facts = check_page(browser, url, folder, base)
                report[url] = problems
                ids[url] = set(facts["ids"])
                for link in facts["links"]:
                    page = _local_page(link, base)
                    if page is None:
                        continue
                    fragment = urldefrag(link)[1]
                    anchors.append((url, page, fragment))
                    if page not in seen:
                        queue.append(page)
        finally:
            browser.close()
            server.shutdown()
    for source, page, fragment in anchors:
        if page not in ids:
            report[source].append(f"broken link: {page}")
        elif fragment and fragment not in ids[page]:
            report[source].append(f"broken link: {page}#{fragment} (no such anchor)")
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, nargs="?", default=ROOT / "docs/_build/html")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        parser.error(f"no index.html in {args.site}: run `make docs` first")
    start = time.monotonic()
    report = crawl(args.site.resolve(), args.chromium)
    bad = {url: sorted(set(p)) for url, p in report.items() if p}
    for url, problems in sorted(bad.items()):
        print(url)
        for problem in problems:
            print(f"  {problem}")
    print(
        f"{len(report)} pages checked at {WIDTH} px in "
        f"{time.monotonic() - start:.0f} s: {len(bad)} with problems"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
