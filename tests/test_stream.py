import random
import socket
import threading
import time

import pytest
from pyais import encode_dict

from maritime.errors import FeedError
from maritime.feeds.stream import Backoff, FeedURL, LineSplitter, parse_feed_url, tcp_lines, udp_lines

WAIT_S = 5.0  # every wait in these tests ends here at the latest, so a bug fails instead of hanging


def sentence(mmsi: int) -> bytes:
    """A real type 1 sentence: a vessel off Odesa."""
    fields = {"type": 1, "mmsi": mmsi, "lat": 46.45, "lon": 30.78, "speed": 9.5, "course": 180.0}
    [line] = encode_dict(fields, sentence_type="VDM")
    return line.encode()


SENTENCES = [sentence(272000001 + i) for i in range(6)]


def free_port(kind=socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """Runs a line generator in a thread and keeps what it yields and reports."""

    def __init__(self, make_lines, wanted: int):
        self.stop = threading.Event()
        self.lines: list[bytes] = []
        self.times: list[float] = []
        self.statuses: list[str] = []
        self.error: BaseException | None = None
        self.wanted = wanted
        self.got_all = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(make_lines,), daemon=True)

    def status(self, message: str) -> None:
        self.statuses.append(message)

    def _run(self, make_lines) -> None:
        try:
            for line, received_at in make_lines(self):
                self.lines.append(line)
                self.times.append(received_at)
                if len(self.lines) >= self.wanted:
                    self.got_all.set()
        except BaseException as exc:  # surfaced by finish()
            self.error = exc

    def start(self) -> "Collector":
        self.thread.start()
        return self

    def wait_for_status(self, text: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while not any(text in s for s in self.statuses):
            assert time.monotonic() < deadline, f"no status with {text!r}: {self.statuses}"
            time.sleep(0.01)

    def finish(self) -> None:
        if not self.stop.is_set():
            self.got_all.wait(WAIT_S)
        self.stop.set()
        self.thread.join(WAIT_S)
        assert not self.thread.is_alive(), "the generator did not stop"
        if self.error:
            raise self.error


def serve(listener: socket.socket, writes: list[bytes], keep_open: bool = False) -> None:
    """Accept one connection, send each write separately, then close it, or with ``keep_open``
    keep it until the client leaves."""
    conn, _ = listener.accept()
    with conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for chunk in writes:
            conn.sendall(chunk)
            time.sleep(0.02)  # separate TCP segments, so the client reads them apart
        if keep_open:
            conn.settimeout(WAIT_S)
            try:
                while conn.recv(1024):
                    pass
            except OSError:
                pass


def in_thread(target, *args, **kwargs) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, kwargs=kwargs, daemon=True)
    thread.start()
    return thread


def tcp_client(port: int, **options):
    options.setdefault("poll_interval", 0.05)

    def make_lines(collector: Collector):
        return tcp_lines("127.0.0.1", port, stop=collector.stop, backoff_initial=0.05, backoff_max=0.2,
                         on_status=collector.status, rng=random.Random(1), **options)
    return make_lines


# -- splitting -------------------------------------------------------------------------------------

def test_line_splitter_joins_a_line_split_across_reads():
    splitter = LineSplitter()
    first, second = SENTENCES[0][:20], SENTENCES[0][20:] + b"\r\n" + SENTENCES[1][:7]
    assert splitter.feed(first) == []
    assert splitter.feed(second) == [SENTENCES[0]]
    assert splitter.feed(SENTENCES[1][7:] + b"\n") == [SENTENCES[1]]


def test_line_splitter_accepts_crlf_split_between_reads_and_lone_cr():
    splitter = LineSplitter()
    assert splitter.feed(b"one\r") == [b"one"]
    assert splitter.feed(b"\ntwo\rthree\n\n") == [b"two", b"three"]


def test_line_splitter_cuts_an_overlong_line_and_resumes_at_the_next():
    splitter = LineSplitter(max_line_bytes=16)
    assert splitter.feed(b"X" * 10) == []
    assert splitter.feed(b"X" * 10) == [b"X" * 17]  # one byte over the limit: the decoder rejects it
    assert splitter.feed(b"X" * 1000) == []  # the rest of it is skipped, not buffered
    assert splitter.feed(b"XX\r\n" + SENTENCES[0][:16] + b"\n") == [SENTENCES[0][:16]]
    assert splitter.too_long == 1


def test_line_splitter_discards_an_unfinished_line():
    splitter = LineSplitter()
    splitter.feed(SENTENCES[0] + b"\n" + SENTENCES[1][:30])
    assert splitter.discard() == 30
    assert splitter.feed(SENTENCES[2] + b"\n") == [SENTENCES[2]]


# -- back-off --------------------------------------------------------------------------------------

def test_backoff_doubles_up_to_the_cap_with_jitter_from_the_given_rng():
    backoff = Backoff(1.0, 8.0, random.Random(42))
    delays = [backoff.next_delay() for _ in range(6)]
    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings))
    again = Backoff(1.0, 8.0, random.Random(42))
    assert [again.next_delay() for _ in range(6)] == delays
    backoff.reset()
    assert backoff.next_delay() <= 1.0


# -- TCP -------------------------------------------------------------------------------------------

def test_tcp_client_receives_lines_split_across_writes():
    listener = socket.create_server(("127.0.0.1", 0))
    stream = b"\r\n".join(SENTENCES[:3]) + b"\r\n"
    writes = [stream[:15], stream[15:50], stream[50:51], stream[51:]]
    in_thread(serve, listener, writes, keep_open=True)
    client = Collector(tcp_client(listener.getsockname()[1]), wanted=3).start()
    client.finish()
    listener.close()
    assert client.lines == SENTENCES[:3]
    assert all(abs(t - time.time()) < 60 for t in client.times)


