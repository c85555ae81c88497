"""Published figures: every benchmark table in the documents is what ``benchmarks.publish``
renders from the kept runs, and each run names a commit of this repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from benchmarks import publish, startup_engines

DOCUMENTS = {path.name: path for path in publish.DOCUMENTS}
KEPT_RUNS = ("startup", "visit")


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_each_table_is_what_publish_renders_from_the_kept_runs(name: str) -> None:
    found = publish.blocks(DOCUMENTS[name].read_text())
    assert found, f"{name} has no figures block"
    for block, body in found:
        assert body == publish.RENDERERS[block](), (
            f"the {block} table of {name} is not what `python3 -m benchmarks.publish` renders "
            "from docs/benchmarks/: run it (after the benchmark, on committed code)"
        )


def test_the_documents_show_the_startup_visit_and_short_tables() -> None:
    names = {block for path in DOCUMENTS.values() for block, _ in publish.blocks(path.read_text())}
    assert names == set(publish.RENDERERS)


@pytest.mark.parametrize("run", ["startup", "visit"])
def test_each_kept_run_measured_committed_code_of_this_repository(run: str) -> None:
    kept = json.loads((publish.KEPT / f"{run}.json").read_text())
    assert kept["code"]["clean"] is True
    commit = kept["code"]["commit"]
    root = Path(publish.REPO_ROOT)
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    known = subprocess.run(
        ["git", "merge-base", "--is-ancestor", commit, "HEAD"], cwd=root, check=False
    )
    assert known.returncode == 0, f"{run}.json measured {commit}, which is not in HEAD's history"


def test_publish_refuses_a_run_of_uncommitted_code(tmp_path: Path) -> None:
    run = tmp_path / "startup.json"
    run.write_text(
        json.dumps({"command": "python3 -m benchmarks.startup", "code": {"clean": False}})
    )
    with pytest.raises(SystemExit, match="uncommitted changes"):
        publish.keep(run)


def _visits() -> list[startup_engines.EngineVisit]:
    """Two rounds in Chromium and WebKit: ours (with its start-up marks) and the baseline."""
    found = []
    for number, slower in ((1, 0.0), (2, 100.0)):
        for engine, cold in (("chromium", 1400.0), ("webkit", 3200.0)):
            for visit, ready, start in ((("cold", cold, "plain")), ("warm", 450.0, "restored")):
                marks = {"worker": 80.0, "start": 120.0, "glue": 300.0, "wasm ready": 500.0}
                marks["restored" if start == "restored" else "python"] = ready - 100
                marks["received"] = ready + slower
                answered = 5000.0 if (engine, visit) == ("webkit", "cold") else ready - 50
                ours = startup_engines.EngineVisit(
                    engine, "ours", visit, number, ready + slower, ready - 1, 40.0, 40.0 + answered
                )
                ours.start, ours.marks = start, marks
                bare = startup_engines.EngineVisit(engine, "baseline", visit, number, 2 * ready)
                found += [ours, bare]
    return found


def test_a_run_in_every_engine_gives_ready_beside_the_baseline_and_each_engines_steps() -> None:
    engines = startup_engines.summarize(_visits(), {"chromium": "156.0", "webkit": "2.50.6"})
    rows = startup_engines.table(engines).splitlines()
    assert rows[2] == (
        "| Chromium 156.0: ready, cold | 1450 | 2800 | 0.52 | 1399 | 1350; 0 of 2 | "
        "goal <= 1500: ok; no promise at 5 s: ok |"
    )
    assert rows[3].startswith("| Chromium 156.0: ready, repeat visit | 500 | 900 | 0.56 |")
    assert rows[3].endswith("| goal <= 500: ok |")
    assert rows[4].endswith("| 5000; 2 of 2 | goal <= 3000: MISSED; no promise at 5 s: FAILED |")
    assert not any(row.startswith("| Firefox") for row in rows)  # not measured: no row
    steps = startup_engines.phases(engines)
    assert "| first visit (plain) | repeat visit (restored) |" in steps
    assert "| Python restored | - | 350 (-150) |" in steps
    assert "| Python started | 1300 (+800) | - |" in steps


def test_a_kept_run_without_engine_rounds_still_renders(tmp_path: Path) -> None:
    kept = json.loads((publish.KEPT / "startup.json").read_text())
    kept["summary"].pop("engines", None)
    assert "| engine (navigation start" not in publish.startup.table(kept["summary"])
    kept["summary"]["engines"] = startup_engines.summarize(_visits(), {})
    assert "| WebKitGTK : ready, cold | 3250 |" in publish.startup.table(kept["summary"])


def test_the_short_table_gets_a_webkit_row_from_a_run_that_measured_webkit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = {name: json.loads((publish.KEPT / f"{name}.json").read_text()) for name in KEPT_RUNS}
    runs["startup"]["summary"].pop("engines", None)
    monkeypatch.setattr(publish, "load", lambda name: runs[name])
    assert "WebKitGTK" not in publish.render_short()
    runs["startup"]["summary"]["engines"] = startup_engines.summarize(_visits(), {})
    assert (
        "| Python ready, first visit, WebKitGTK, to the collector's receipt (ms) | 3250 | 6400 "
        "| 0.51 |" in publish.render_short()
    )
