"""The command line: exit codes, one-line errors, live streams."""

import socket
import subprocess
import sys
import threading
import time

from typer.testing import CliRunner

from maritime.cli import app
from tests.nmea_helpers import position, tag

runner = CliRunner()


def test_help_explains_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("init", "ingest", "export", "status", "simulate", "demo"):
        assert command in result.output


def test_missing_file_is_one_line_error_and_nonzero_exit(sqlite_url, tmp_path):
    result = runner.invoke(app, ["--db", sqlite_url, "ingest", str(tmp_path / "nope.nmea")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.output
    assert "Traceback" not in result.output


def test_unreachable_database_is_one_line_error(tmp_path):
    path = tmp_path / "a.nmea"
    path.write_text(tag(position(272000001, 46.0, 31.0), 1_764_000_000, "rx") + "\n")
    result = subprocess.run([sys.executable, "-m", "maritime", "--db", "postgresql://nobody@127.0.0.1:1/none",
                             "ingest", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "error:" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_folder_that_cannot_be_created_is_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = runner.invoke(app, ["--db", f"sqlite:///{blocker}/sub/x.sqlite", "init"])
    assert result.exit_code == 1
    assert "error:" in result.output


def test_ingest_then_export_positions_as_csv(sqlite_url, tmp_path):
    path = tmp_path / "a.nmea"
    path.write_text("\n".join(tag(position(272000001, 46.0 + i / 100, 31.0), 1_764_000_000 + 60 * i, "rx")
                              for i in range(3)) + "\n")
    assert runner.invoke(app, ["--db", sqlite_url, "ingest", str(path)]).exit_code == 0
    result = runner.invoke(app, ["--db", sqlite_url, "export", "positions", "--format", "csv",
                                 "--since", "2025-11-24T16:01:00Z"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("mmsi,time,lat,lon")
    assert len(lines) == 3 and lines[1].startswith("272000001,2025-11-24T16:01:00Z,46.01")


def test_bad_time_option_is_one_line_error(sqlite_url):
    result = runner.invoke(app, ["--db", sqlite_url, "export", "positions", "--since", "yesterday"])
    assert result.exit_code == 1 and "not an ISO 8601 time" in result.output


def test_tcp_stream_is_ingested_with_receive_times(sqlite_url):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    sent = [position(272000100 + i, 45.0, 31.0) for i in range(5)]

    def serve():
        connection, _ = server.accept()
        with connection:
            for sentence in sent:
                connection.sendall(sentence.encode() + b"\r\n")
                time.sleep(0.05)
            connection.sendall(b"garbage\r\n")
            time.sleep(1.0)

    threading.Thread(target=serve, daemon=True).start()
    result = runner.invoke(app, ["--db", sqlite_url, "ingest", f"tcp://127.0.0.1:{port}", "--for", "1.5"])
    server.close()
    assert result.exit_code == 0, result.output
    assert "read 6" in result.output and "stored 5" in result.output and "rejected 1" in result.output


def test_text_that_looks_like_rich_markup_is_printed_as_text(sqlite_url, tmp_path):
    path = tmp_path / "feed[red]x[bold].nmea"
    path.write_text(tag(position(272000001, 46.0, 31.0), 1_764_000_000, "rx") + "\n")
    assert runner.invoke(app, ["--db", sqlite_url, "ingest", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["--db", sqlite_url, "status"])
    assert result.exit_code == 0, result.output
    assert "feed[red]x[bold].nmea" in result.output