def test_tcp_client_reconnects_after_server_drops():
    listener = socket.create_server(("127.0.0.1", 0))
    half = len(SENTENCES[2]) // 2

    def two_connections():
        # the first connection dies in the middle of a sentence
        serve(listener, [SENTENCES[0] + b"\r\n", SENTENCES[1] + b"\r\n" + SENTENCES[2][:half]])
        serve(listener, [b"\r\n".join(SENTENCES[3:]) + b"\r\n"], keep_open=True)

    in_thread(two_connections)
    client = Collector(tcp_client(listener.getsockname()[1]), wanted=5).start()
    client.finish()
    listener.close()
    assert client.lines == SENTENCES[:2] + SENTENCES[3:]
    assert any("closed by the server" in s for s in client.statuses)
    assert any(f"unfinished line of {half} bytes" in s for s in client.statuses)


def test_tcp_client_keeps_retrying_while_the_server_is_down_and_resumes_when_it_returns():
    port = free_port()
    first = socket.create_server(("127.0.0.1", port))
    in_thread(serve, first, [SENTENCES[0] + b"\n"])
    client = Collector(tcp_client(port), wanted=3).start()
    client.wait_for_status("closed by the server")
    first.close()
    client.wait_for_status("cannot connect")

    second = socket.create_server(("127.0.0.1", port))  # the server comes back on its port
    in_thread(serve, second, [SENTENCES[1] + b"\n" + SENTENCES[2] + b"\n"], keep_open=True)
    client.finish()
    second.close()
    assert client.lines == SENTENCES[:3]


def test_tcp_client_reports_refused_connections_without_raising():
    client = Collector(tcp_client(free_port()), wanted=1).start()
    client.wait_for_status("cannot connect")
    client.stop.set()
    client.finish()
    assert client.lines == []
    assert all("retrying in" in s for s in client.statuses)


def test_tcp_client_stops_promptly_on_a_silent_connection():
    listener = socket.create_server(("127.0.0.1", 0))
    in_thread(serve, listener, [], keep_open=True)
    client = Collector(tcp_client(listener.getsockname()[1], poll_interval=0.05), wanted=1).start()
    client.wait_for_status("connected")
    started = time.monotonic()
    client.stop.set()
    client.finish()
    listener.close()
    assert time.monotonic() - started < 1.0


def test_tcp_client_reconnects_when_a_connection_stays_silent_too_long():
    listener = socket.create_server(("127.0.0.1", 0))

    def silent_then_talking():
        serve(listener, [], keep_open=True)
        serve(listener, [SENTENCES[0] + b"\n"], keep_open=True)

    in_thread(silent_then_talking)
    client = Collector(tcp_client(listener.getsockname()[1], idle_timeout=0.2, poll_interval=0.05),
                       wanted=1).start()
    client.finish()
    listener.close()
    assert client.lines == [SENTENCES[0]]
    assert any("no data for 0.2 s" in s for s in client.statuses)


# -- UDP -------------------------------------------------------------------------------------------

def test_udp_listener_splits_datagrams_into_lines():
    port = free_port(socket.SOCK_DGRAM)

    def make_lines(collector):
        return udp_lines("127.0.0.1", port, stop=collector.stop, on_status=collector.status, poll_interval=0.05)

    client = Collector(make_lines, wanted=5).start()
    client.wait_for_status("listening")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto(SENTENCES[0] + b"\r\n" + SENTENCES[1] + b"\r\n", ("127.0.0.1", port))
        sender.sendto(SENTENCES[2], ("127.0.0.1", port))  # no terminator: the datagram's end ends it
        sender.sendto(b"\n\r\n", ("127.0.0.1", port))
        sender.sendto(SENTENCES[3] + b"\n" + SENTENCES[4] + b"\n", ("127.0.0.1", port))
        client.finish()
    assert client.lines == SENTENCES[:5]


def test_udp_listener_on_a_taken_port_raises_feed_error():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(FeedError, match=f"udp://127.0.0.1:{port}"):
            next(udp_lines("127.0.0.1", port, stop=threading.Event()))


# -- feed URLs -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("tcp://192.168.1.20:10110", FeedURL("tcp", host="192.168.1.20", port=10110)),
        ("UDP://ais-receiver.local:5000", FeedURL("udp", host="ais-receiver.local", port=5000)),
        ("tcp://[::1]:10110", FeedURL("tcp", host="::1", port=10110)),
        ("file:///var/spool/ais/*.nmea.gz", FeedURL("file", path="/var/spool/ais/*.nmea.gz")),
        ("file:///data/ais/2024-0?.log", FeedURL("file", path="/data/ais/2024-0?.log")),
        ("file://localhost/data/odesa%20port", FeedURL("file", path="/data/odesa port")),
    ],
)
def test_parse_feed_url_understands_the_three_schemes(url, parsed):
    assert parse_feed_url(url) == parsed
    assert parse_feed_url(str(parsed)) == parsed


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://example.org/ais", "expected tcp://host:port"),
        ("serial:///dev/ttyUSB0", "expected tcp://host:port"),
        ("192.168.1.20:10110", "expected tcp://host:port"),
        ("tcp://192.168.1.20", "needs a host and a port"),
        ("udp://:5000", "needs a host and a port"),
        ("tcp://192.168.1.20:70000", "invalid port"),
        ("tcp://192.168.1.20:10110/extra", "more than a host and a port"),
        ("file://data/ais", "absolute path"),
        ("file:///", "names no folder"),
    ],
)
def test_parse_feed_url_rejects_anything_else_with_a_clear_message(url, complaint):
    with pytest.raises(FeedError, match=complaint):
        parse_feed_url(url)
