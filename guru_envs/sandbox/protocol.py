"""Framing between the scorer and a sandbox worker: length-prefixed JSON headers with raw byte blobs.

A frame is ``>II`` (header length, body length), a JSON header, then the body: the named byte blobs
listed in ``header["blobs"]`` as ``[name, length]`` pairs, concatenated in order. Raw blobs keep large
program outputs out of JSON escaping. The worker side never trusts what the sandboxed child wrote; it
only forwards the child's records as blobs, and the scorer parses them defensively.

Stdlib-only: the pool ships this file to the worker as bytecode (:mod:`guru_envs.sandbox.worker`).
"""

from __future__ import annotations

import errno
import json
import os
import select
import struct
import time
from typing import Any

# Modules most submissions use, loaded once in the worker. Each extension module adds ~5 memory
# mappings that every fork copies (~25 us), so rarely used ones (random, decimal, dataclasses, ...) are
# left to the submissions that import them.
DEFAULT_PREIMPORT = "bisect collections functools heapq itertools math operator re string typing".split()

_PREFIX = struct.Struct(">II")
MAX_HEADER = 16 << 20
MAX_BODY = 1 << 34


class ProtocolError(RuntimeError):
    """The peer sent something that is not a well-formed frame."""


def pack(header: dict[str, Any], blobs: dict[str, bytes] | None = None) -> bytes:
    """Serialise one frame."""
    blobs = blobs or {}
    head = dict(header)
    head["blobs"] = [[name, len(data)] for name, data in blobs.items()]
    raw = json.dumps(head, separators=(",", ":")).encode("utf-8")
    body = b"".join(blobs.values())
    return _PREFIX.pack(len(raw), len(body)) + raw + body


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to a blocking fd, retrying on partial writes and EINTR."""
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except InterruptedError:
            continue
        view = view[n:]


class FrameBuffer:
    """Accumulates bytes from a stream and yields complete frames."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> None:
        """Append bytes read from the stream."""
        self._buf += data

    def pop(self) -> tuple[dict[str, Any], dict[str, bytes]] | None:
        """Return the next complete frame as ``(header, blobs)``, or None if more bytes are needed."""
        if len(self._buf) < _PREFIX.size:
            return None
        hlen, blen = _PREFIX.unpack_from(self._buf, 0)
        if hlen > MAX_HEADER or blen > MAX_BODY:
            raise ProtocolError("frame too large")
        end = _PREFIX.size + hlen + blen
        if len(self._buf) < end:
            return None
        raw = bytes(self._buf[_PREFIX.size : _PREFIX.size + hlen])
        body = memoryview(self._buf)[_PREFIX.size + hlen : end]
        try:
            header = json.loads(raw)
            if not isinstance(header, dict):
                raise ValueError("header is not an object")
            blobs: dict[str, bytes] = {}
            pos = 0
            for name, size in header.pop("blobs", []):
                blobs[str(name)] = bytes(body[pos : pos + int(size)])
                pos += int(size)
            if pos != blen:
                raise ValueError("blob sizes do not add up")
        except (ValueError, TypeError) as exc:
            raise ProtocolError(f"bad frame: {exc}") from None
        finally:
            body.release()
        del self._buf[:end]
        return header, blobs


def read_frame(
    fd: int, buf: FrameBuffer, deadline: float | None = None
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Block until a whole frame arrives on ``fd``; raise EOFError on close, TimeoutError past ``deadline``."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while True:
        frame = buf.pop()
        if frame is not None:
            return frame
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no frame before the deadline")
            if not poller.poll(max(1, int(left * 1000) + 1)):
                continue
        try:
            data = os.read(fd, 1 << 20)
        except InterruptedError:
            continue
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                continue
            raise EOFError(str(exc)) from None
        if not data:
            raise EOFError("peer closed the stream")
        buf.feed(data)
