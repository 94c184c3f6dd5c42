#!/usr/bin/env python3
"""Loads `armature run --live`'s page in headless Chromium (Debian's `chromium`), driven over the DevTools
protocol with the `websockets` package: waits until the arm drawing and the charts update, presses the
page's E-STOP button and waits for the page to say the run stopped. Prints what it saw as JSON.

  live-browser.py URL [--screenshot FILE.png]
"""
import base64
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from websockets.sync.client import connect


def browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    sys.exit("no chromium: scripts/install-system-packages chromium")


def main():
    url = sys.argv[1]
    screenshot = sys.argv[sys.argv.index("--screenshot") + 1] if "--screenshot" in sys.argv else None
    profile = tempfile.mkdtemp(prefix="armature-chromium-")
    chrome = subprocess.Popen(
        [browser(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--remote-debugging-port=0",
         "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}", "--window-size=1200,760", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        deadline = time.monotonic() + 30
        while port is None and time.monotonic() < deadline:
            line = chrome.stderr.readline()
            match = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if match:
                port = int(match.group(1))
        assert port, "chromium did not start its DevTools endpoint"
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(p for p in pages if p["type"] == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10) as ws:
            ids = iter(range(1, 1_000_000))

            def call(method, **params):
                number = next(ids)
                ws.send(json.dumps({"id": number, "method": method, "params": params}))
                while True:
                    reply = json.loads(ws.recv(timeout=20))
                    if reply.get("id") == number:
                        assert "error" not in reply, reply
                        return reply["result"]

            def look():
                probe = ("JSON.stringify({tip: document.getElementById('arm').dataset.tip || null,"
                         " points: Number(document.getElementById('torques').dataset.points || 0),"
                         " status: document.getElementById('status').textContent,"
                         " estop_enabled: !document.getElementById('estop').disabled,"
                         " stopped: document.body.dataset.stopped || null,"
                         " loop: document.getElementById('loop').textContent})")
                result = call("Runtime.evaluate", expression=probe, returnByValue=True)["result"]
                # Before the page has loaded the probe throws: nothing seen yet.
                return json.loads(result["value"]) if "value" in result else None

            call("Page.navigate", url=url)
            tips, seen = set(), None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                seen = look()
                if seen is None:
                    time.sleep(0.1)
                    continue
                if seen["tip"]:
                    tips.add(seen["tip"])
                if len(tips) >= 5 and seen["points"] >= 20 and seen["estop_enabled"]:
                    break
                time.sleep(0.1)
            before = dict(seen, distinct_tips=len(tips))
            if screenshot:
                data = call("Page.captureScreenshot", format="png")["data"]
                open(screenshot, "wb").write(base64.b64decode(data))
            call("Runtime.evaluate", expression="document.getElementById('estop').click()")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                after = look()
                if after and after["stopped"]:
                    break
                time.sleep(0.1)
            print(json.dumps({"before": before, "after": after}))
    finally:
        chrome.kill()
        chrome.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
