"""A lean HTTP/1.1 JSON client for the load generators (asyncio streams, keep-alive).

The load generator shares the machine's two cores with the app server and PostgreSQL, so
what it costs comes out of the figures it measures. aiohttp spent 0.5-0.8 ms of CPU per
request here; this client does one write and two reads per request. It speaks only what
the benches need: POST/GET with a JSON body, answers with a Content-Length or in chunks,
and a new connection when the server closes one (gunicorn's sync workers close after every
answer).
"""

from __future__ import annotations

import asyncio
import json


def run(coroutine):
    """Run the load generator's event loop: uvloop's when installed (the bench extra), which
    costs less CPU per request than asyncio's own, else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


class Connection:
    """One client connection; requests on it are sequential (one scanner, one buyer)."""

    def __init__(self, host: str, port: int, headers: dict[str, str] | None = None):
        self.host, self.port = host, port
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        self._head = f"Host: {host}:{port}\r\nContent-Type: application/json\r\n{extra}".encode()
        self._reader = self._writer = None

    async def request(self, method: str, path: str, body=None) -> tuple[int, object]:
        """(status, decoded JSON body). Raises ConnectionError when the server goes away twice."""
        payload = b"" if body is None else json.dumps(body).encode()
        message = (f"{method} {path} HTTP/1.1\r\n".encode() + self._head
                   + f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
        for attempt in (1, 2):
            if self._writer is None:
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            try:
                self._writer.write(message)
                return await self._answer()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise ConnectionError(f"{method} {path}: the server closed the connection")
        raise AssertionError("unreachable")

    async def post(self, path: str, body=None) -> tuple[int, object]:
        return await self.request("POST", path, {} if body is None else body)

    async def _answer(self) -> tuple[int, object]:
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, chunked, keep_alive = None, False, lines[0].startswith("HTTP/1.1")
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = value == "chunked"
            elif name == "connection":
                keep_alive = value == "keep-alive" or (keep_alive and value != "close")
        if chunked:
            data = await self._chunks()
        else:
            data = await (self._reader.readexactly(length) if length is not None else self._reader.read())
        if (length is None and not chunked) or not keep_alive:
            self.close()
        return status, (json.loads(data) if data else None)

    async def _chunks(self) -> bytes:
        data = b""
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            data += (await self._reader.readexactly(size + 2))[:size]
            if size == 0:
                return data

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None
