"""A minimal Streamlit websocket client: loads the page and changes widgets like a browser,
without rendering anything (so a load test measures the server, not 8 software renderers)."""

from __future__ import annotations

import asyncio
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


class StreamlitClient:
    def __init__(self, url: str):
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.widget_ids: dict[str, str] = {}  # user key -> Streamlit widget id
        self.exceptions: list[str] = []

    async def __aenter__(self):
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=2**26)
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def rerun(self, widgets: dict[str, int] | None = None, timeout: float = 120.0) -> float:
        """Send a rerun (with changed widget values) and wait for the script to finish; seconds taken."""
        msg = BackMsg()
        msg.rerun_script.page_script_hash = ""
        for key, value in (widgets or {}).items():
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = self.widget_ids[key]
            state.int_value = value
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        await asyncio.wait_for(self._until_finished(), timeout)
        return time.perf_counter() - started

    async def _until_finished(self) -> None:
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.ws.recv())
            kind = forward.WhichOneof("type")
            if kind == "delta":
                self._note(forward)
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
                self.widget_ids[widget_id.rsplit("-", 1)[-1]] = widget_id
