#!/usr/bin/python3
"""Opens an Overseer report in headless Chromium and checks what a reader would see.

Usage: report_in_chromium.py OVERSEER SOURCE_DIR WORK_DIR [SCREENSHOT]

Runs a short GA campaign, writes its report, loads it in Chromium driven through the DevTools
protocol over a pipe (--remote-debugging-pipe), and fails unless every chart is a laid-out,
non-empty SVG, the console shows no errors or warnings, and the page requested nothing but
itself. A control page with a broken image, a console error and an exception must trip the
same checks, so a silent browser cannot pass the test. Saves a full-page screenshot to
SCREENSHOT (default WORK_DIR/report.png). Exits 77 (skipped) only when Chromium is missing and
cannot be installed.
"""
import base64
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

SKIP = 77
TIMEOUT_S = 40


def find_or_install_chromium():
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("chromium is missing; installing the Debian package", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"],
                       env=env, stdout=subprocess.DEVNULL, check=False)
        if shutil.which("chromium"):
            return shutil.which("chromium")
    print("SKIPPED: Debian's chromium is not installed and could not be installed "
          "(run scripts/install-deps.sh as root)")
    sys.exit(SKIP)


class Browser:
    """Headless Chromium spoken to in DevTools protocol messages, NUL-terminated JSON."""

    def __init__(self, chromium, profile_dir):
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def pipes_on_3_and_4():
            # Through fresh copies: a pipe end may already sit on 3 or 4, and dup2 onto itself
            # would leave it close-on-exec.
            commands, replies = os.dup(commands_read), os.dup(replies_write)
            os.dup2(commands, 3)
            os.dup2(replies, 4)

        self._process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--user-data-dir=" + profile_dir, "--no-first-run", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False,
            preexec_fn=pipes_on_3_and_4)
        os.close(commands_read)
        os.close(replies_write)
        self._buffer = b""
        self._next_id = 0
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.call("Target.attachToTarget",
                                  {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(domain + ".enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
                  session=True)

    def _message(self, deadline):
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self._buffer += chunk
        text, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(text)

    def call(self, method, params=None, session=False):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            reply = self._message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method):
        deadline = time.monotonic() + TIMEOUT_S
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._message(deadline))

    def open(self, url):
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                           session=True)
        return result["result"]["value"]

    def problems(self):
        """Console errors and warnings, exceptions, failed loads, and requests off the page."""
        found = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning",
                                                                             "assert"):
                found.append(f"console {params['type']}: {params['args']}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log {params['entry']['level']}: {params['entry']['text']}")
            elif method == "Network.loadingFailed":
                found.append(f"failed load: {params.get('errorText')}")
            elif method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                if not url.startswith(("file://", "data:", "about:")):
                    found.append(f"request off the page: {url}")
        return found

    def screenshot(self, path):
        size = self.call("Page.getLayoutMetrics", session=True)["cssContentSize"]
        shot = self.call("Page.captureScreenshot",
                         {"format": "png", "captureBeyondViewport": True,
                          "clip": {"x": 0, "y": 0, "width": size["width"],
                                   "height": size["height"], "scale": 1}},
                         session=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def close(self):
        try:
            self.call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def png_is_a_picture(path):
    """Width, height, and whether its pixels differ (a blank page is one colour)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    rows = zlib.decompress(idat)
    stride = len(rows) // height
    # Skip each row's filter byte; compare the pixels of all rows to the first pixel.
    first = rows[1:4]
    varied = any(rows[r * stride + 1 + c:r * stride + 4 + c] != first
                 for r in range(0, height, max(1, height // 50))
                 for c in range(0, stride - 4, max(3, (stride // 50) // 3 * 3)))
    return width, height, varied


SVG_STATS = """JSON.stringify([...document.querySelectorAll('svg')].map(s => {
  const box = s.getBoundingClientRect();
  return {width: box.width, height: box.height,
          shapes: s.querySelectorAll('rect,path,circle,line').length,
          title: (s.querySelector('title') || {}).textContent || ''};
}))"""


def check(condition, message, failures):
    if not condition:
        failures.append(message)


def main():
    overseer, source_dir, work_dir = sys.argv[1:4]
    screenshot = sys.argv[4] if len(sys.argv) > 4 else os.path.join(work_dir, "report.png")
    chromium = find_or_install_chromium()
    os.makedirs(work_dir, exist_ok=True)
    run_dir = os.path.join(work_dir, "run")
    shutil.rmtree(run_dir, ignore_errors=True)
    subprocess.run([overseer, "run", os.path.join(source_dir, "workflows", "hartmann6-ga.json"),
                    "--workers", "2", "--out", run_dir, "--set", "search.num_iterations=4"],
                   check=True, stderr=subprocess.DEVNULL)
    report = subprocess.run([overseer, "report", run_dir], check=True, capture_output=True,
                            text=True).stdout.strip()

    control = os.path.join(work_dir, "control.html")
    with open(control, "w") as f:
        f.write("<!DOCTYPE html><html><body><img src='missing.png'><svg></svg>"
                "<script>console.error('control error'); no_such_function();</script>"
                "</body></html>")

    failures = []
    with tempfile.TemporaryDirectory() as profile:
        browser = Browser(chromium, profile)
        try:
            browser.open("file://" + os.path.abspath(control))
            control_problems = browser.problems()
            check(len(control_problems) >= 3,
                  f"the control page's errors went unseen: {control_problems}", failures)

            browser.open("file://" + os.path.abspath(report))
            svgs = json.loads(browser.evaluate(SVG_STATS))
            sections = browser.evaluate(
                "[...document.querySelectorAll('section')].map(s => s.id).join(' ')").split()
            problems = browser.problems()
            browser.screenshot(screenshot)
        finally:
            browser.close()

    expected = ["summary", "convergence", "heatmaps", "parameters", "generations", "workers"]
    check(sections == expected, f"sections {sections}, expected {expected}", failures)
    # Two convergence charts, pair heatmaps, six parameter scatters, generations, occupancy.
    check(len(svgs) >= 12, f"only {len(svgs)} SVG charts", failures)
    for svg in svgs:
        check(svg["width"] > 100 and svg["height"] > 100 and svg["shapes"] >= 5,
              f"chart '{svg['title']}' is empty or not laid out: {svg}", failures)
    check(problems == [], f"the report's console or network shows problems: {problems}",
          failures)
    width, height, varied = png_is_a_picture(screenshot)
    check(width >= 1200 and height > 2000 and varied,
          f"screenshot {width}x{height}, varied pixels: {varied}", failures)

    print(f"{report}: {len(svgs)} charts in sections {' '.join(sections)}; "
          f"screenshot {screenshot} ({width}x{height})")
    for f in failures:
        print("FAILED:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
