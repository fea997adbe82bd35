"""Live NMEA streams: a reconnecting TCP client and a UDP listener, each yielding
``(line, receive_time)`` with the line's terminator removed and the receive time in
unix seconds.

Lines end at LF, CRLF or a lone CR; empty lines are skipped. A line longer than
``max_line_bytes`` is yielded cut to ``max_line_bytes + 1`` bytes, so the decoder
still sees it is over the limit and rejects it as ``too_long`` with evidence, and
the rest of it is skipped; no buffer grows past the limit.

Network trouble never raises from :func:`tcp_lines`: it is reported through
``on_status`` and the client reconnects with exponential back-off. Both generators
return soon after ``stop`` is set (within ``poll_interval``).
"""

from __future__ import annotations

import random
import re
import socket
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator, Optional
from urllib.parse import unquote, urlsplit

from maritime.errors import FeedError

DEFAULT_MAX_LINE_BYTES = 4096  # the default of IngestSettings.max_line_bytes
RECV_BYTES = 65536
_TERMINATOR = re.compile(rb"[\r\n]")

StatusCallback = Callable[[str], None]


def _ignore(message: str) -> None:
    pass


# -- feed URLs -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedURL:
    """A parsed feed address: ``tcp``/``udp`` with host and port, or ``file`` with a path or glob."""

    scheme: str
    host: Optional[str] = None
    port: Optional[int] = None
    path: Optional[str] = None

    def __str__(self) -> str:
        if self.scheme == "file":
            return f"file://{self.path}"
        host = f"[{self.host}]" if self.host and ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


_EXPECTED = "expected tcp://host:port, udp://host:port or file:///folder/or/glob"


def parse_feed_url(url: str) -> FeedURL:
    """Parse a feed address; raise :class:`FeedError` saying what is expected otherwise."""
    text = url.strip()
    scheme, _, rest = text.partition("://")
    scheme = scheme.lower()
    if scheme in ("tcp", "udp"):
        return _network_url(scheme, text, url)
    if scheme == "file":
        return _file_url(rest, url)
    raise FeedError(f"unsupported feed URL {url!r}: {_EXPECTED}")


