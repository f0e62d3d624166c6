"""A small Chrome DevTools Protocol session over websocket-client.

Enough to load a page in headless Chromium under device emulation, collect
every console message, uncaught exception and failed resource, evaluate an
expression and take a screenshot.
"""

import base64
import json
import subprocess
import time
import urllib.request
from pathlib import Path

__all__ = ["Browser"]


class Browser:
    """Headless Chromium driven through its DevTools websocket."""

    def __init__(self, executable, profile):
        import websocket

        self.proc = subprocess.Popen(
            [
                executable,
                "--headless",
                "--disable-gpu",
                "--no-sandbox",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port = self._port(Path(profile) / "DevToolsActivePort")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as reply:
            targets = json.load(reply)
        url = next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"]
        self.ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.next_id, self.events = 0, []

    def _port(self, active_port):
        # Chromium writes the port it chose into the profile folder.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if active_port.exists():
                lines = active_port.read_text().split()
                if lines:
                    return int(lines[0])
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("chromium did not open its DevTools port")

    def send(self, method, **params):
        """Call ``method``; keep the events that arrive before its result."""
        self.next_id += 1
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(e.get("method") == event for e in self.events):
                return
            self.ws.settimeout(max(deadline - time.monotonic(), 0.1))
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(event)

    def load(self, url, width, height, mobile=False):
        """Open ``url`` in a ``width`` x ``height`` CSS-pixel viewport."""
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )
        self.events.clear()
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        self.evaluate("new Promise(r => setTimeout(r, 200))")

    def problems(self):
        """Console errors and warnings, exceptions, failed loads: as text."""
        out = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in (
                "error",
                "warning",
                "assert",
            ):
                values = [a.get("value", a.get("description")) for a in params["args"]]
                out.append(f"console.{params['type']}: {values}")
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                thrown = details.get("exception", {}).get("description", "")
                out.append(f"exception: {details.get('text')} {thrown}".strip())
            elif method == "Log.entryAdded" and params["entry"]["level"] in (
                "error",
                "warning",
            ):
                out.append(f"log: {params['entry']['text']}")
        return out

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        return result["result"].get("value")

    def screenshot(self, clip=None):
        """PNG bytes of the viewport, or of ``clip`` (x, y, width, height)."""
        params = {"format": "png"}
        if clip is not None:
            x, y, w, h = clip
            params.update(
                clip={"x": x, "y": y, "width": w, "height": h, "scale": 1},
                captureBeyondViewport=True,
            )
        return base64.b64decode(self.send("Page.captureScreenshot", **params)["data"])

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:  # noqa: BLE001 - the browser may already be gone
            pass
        self.ws.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
