"""What an editor (yaml-language-server, with the JSON Schemas `protocolc schema` writes) shows the clerk: a
misspelt id and an impossible date are flagged, every alternative has a title, and files read by a YAML 1.1
reader (PyYAML, the readers ajv is used with) still validate, dates and all. Checked with jsonschema, and with
yaml-language-server itself (npm) through a small language client."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml
from conftest import REPO
from jsonschema import Draft202012Validator
from test_tools import program, require


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((REPO / "schemas" / name).read_text(encoding="utf-8")))


def errors(name: str, data: Any) -> list[str]:
    return [e.message for e in validator(name).iter_errors(data)]


DOCUMENT = {"versions": [{"version": "1", "adopted": "2024-01-15"}]}


def test_files_read_by_a_yaml_1_1_reader_validate(tmp_path: Path) -> None:
    for council_id in ("cottingham", "duston"):
        data = yaml.safe_load((REPO / "councils" / council_id / "protocol.yaml").read_text(encoding="utf-8"))
        dates = [v[k] for v in data["versions"] for k in ("adopted", "review_by") if k in v]
        assert any(not isinstance(d, str) for d in dates), council_id  # PyYAML made a date of at least one
        assert errors("document.schema.json", data) == [], council_id


def test_a_misspelt_id_is_flagged() -> None:
    good = DOCUMENT | {"changes": [{"omit": "councillors.equal"}, {"replace": "hexham.extra", "text": "Own."}]}
    assert errors("document.schema.json", good) == []
    for change in (
        {"omit": "councillors.equl"},
        {"insert": "tiny.extra", "after": "councillors.equl", "text": "Extra."},
        {"replace": "officers.role", "with": "expectations.officers.respekt"},
    ):
        assert errors("document.schema.json", DOCUMENT | {"changes": [change]}), change
    assert errors("document.schema.json", DOCUMENT | {"sections": ["introductoin"]})
    assert errors("document.schema.json", DOCUMENT | {"sections": [{"section": "roles", "clauses": ["roles.sumary"]}]})


def test_an_item_the_council_inserted_into_a_library_list_can_be_named() -> None:
    change = {"insert": "expectations.principles.b", "after": "expectations.principles.a", "text": "B."}
    assert errors("document.schema.json", DOCUMENT | {"changes": [change]}) == []


def test_an_impossible_date_is_flagged() -> None:
    for date in ("2013-02-30", "2013-13-01", "2013-04-31", "21/02/2013", "2013-2-1"):
        version = {"version": "1", "adopted": date}
        assert errors("document.schema.json", {"versions": [version]}), date
    for date in ("2013-02-21", "2013-02", "2024-02-29", "2013-12-31"):
        assert errors("document.schema.json", {"versions": [{"version": "1", "review_by": date}]}) == [], date


def test_every_alternative_has_a_title() -> None:
    untitled: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key in ("oneOf", "anyOf"):
                for n, branch in enumerate(node.get(key, [])):
                    if "title" not in branch:
                        untitled.append(f"{where}/{key}/{n}")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for n, value in enumerate(node):
                walk(value, f"{where}/{n}")

    for path in sorted((REPO / "schemas").glob("*.schema.json")):
        walk(json.loads(path.read_text(encoding="utf-8")), path.name)
    assert untitled == []


def test_ids_are_enums_an_editor_completes() -> None:
    schema = json.loads((REPO / "schemas" / "document.schema.json").read_text(encoding="utf-8"))
    omit = next(b for b in schema["properties"]["changes"]["items"]["oneOf"] if "omit" in b["required"])
    library = omit["properties"]["omit"]["anyOf"][0]
    assert "councillors.equal" in library["enum"] and "roles" in library["enum"]


# --- what yaml-language-server (the editor) shows ----------------------------------------------------------------

SERVER = REPO / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"


class LanguageClient:
    """The least an editor does: start the server on stdio, open one file, collect the diagnostics it publishes."""

    def __init__(self, node: str) -> None:
        self.process = subprocess.Popen(
            [node, str(SERVER), "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = 0
        while (line := self.process.stdout.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        assert length, "the language server stopped"
        message: dict[str, Any] = json.loads(self.process.stdout.read(length))
        return message

    def diagnostics(self, path: Path) -> list[tuple[int, str]]:
        settings = {"validate": True, "schemaStore": {"enable": False}}
        self.send(
            {
                "id": 1,
                "method": "initialize",
                "params": {
                    "processId": None,
                    "rootUri": path.parents[2].as_uri(),
                    "capabilities": {"workspace": {"configuration": True}},
                },
            }
        )
        self.send({"method": "initialized", "params": {}})
        self.send({"method": "workspace/didChangeConfiguration", "params": {"settings": {"yaml": settings}}})
        document = {"uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": path.read_text(encoding="utf-8")}
        self.send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
        while True:
            message = self.receive()
            if message.get("method") == "workspace/configuration":
                self.send({"id": message["id"], "result": [settings] * len(message["params"]["items"])})
            elif "id" in message and "method" in message:
                self.send({"id": message["id"], "result": None})
            elif message.get("method") == "textDocument/publishDiagnostics" and message["params"]["diagnostics"]:
                found = message["params"]["diagnostics"]
                return [(d["range"]["start"]["line"] + 1, d["message"]) for d in found]

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def test_the_editor_flags_a_misspelt_id_and_an_impossible_date(tmp_path: Path) -> None:
    node = program("node")
    require(f"yaml-language-server ({SERVER.relative_to(REPO)}, npm)", SERVER.is_file())
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    path = tmp_path / "councils" / "tiny" / "protocol.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(
        "# yaml-language-server: $schema=../../schemas/document.schema.json\n"
        'versions:\n  - version: "1"\n    adopted: 2013-02-30\n'
        "changes:\n  - omit: councillors.equl\n  - omit: councillors.equal\n",
        encoding="utf-8",
    )
    client = LanguageClient(node)
    try:
        found = client.diagnostics(path)
    finally:
        client.close()
    assert [line for line, _ in found] == [4, 6]  # the date, the misspelt id; not the good id on line 7
    assert "write YYYY-MM-DD (2025-05-12) or YYYY-MM, a real month" in found[0][1]
    assert "councillors.equal" in found[1][1]  # among the valid values it lists