def _network_url(scheme: str, text: str, url: str) -> FeedURL:
    example = f"{scheme}://192.168.1.20:10110"
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        raise FeedError(f"feed URL {url!r} has an invalid port (1..65535), e.g. {example}") from None
    if not parts.hostname or not port:
        raise FeedError(f"feed URL {url!r} needs a host and a port, e.g. {example}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise FeedError(f"feed URL {url!r} has more than a host and a port, e.g. {example}")
    return FeedURL(scheme, host=parts.hostname, port=port)


def _file_url(rest: str, url: str) -> FeedURL:
    # Not urlsplit: "?" and "#" are glob characters and file names here, not query and fragment.
    host, slash, path = rest.partition("/")
    if host not in ("", "localhost") or not slash:
        raise FeedError(f"feed URL {url!r} needs an absolute path: file:///folder/or/glob")
    path = unquote("/" + path)
    if path == "/":
        raise FeedError(f"feed URL {url!r} names no folder or files: file:///folder/or/glob")
    return FeedURL("file", path=path)


# -- lines out of bytes ----------------------------------------------------------------------------

class LineSplitter:
    """Bytes as they arrive → complete lines, holding at most ``max_line_bytes`` of a partial one."""

    def __init__(self, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES):
        self.max_line_bytes = max_line_bytes
        self.too_long = 0
        self._pending = b""
        self._skipping = False  # inside an over-long line whose start was already yielded

    def feed(self, data: bytes) -> list[bytes]:
        if self._skipping:
            end = _TERMINATOR.search(data)
            if end is None:
                return []
            data = data[end.start():]
            self._skipping = False
        buffer = self._pending + data
        pieces = buffer.splitlines()
        ends_with_terminator = buffer[-1:] in (b"\r", b"\n")
        self._pending = pieces.pop() if pieces and not ends_with_terminator else b""
        lines = [self._capped(piece) for piece in pieces if piece]
        if len(self._pending) > self.max_line_bytes:
            lines.append(self._capped(self._pending))
            self._pending = b""
            self._skipping = True
        return lines

    def flush(self) -> list[bytes]:
        """The unfinished line as a line (for a datagram, whose end ends it)."""
        rest, self._pending, self._skipping = self._pending, b"", False
        return [self._capped(rest)] if rest else []

    def discard(self) -> int:
        """Drop the unfinished line (a connection broke in the middle of it); its size in bytes."""
        dropped, self._pending, self._skipping = len(self._pending), b"", False
        return dropped

    def _capped(self, line: bytes) -> bytes:
        if len(line) <= self.max_line_bytes:
            return line
        self.too_long += 1
        return line[: self.max_line_bytes + 1]


# -- back-off --------------------------------------------------------------------------------------

class Backoff:
    """Exponential delays with jitter: each is ``min(maximum, initial * 2**n)`` times 0.5–1.0,
    so clients that lost the same server do not all come back at the same instant."""

    def __init__(self, initial: float, maximum: float, rng: Optional[random.Random] = None):
        if initial <= 0 or maximum < initial:
            raise ValueError("back-off needs 0 < initial <= maximum")
        self.initial = initial
        self.maximum = maximum
        self.rng = rng or random.Random()
        self.failures = 0

    def next_delay(self) -> float:
        ceiling = min(self.maximum, self.initial * 2 ** min(self.failures, 62))
        self.failures += 1
        return ceiling * self.rng.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.failures = 0


# -- TCP -------------------------------------------------------------------------------------------

def tcp_lines(host: str, port: int, *, stop: threading.Event, connect_timeout: float = 5.0,
              backoff_initial: float = 1.0, backoff_max: float = 60.0,
              on_status: Optional[StatusCallback] = None, rng: Optional[random.Random] = None,
              max_line_bytes: int = DEFAULT_MAX_LINE_BYTES, idle_timeout: Optional[float] = 300.0,
              poll_interval: float = 0.5) -> Iterator[tuple[bytes, float]]:
    """Lines from a TCP server, reconnecting until ``stop`` is set.

    A connection that is refused, fails, is closed by the server, or stays silent
    for ``idle_timeout`` seconds (a half-open connection looks like that) is
    retried after a back-off delay; the delay starts again from ``backoff_initial``
    once a connection has delivered data. A line cut by a broken connection is dropped.
    """
    name = f"tcp://{host}:{port}"
    report = on_status or _ignore
    backoff = Backoff(backoff_initial, backoff_max, rng)
    while not stop.is_set():
        try:
            sock = socket.create_connection((host, port), timeout=connect_timeout)
        except OSError as exc:
            delay = backoff.next_delay()
            report(f"{name}: cannot connect ({_reason(exc)}); retrying in {delay:.1f} s")
            stop.wait(delay)
            continue
        report(f"{name}: connected")
        with sock:
            session = TcpSession(sock, stop, max_line_bytes, idle_timeout, poll_interval)
            yield from session.lines()
        if session.received:
            backoff.reset()
        if session.dropped_bytes:
            report(f"{name}: dropped an unfinished line of {session.dropped_bytes} bytes")
        if stop.is_set():
            break
        delay = backoff.next_delay()
        report(f"{name}: {session.ended_because}; reconnecting in {delay:.1f} s")
        stop.wait(delay)


class TcpSession:
    """One connection's lines; afterwards, why it ended and what it delivered."""

    def __init__(self, sock: socket.socket, stop: threading.Event, max_line_bytes: int,
                 idle_timeout: Optional[float], poll_interval: float):
        self.sock = sock
        self.stop = stop
        self.splitter = LineSplitter(max_line_bytes)
        self.idle_timeout = idle_timeout
        self.poll_interval = poll_interval
        self.received = False
        self.dropped_bytes = 0
        self.ended_because = "stopped"

    def lines(self) -> Iterator[tuple[bytes, float]]:
        self.sock.settimeout(self.poll_interval)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        last_data = time.monotonic()
        while not self.stop.is_set():
            try:
                data = self.sock.recv(RECV_BYTES)
            except socket.timeout:
                if self.idle_timeout is not None and time.monotonic() - last_data > self.idle_timeout:
                    self._end(f"no data for {self.idle_timeout:g} s")
                    return
                continue
            except OSError as exc:
                self._end(f"connection lost ({_reason(exc)})")
                return
            if not data:
                self._end("connection closed by the server")
                return
            received_at = time.time()
            last_data = time.monotonic()
            self.received = True
            for line in self.splitter.feed(data):
                yield line, received_at

    def _end(self, reason: str) -> None:
        self.ended_because = reason
        self.dropped_bytes = self.splitter.discard()


# -- UDP -------------------------------------------------------------------------------------------

def udp_lines(host: str, port: int, *, stop: threading.Event, bufsize: int = 65535,
              max_line_bytes: int = DEFAULT_MAX_LINE_BYTES, on_status: Optional[StatusCallback] = None,
              poll_interval: float = 0.5) -> Iterator[tuple[bytes, float]]:
    """Lines from UDP datagrams sent to ``host:port`` until ``stop`` is set.

    Each datagram holds whole lines; its end ends its last line. Raises
    :class:`FeedError` only if the address cannot be listened on.
    """
    name = f"udp://{host}:{port}"
    report = on_status or _ignore
    sock = _udp_socket(host, port)
    with sock:
        sock.settimeout(poll_interval)
        report(f"{name}: listening")
        splitter = LineSplitter(max_line_bytes)
        while not stop.is_set():
            try:
                data, _sender = sock.recvfrom(bufsize)
            except socket.timeout:
                continue
            except OSError as exc:
                report(f"{name}: receive failed ({_reason(exc)})")
                stop.wait(poll_interval)
                continue
            received_at = time.time()
            for line in splitter.feed(data) + splitter.flush():
                yield line, received_at


def _udp_socket(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_DGRAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise FeedError(f"cannot listen on udp://{host}:{port}: {_reason(exc)}") from None
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise FeedError(f"cannot listen on udp://{host}:{port}: {_reason(exc)}") from None
    return sock


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__
