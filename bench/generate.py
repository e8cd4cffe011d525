"""Generate a project of N councils for benchmarks: realistic variations of the five real ones.

    python bench/generate.py OUT_DIR [N] [--seed S]

Each generated council (councils/<id>/council.yaml and protocol.yaml) starts from one of
the real councils and gets its own name and kind, a version history of one to three adoptions with minutes and review
dates, a clerk's title, and a few more overrides: list items left out, a clause
reworded, a local clause added. Every generated council passes `protocolc check`.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

import yaml

from protocolc.api import Workspace
from protocolc.project import Project

REPO = Path(__file__).resolve().parents[1]
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter: 10,000 councils in seconds
PREFIXES = [
    "Ash",
    "Brook",
    "Chester",
    "Dun",
    "East",
    "Fen",
    "Glen",
    "Hart",
    "Ing",
    "Kings",
    "Lang",
    "Market",
    "Nether",
    "Old",
    "Pen",
    "Queens",
    "Rother",
    "Salt",
    "Thorn",
    "Up",
    "West",
    "Wold",
    "Yar",
    "Ald",
    "Bram",
]
SUFFIXES = [
    "ford",
    "ham",
    "ley",
    "ton",
    "by",
    "wick",
    "bury",
    "field",
    "stow",
    "mouth",
    "well",
    "hurst",
    "combe",
    "thorpe",
    "minster",
    "den",
    "port",
    "worth",
    "stead",
    "bridge",
]
KINDS = {"town": "Town Council", "parish": "Parish Council", "community": "Community Council"}
CLERKS = ["Clerk", "Town Clerk", "Parish Clerk", "Proper Officer", "Chief Officer", "Clerk and RFO"]


def names(n: int, rng: random.Random) -> list[str]:
    pool = [p + s for p in PREFIXES for s in SUFFIXES]
    rng.shuffle(pool)
    out = []
    for i in range(n):
        base = pool[i % len(pool)]
        out.append(base if i < len(pool) else f"{base} {['Magna', 'Parva', 'St Mary', 'on Sea'][i // len(pool) % 4]}")
    return out


def versions(rng: random.Random) -> list[dict[str, str]]:
    year = rng.randint(2008, 2021)
    history = []
    for n in range(rng.randint(1, 3)):
        adopted = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        review = f"{year + rng.randint(2, 5)}-{rng.randint(1, 12):02d}"
        history.append(
            {
                "version": f"{n + 1}.0",
                "adopted": adopted,
                "minute": f"{rng.randint(1, 400)}/{year % 100:02d}",
                "review_by": review,
                "approved_by": "Council",
            }
        )
        year += rng.randint(1, 3)
    return history


def generate(out: Path, count: int, seed: int = 2026) -> list[str]:
    """Write a project of `count` councils to `out` (replacing it): the library copied, each council a folder."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    for folder in ("clauses", "templates"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, out / folder)
    (out / "councils").mkdir(parents=True)
    workspace = Workspace.open(Project(REPO))
    bases = {}
    for cid in ("cottingham", "duston", "hexham", "langport", "mumbles"):
        folder = REPO / "councils" / cid
        facts = yaml.safe_load((folder / "council.yaml").read_text(encoding="utf-8"))
        document = yaml.safe_load((folder / "protocol.yaml").read_text(encoding="utf-8"))
        doc = workspace.document(cid)
        targeted = {c.get("omit") or c.get("replace") or c.get("insert") for c in document.get("changes") or []}
        items = [
            i.id
            for s in doc.sections
            for c in s.clauses
            for i in c.items
            if i.id not in targeted and i.passage.origin == "library"
        ]
        bases[cid] = (facts, document, items)
    ids = []
    for i, place in enumerate(names(count, rng)):
        base_id = list(bases)[i % len(bases)]
        facts, document, items = bases[base_id]
        council = dict(facts)
        kind = rng.choice(list(KINDS))
        council["name"] = f"{place} {KINDS[kind]}"
        council["kind"] = kind
        council["clerk"] = rng.choice(CLERKS)
        protocol = dict(document)
        protocol["versions"] = versions(rng)
        changes = list(protocol.get("changes") or [])
        for target in rng.sample(items, k=min(len(items), rng.randint(0, 3))):
            changes.append({"omit": target})
        if rng.random() < 0.5 and items:
            keep = [t for t in items if {"omit": t} not in changes]
            if keep:
                changes.append(
                    {
                        "replace": rng.choice(keep),
                        "text": f"As agreed by {place} councillors in {rng.randint(2010, 2025)}.",
                    }
                )
        protocol["changes"] = changes
        cid = f"{place.lower().replace(' ', '-')}-{i:04d}"
        folder = out / "councils" / cid
        folder.mkdir()
        for name, data, schema in (("council", council, "council"), ("protocol", protocol, "document")):
            text = f"# yaml-language-server: $schema=../../schemas/{schema}.schema.json\n" + yaml.dump(
                data, Dumper=DUMPER, sort_keys=False, allow_unicode=True, width=100
            )
            (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        ids.append(cid)
    return ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("count", type=int, nargs="?", default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    ids = generate(args.out, args.count, args.seed)
    print(f"generated {len(ids)} councils in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
