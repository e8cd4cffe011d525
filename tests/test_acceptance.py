"""Acceptance: every council reproduces its adopted wording, and the library is actually shared."""

from __future__ import annotations

import importlib.util
import os
from itertools import combinations
from pathlib import Path
from types import ModuleType

import pytest
from conftest import COUNCILS

from protocolc import api, stats

# The seeds and fidelity.py sit beside the repository (../shared) or beside the folder of worktrees
# (../../shared); PROTOCOLC_SHARED names them when they are elsewhere.
_BESIDE = [Path(__file__).resolve().parents[n] / "shared" for n in (2, 3)]
SHARED = Path(os.environ.get("PROTOCOLC_SHARED") or next((p for p in _BESIDE if p.is_dir()), _BESIDE[0]))
FIDELITY = SHARED / "tools" / "fidelity.py"
MIN_FIDELITY = 0.98
MIN_STRICT_FIDELITY = 1.0
MIN_SHARE = 25.0


@pytest.fixture(scope="module")
def fidelity() -> ModuleType:
    if not FIDELITY.is_file():
        pytest.skip(
            f"the shared acceptance material is not here: {FIDELITY} is missing (it sits beside the repository)"
        )
    spec = importlib.util.spec_from_file_location("fidelity", FIDELITY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def markdown_build(real_project, tmp_path_factory, fidelity: ModuleType) -> Path:
    out = tmp_path_factory.mktemp("build")
    results = api.build(real_project, sorted(fidelity.SEEDS), ["md"], out)
    assert [r.error for r in results] == [None] * len(results), [str(r.error) for r in results if r.error]
    return out


def test_every_seed_is_a_council(real_project, fidelity: ModuleType):
    """The five seed councils are in the repository; other councils may be added beside them."""
    assert sorted(fidelity.SEEDS) == COUNCILS
    assert set(COUNCILS) <= set(real_project.council_ids())
    for seed in fidelity.SEEDS.values():
        assert (fidelity.SEED_DIR / seed).is_file()


@pytest.mark.parametrize("council_id", ["hexham", "duston", "cottingham", "langport", "mumbles"])
def test_fidelity_to_the_adopted_text(fidelity: ModuleType, markdown_build: Path, council_id: str):
    seed = fidelity.SEED_DIR / fidelity.SEEDS[council_id]
    rendered = markdown_build / council_id / "protocol.md"
    score = fidelity.score(seed, rendered)
    assert score >= MIN_FIDELITY, (
        f"{council_id}: fidelity {score:.4f} < {MIN_FIDELITY}; "
        f"see `{FIDELITY} {seed} {rendered} --show` for the differing runs"
    )


@pytest.mark.parametrize("council_id", ["hexham", "duston", "cottingham", "langport", "mumbles"])
def test_exactly_the_adopted_text(fidelity: ModuleType, markdown_build: Path, council_id: str):
    """Capitals and punctuation included: typography that differs between councils is each council's setting."""
    seed = fidelity.SEED_DIR / fidelity.SEEDS[council_id]
    rendered = markdown_build / council_id / "protocol.md"
    score = fidelity.score(seed, rendered, start=fidelity.BODY_START.get(council_id), strict=True)
    assert score >= MIN_STRICT_FIDELITY, (
        f"{council_id}: strict fidelity {score:.4f} < {MIN_STRICT_FIDELITY}; "
        f"see `{FIDELITY} {seed} {rendered} --strict --council {council_id} --show` for the differing runs"
    )


@pytest.fixture(scope="module")
def report(real_project) -> stats.Report:
    workspace = api.Workspace.open(real_project)
    return stats.report([workspace.document(c) for c in COUNCILS], workspace.library)


def test_overall_reuse_share(report: stats.Report):
    assert report.total.council_id == "overall"
    assert report.total.words == sum(s.words for s in report.shares)
    assert report.total.percent >= MIN_SHARE, stats.format_report(report)


def test_every_council_shares_some_library_wording(report: stats.Report):
    assert [s.council_id for s in report.shares] == ["cottingham", "duston", "hexham", "langport", "mumbles"]
    assert all(s.shared > 0 for s in report.shares)


def test_no_remaining_candidate_is_identical_across_councils(report: stats.Report):
    """Wording that is the same in two councils once terms are variables belongs in the library."""
    identical = [
        f"{a.source.short} = {b.source.short}: {a.text[:80]}"
        for candidate in report.candidates
        for a, b in combinations(candidate.copies, 2)
        if a.council_id != b.council_id and a.words == b.words
    ]
    assert identical == []


def test_candidates_come_from_two_or_more_councils(report: stats.Report):
    for candidate in report.candidates:
        assert len({c.council_id for c in candidate.copies}) >= 2
        assert all(c.source.path.startswith("councils/") for c in candidate.copies)
