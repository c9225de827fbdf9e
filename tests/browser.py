"""A small Chrome DevTools Protocol client for the site tests: Debian's ``chromium``
headless, driven over its DevTools websocket (``websocket-client`` from PyPI). No browser is
downloaded: the system chromium is used, or the test is skipped (failed on CI).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def chromium_path() -> str:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    message = "chromium not installed (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message + ": required on CI")
    pytest.skip(message)


def axe_path() -> Path:
    """axe-core's axe.min.js from npm (``npm install -g axe-core``), or $LAOKG_AXE."""
    candidates = []
    if os.environ.get("LAOKG_AXE"):
        candidates.append(Path(os.environ["LAOKG_AXE"]))
    npm = shutil.which("npm")
    if npm:
        try:
            root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=60).stdout.strip()
            candidates.append(Path(root) / "axe-core" / "axe.min.js")
        except (OSError, subprocess.SubprocessError):
            pass
    for path in candidates:
        if path.is_file():
            return path
    message = "axe-core not installed (npm install -g axe-core)"
    if os.environ.get("CI"):
        pytest.fail(message + ": required on CI")
    pytest.skip(message)


class Browser:
    """One headless chromium with one page; collects console errors and failed loads."""

    def __init__(self, width: int = 1200, height: int = 900):
        import websocket  # websocket-client

        self.profile = tempfile.mkdtemp(prefix="laokg-chromium-")
        self.proc = subprocess.Popen(
            [
                chromium_path(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--mute-audio",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        port = self._devtools_port()
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30).read())
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        for method in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            self.send(method)
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        # every document records the Content-Security-Policy violations it sees (a script the
        # DevTools protocol adds runs before the page's own and is not subject to its policy)
        self.send(
            "Page.addScriptToEvaluateOnNewDocument",
            source=(
                "window.__laokgCsp = []; document.addEventListener('securitypolicyviolation', e => "
                "window.__laokgCsp.push(e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' ' "
                "+ (e.sample || '')));"
            ),
        )

    def _devtools_port(self) -> int:
        deadline = time.monotonic() + 60
        seen = []
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                if self.proc.poll() is not None:
                    break
                continue
            seen.append(line)
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if m:
                return int(m.group(1))
        self.close()
        raise RuntimeError("chromium did not start: " + "".join(seen[-5:]))

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def _wait_for(self, method: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, ev in enumerate(self.events):
                if ev["method"] == method:
                    return self.events.pop(i)
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(method)

    def open(self, url: str) -> list[str]:
        """Load ``url`` and return the console errors, exceptions and failed loads it caused."""
        self.events.clear()
        self.send("Page.navigate", url=url)
        self._wait_for("Page.loadEventFired")
        self.evaluate("new Promise(r => setTimeout(r, 50))", await_promise=True)  # let scripts settle
        return self.errors()

    def errors(self) -> list[str]:
        out = []
        for ev in self.events:
            m, p = ev["method"], ev.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(
                    "console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                )
            elif m == "Runtime.exceptionThrown":
                out.append("exception: " + p.get("exceptionDetails", {}).get("text", ""))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append("log: " + p["entry"].get("text", "") + " " + p["entry"].get("url", ""))
            elif m == "Network.loadingFailed" and not p.get("canceled"):
                out.append("network: " + p.get("errorText", ""))
        return out

    def csp_violations(self) -> list[str]:
        """The Content-Security-Policy violations the current page reported (directive, what)."""
        return self.evaluate("window.__laokgCsp || []")

    def click(self, selector: str) -> None:
        """A real mouse click (pressed and released) in the middle of the first ``selector``."""
        x, y = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView();"
            " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def evaluate(self, expression: str, await_promise: bool = False):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=await_promise)
        if "exceptionDetails" in result:
            raise RuntimeError(
                result["exceptionDetails"].get("exception", {}).get("description") or result["exceptionDetails"]
            )
        return result.get("result", {}).get("value")

    def press_tab(self) -> None:
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key="Tab", code="Tab", windowsVirtualKeyCode=9)

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        params = {"format": "png"}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params.update(
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
            )
        data = self.send("Page.captureScreenshot", **params)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            if getattr(self, "ws", None) is not None:
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
            shutil.rmtree(self.profile, ignore_errors=True)
