"""Start and stop `streamlit run` on a loopback port, and talk to it as a browser would:
shared by the browser tests and the bench."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not become healthy in {timeout} s")


def start_streamlit(
    script: Path, env: dict | None = None, python: str = sys.executable, wait: bool = True, log: Path | None = None
) -> tuple[subprocess.Popen, str]:
    """`streamlit run script` on a free loopback port; returns (process, base URL).
    ``log``: a file for the server's output (discarded otherwise)."""
    port = free_port()
    output = open(log, "w") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [
            python,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=PROJECT_ROOT,
        stdout=output,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    if log:
        output.close()  # the server holds its own copy
    url = f"http://127.0.0.1:{port}"
    if wait:
        wait_healthy(url, process)
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def chromium_path() -> str:
    from shutil import which

    return which("chromium") or "/usr/bin/chromium"


class StreamlitClient:
    """A minimal Streamlit websocket client: loads the page and changes widgets like a browser,
    without rendering anything (so a load test measures the server, not software renderers)."""

    def __init__(self, url: str, page: str = "", query: str = ""):
        """``page`` is a page's url path (e.g. "network"), ``query`` the link's query string."""
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.page, self.query = page, query
        self.page_hash = ""  # the page the server ran, as a browser sends it back on each rerun
        self.widget_ids: dict[str, str] = {}  # user key -> Streamlit widget id
        self.widget_kinds: dict[str, str] = {}  # user key -> element type (a slider's value is a list)
        self.exceptions: list[str] = []
        self.received_bytes = 0

    async def __aenter__(self):
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=2**26)
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def rerun(self, widgets: dict[str, int] | None = None, timeout: float = 120.0) -> float:
        """Send a rerun (with changed widget values) and wait for the script to finish; seconds taken."""
        msg = BackMsg()
        msg.rerun_script.page_script_hash = self.page_hash
        msg.rerun_script.page_name = "" if self.page_hash else self.page
        msg.rerun_script.query_string = self.query
        for key, value in (widgets or {}).items():
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = self.widget_ids[key]
            if self.widget_kinds.get(key) == "slider":
                state.double_array_value.data.append(value)
            else:
                state.int_value = value
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        await asyncio.wait_for(self._until_finished(), timeout)
        return time.perf_counter() - started

    async def _until_finished(self) -> None:
        while True:
            message = await self.ws.recv()
            self.received_bytes += len(message)
            forward = ForwardMsg()
            forward.ParseFromString(message)
            kind = forward.WhichOneof("type")
            if kind == "delta":
                self._note(forward)
            elif kind == "navigation":  # st.navigation names the page it ran: later reruns stay on it
                self.page_hash = forward.navigation.page_script_hash
            elif kind == "script_finished":
                return

    def _note(self, forward: ForwardMsg) -> None:
        element = forward.delta.new_element
        which = element.WhichOneof("type")
        if which == "exception":
            self.exceptions.append(element.exception.message)
        elif which is not None:
            widget = getattr(element, which)
            widget_id = getattr(widget, "id", "")
            if isinstance(widget_id, str) and widget_id.startswith("$$ID"):
                key = widget_id.rsplit("-", 1)[-1]
                self.widget_ids[key], self.widget_kinds[key] = widget_id, which
