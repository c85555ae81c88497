"""Published figures: every benchmark table in the documents is what ``benchmarks.publish``
renders from the kept runs, and each run names a commit of this repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from benchmarks import publish

DOCUMENTS = {path.name: path for path in publish.DOCUMENTS}


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
