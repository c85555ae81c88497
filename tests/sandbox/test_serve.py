"""``nosto-tagging serve``: the real command in a subprocess, bundle building, busy ports."""

from __future__ import annotations

import json
import select
import signal
import socket
import subprocess
import sys
import time
import types
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from nosto_tagging.sandbox import serve
from tests.checkout import ROOT


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        raise AssertionError(f"no line on stdout within {timeout} s")
    return process.stdout.readline()


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener.getsockname()[1]


def test_serve_command_prints_its_url_and_answers(tmp_path: Path, bundle_dir: Path) -> None:
    command = [sys.executable, "-m", "nosto_tagging.cli", "serve", "--port", "0"]
    command += ["--db", str(tmp_path / "db.sqlite3"), "--bundle", str(bundle_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = read_line(process, timeout=30)
        assert line.startswith("serving http://127.0.0.1:")
        url = line.split()[1]
        assert int(url.rsplit(":", 1)[1]) > 0

        with urllib.request.urlopen(f"{url}/bundle/nosto.js", timeout=10) as response:
            assert response.headers["Content-Type"].startswith("text/javascript")
            assert response.read() == b"window.fakeBundle = true;\n"
        request = urllib.request.Request(
            f"{url}/ev1?m=demo&c=v&eid=cli-1",
            data=b'{"page_type": "front"}',
            headers={"Content-Type": "text/plain"},
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["pv"] == 1
        assert time.perf_counter() - started < 1
        with urllib.request.urlopen(f"{url}/api/requests", timeout=10) as response:
            assert [entry["event_id"] for entry in json.load(response)] == ["cli-1"]
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert out == ""


def test_serve_builds_a_missing_bundle_first(
    tmp_path: Path, busy_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Path] = []

    def build_bundle(out: Path) -> None:
        built.append(out)
        out.mkdir(parents=True)
        (out / "nosto.js").write_text("")

    fake = types.ModuleType("nosto_tagging.bundle")
    fake.BuildError = type("BuildError", (Exception,), {})  # type: ignore[attr-defined]
    fake.build_bundle = build_bundle  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nosto_tagging.bundle", fake)
    monkeypatch.chdir(ROOT)  # the build's sources: web/ of the checkout serve runs in
    bundle_dir = tmp_path / "bundle"

    # The port is taken, so serve stops right after building.
    assert serve("127.0.0.1", busy_port, tmp_path / "db.sqlite3", bundle_dir) == 1
    assert built == [bundle_dir]


def test_serve_outside_a_checkout_does_not_try_to_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    built: list[Path] = []
    fake = types.ModuleType("nosto_tagging.bundle")
    fake.BuildError = type("BuildError", (Exception,), {})  # type: ignore[attr-defined]
    fake.build_bundle = built.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nosto_tagging.bundle", fake)
    monkeypatch.chdir(tmp_path)

    assert serve("127.0.0.1", 0, tmp_path / "db.sqlite3", tmp_path / "bundle") == 1
    assert built == []
    error = capsys.readouterr().err
    assert "needs a checkout of nosto-tagging" in error and "without --bundle" in error


def test_serve_reports_a_failed_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class BuildError(Exception):
        pass

    def build_bundle(out: Path) -> None:
        raise BuildError("no network and no cached runtime; run it once online")

    fake = types.ModuleType("nosto_tagging.bundle")
    fake.BuildError = BuildError  # type: ignore[attr-defined]
    fake.build_bundle = build_bundle  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nosto_tagging.bundle", fake)
    monkeypatch.chdir(ROOT)

    assert serve("127.0.0.1", 0, tmp_path / "db.sqlite3", tmp_path / "bundle") == 1
    assert "run it once online" in capsys.readouterr().err


def test_serve_reports_a_port_in_use(
    tmp_path: Path, bundle_dir: Path, busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert serve("127.0.0.1", busy_port, tmp_path / "db.sqlite3", bundle_dir) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--port 0" in captured.err
