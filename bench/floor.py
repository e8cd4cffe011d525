"""The floor of a national build: what any Python tool doing protocolc's job must at least pay per council.

    python bench/floor.py PROJECT OUT JOBS

For every council of PROJECT, in JOBS forked processes as `protocolc build` uses: read council.yaml and
each document file, compose them with libyaml (C), render every text they hold through a plain (not
sandboxed) Jinja template as Markdown and as escaped HTML, and write both beside a JSON list of the texts
(three files a document, where protocolc writes four: its page of changes from the model as well).
No checking, no library, no numbering, no comparison with the model: `make bench` prints protocolc's full
build beside this, so the figure says how far protocolc is from the least the work can cost here.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from pathlib import Path

import jinja2
import yaml

MARKDOWN = jinja2.Environment(autoescape=False).from_string("{% for t in texts %}{{ t }}\n\n{% endfor %}")
HTML = jinja2.Environment(autoescape=True).from_string(
    "<!DOCTYPE html>\n<main>{% for t in texts %}<p>{{ t }}</p>\n{% endfor %}</main>\n"
)


def texts(node: yaml.Node) -> list[str]:
    """Every scalar of a composed YAML document, in order."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            found.append(current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
        elif isinstance(current, yaml.MappingNode):
            stack.extend(v for pair in reversed(current.value) for v in reversed(pair))
    return found


def council(args: tuple[str, str]) -> int:
    folder, out = Path(args[0]), Path(args[1])
    written = 0
    facts = yaml.compose((folder / "council.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    for source in sorted(folder.glob("*.yaml")):
        if source.name == "council.yaml":
            continue
        node = yaml.compose(source.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        found = (texts(facts) if facts is not None else []) + (texts(node) if node is not None else [])
        target = out / folder.name
        target.mkdir(parents=True, exist_ok=True)
        for suffix, data in (
            ("md", MARKDOWN.render(texts=found)),
            ("html", HTML.render(texts=found)),
            ("json", json.dumps(found, ensure_ascii=False, indent=2)),
        ):
            (target / f"{source.stem}.{suffix}").write_text(data, encoding="utf-8")
            written += 1
    return written


def main(project: str, out: str, jobs: str) -> None:
    councils = sorted(e.path for e in os.scandir(Path(project) / "councils") if e.is_dir())
    tasks = [(folder, out) for folder in councils]
    with multiprocessing.get_context("fork").Pool(int(jobs)) as pool:
        pool.map(council, tasks, chunksize=max(1, min(16, len(tasks) // (int(jobs) * 8))))


if __name__ == "__main__":
    main(*sys.argv[1:4])
