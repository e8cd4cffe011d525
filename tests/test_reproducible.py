"""Reproducible builds: the same sources give the same bytes, whenever and wherever they are built.

Nothing in an output may depend on the clock, the output folder or the machine's paths. The PDF's only dates
are the council's own (the HTML's dcterms.created/modified, from its version history); a council whose
records give no adoption date gets a PDF with no date at all. WeasyPrint writes no date of its own (no
CreationDate, ModDate or XMP date unless the HTML gives one, and no file /ID), so SOURCE_DATE_EPOCH has
nothing to stand in for, and protocolc does not read it: builds with different values are identical.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from conftest import COUNCILS, TmpProject

from protocolc import api

FORMATS = ["md", "html", "pdf"]
OUTPUTS = ["protocol.md", "protocol.html", "protocol.pdf", "protocol.manifest.json"]


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build(project, out: Path, councils=COUNCILS) -> Path:
    results = api.build(project, councils, FORMATS, out, force=True)
    assert [r.error for r in results] == [None] * len(councils), [str(r.error) for r in results if r.error]
    return out


@pytest.fixture(scope="module")
def two_builds(project, tmp_path_factory) -> tuple[Path, Path]:
    """Every council built twice, into two different folders, more than a second apart."""
    first = build(project, tmp_path_factory.mktemp("first"))
    started = time.time()
    time.sleep(1.1)  # PDF dates have one-second resolution: a clock-based date would now differ
    second = build(project, tmp_path_factory.mktemp("second"))
    assert int(time.time()) > int(started)
    return first, second


@pytest.mark.parametrize("name", OUTPUTS)
@pytest.mark.parametrize("council_id", COUNCILS)
def test_two_builds_give_identical_bytes(two_builds, council_id: str, name: str):
    first, second = two_builds
    assert (first / council_id / name).read_bytes() == (second / council_id / name).read_bytes()


def test_two_builds_write_the_same_files(two_builds):
    first, second = two_builds
    assert {f"{c}/{name}" for c in COUNCILS for name in OUTPUTS} <= set(files_of(first))
    assert files_of(first) == files_of(second)


def pdf_dates(path: Path) -> dict[str, str]:
    """Every date the PDF states: the info dictionary's and the XMP packet's."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    info = {k: str(v) for k, v in (reader.metadata or {}).items() if k.endswith("Date")}
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    info |= {f"xmp:{k}": v for k, v in re.findall(r"<xmp:(\w*Date)>([^<]*)</xmp:\1>", xmp)}
    info |= {f"xmp:{k}": v for k, v in re.findall(r'xmp:(\w*Date)="([^"]*)"', xmp)}
    return info


@pytest.mark.parametrize("council_id", COUNCILS)
def test_pdf_dates_come_from_the_version_history(two_builds, workspace, council_id: str):
    adopted = [v.adopted for v in workspace.document(council_id).versions if v.adopted]
    dates = pdf_dates(two_builds[0] / council_id / "protocol.pdf")
    if adopted:
        created, modified = adopted[0].iso(), adopted[-1].iso()
        assert dates == {
            "/CreationDate": "D:" + created.replace("-", ""),
            "/ModDate": "D:" + modified.replace("-", ""),
            "xmp:CreateDate": created,
            "xmp:ModifyDate": modified,
        }
    else:
        assert dates == {}  # no adoption date on record: no date at all, rather than the day it was built


def test_councils_without_an_adoption_date_are_covered(workspace):
    undated = [c for c in COUNCILS if not any(v.adopted for v in workspace.document(c).versions)]
    assert undated == ["langport", "mumbles"]


def test_first_and_latest_adoption_give_creation_and_modification_dates(tmp_project: TmpProject, tmp_path: Path):
    tmp_project.council_file(
        "tiny",
        'name: Tiny Parish Council\nkind: parish\nversions:\n  - version: "1"\n    adopted: 2019-05\n'
        '  - version: "2"\n  - version: "3"\n    adopted: 2024-01-15\n',
    )
    build(tmp_project.project, tmp_path, ["tiny"])
    assert pdf_dates(tmp_path / "tiny" / "protocol.pdf") == {
        "/CreationDate": "D:201905",
        "/ModDate": "D:20240115",
        "xmp:CreateDate": "2019-05",
        "xmp:ModifyDate": "2024-01-15",
    }


def stream_bytes(path: Path) -> bytes:
    """The PDF file and every stream in it decompressed: where a path or a time would hide."""
    from pypdf import PdfReader
    from pypdf.generic import StreamObject

    reader = PdfReader(path)
    parts = [path.read_bytes()]
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # a free entry in the cross-reference table
            continue
        if isinstance(obj, StreamObject):
            parts.append(obj.get_data())
    return b"\n".join(parts)


@pytest.mark.parametrize("council_id", COUNCILS)
def test_pdf_holds_no_path_clock_or_file_id(two_builds, project, council_id: str):
    from pypdf import PdfReader

    first, second = two_builds
    pdf = first / council_id / "protocol.pdf"
    data = stream_bytes(pdf)
    for leak in (str(project.root), str(project.root / "templates"), str(first), str(second), "file:", "/tmp/"):
        assert leak.encode() not in data, leak
    today = dt.date.today()
    for stamp in (today.strftime("D:%Y%m%d"), today.isoformat()):
        assert stamp.encode() not in data, stamp
    assert "/ID" not in PdfReader(pdf).trailer  # pydyf would derive one from the bytes; WeasyPrint asks for none
    assert b"uuid:" not in data and b"xmpMM:" not in data


@pytest.mark.parametrize("name", OUTPUTS)
def test_html_and_manifest_hold_no_path(two_builds, project, name: str):
    first, second = two_builds
    for council_id in COUNCILS:
        data = (first / council_id / name).read_bytes()
        for leak in (str(project.root), str(first), str(second), "file:"):
            assert leak.encode() not in data, (council_id, name, leak)


def test_source_date_epoch_changes_nothing(project, tmp_path: Path, monkeypatch):
    """Two undated councils and a dated one, built under two different SOURCE_DATE_EPOCH values and under none.

    The only place a build time could go is a PDF date, and WeasyPrint writes none but the ones the HTML gives
    (see test_pdf_dates_come_from_the_version_history), so all three builds are the same, byte for byte.
    """
    councils = ["langport", "mumbles", "hexham"]
    builds = []
    for epoch in ("0", "1700000000", None):
        if epoch is None:
            monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
        else:
            monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        builds.append(files_of(build(project, tmp_path / (epoch or "unset"), councils)))
    assert builds[0] == builds[1] == builds[2]
    for council_id in ("langport", "mumbles"):
        assert pdf_dates(tmp_path / "0" / council_id / "protocol.pdf") == {}
