"""Where a qualcode command's time goes: its imports (``-X importtime``) and its calls
(cProfile), each in a process of its own.

    python bench/profile_command.py counts /tmp/bench10k.db --question strategier
    python bench/profile_command.py --json tui-start ...   # (used by run.py)

Imports: the modules the command imports, as a tree, heaviest first: each line is a
module with its cumulative import time (itself and what it imports); children under
``--min-ms`` are left out. Calls: cProfile's top ``--top`` functions by cumulative time,
without the import machinery's frames (those are the import tree above).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUN = "import sys; sys.argv = {argv!r}; from qualcode.cli import main; main()"


class Node:
    def __init__(self, name: str, self_us: int, cumulative_us: int) -> None:
        self.name = name
        self.self_us = self_us
        self.cumulative_us = cumulative_us
        self.children: list[Node] = []


def import_tree(stderr: str) -> list[Node]:
    """The roots of ``-X importtime``'s report (printed children first, indented two
    spaces a level)."""
    pending: dict[int, list[Node]] = {}
    roots: list[Node] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|", 2)
        level = (len(name) - len(name.lstrip()) - 1) // 2
        node = Node(name.strip(), int(self_us), int(cumulative_us))
        node.children = pending.pop(level, [])
        if level == 0:
            roots.append(node)
        else:
            pending.setdefault(level - 1, []).append(node)
    return roots


def render_tree(roots: list[Node], min_ms: float, depth: int = 4) -> tuple[str, float]:
    """The tree as indented lines (ms), heaviest first; and the total import time."""
    lines: list[str] = []

    def walk(node: Node, level: int) -> None:
        lines.append(f"{'  ' * level}{node.cumulative_us / 1000:7.1f} ms  {node.name}")
        if level + 1 >= depth:
            return
        for child in sorted(node.children, key=lambda n: -n.cumulative_us):
            if child.cumulative_us / 1000 >= min_ms:
                walk(child, level + 1)

    for root in sorted(roots, key=lambda n: -n.cumulative_us):
        if root.cumulative_us / 1000 >= min_ms:
            walk(root, 0)
    total = sum(r.cumulative_us for r in roots) / 1000
    return "\n".join(lines), total


def calls(stats_file: Path, top: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=out).sort_stats("cumulative")
    stats.print_stats(r"^(?!.*(<frozen|importlib|_bootstrap|\{built-in method builtins.exec))", top)
    text = out.getvalue()
    for prefix in (
        str(REPO) + "/",
        str(Path(sys.prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}")
        + "/site-packages/",
        str(Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}")
        + "/",
    ):
        text = text.replace(prefix, "")
    keep = [
        line.rstrip()
        for line in text.splitlines()
        if line.strip() and not line.rstrip().endswith(".prof")  # its temporary file
    ]
    dropped = ("   List reduced", "   Ordered")
    return "\n".join(line for line in keep if not line.startswith(dropped))


def remove(path: Path | None) -> None:
    if path is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def profile(
    argv: list[str],
    *,
    top: int = 25,
    min_ms: float = 5.0,
    env: dict | None = None,
    fresh: Path | None = None,
):
    """``fresh``: a file the command makes (a new project), removed before each run."""
    env = dict(env or os.environ)
    code = RUN.format(argv=["qualcode", *argv])
    remove(fresh)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(f"qualcode {' '.join(argv)} failed:\n{done.stderr[-3000:]}")
    tree, total = render_tree(import_tree(done.stderr), min_ms)
    remove(fresh)
    with tempfile.TemporaryDirectory() as tmp:
        stats_file = Path(tmp) / "calls.prof"
        subprocess.run(
            [sys.executable, "-m", "cProfile", "-o", str(stats_file), "-c", code]
            if sys.version_info >= (3, 12)
            else [
                sys.executable,
                "-c",
                "import cProfile, sys; cProfile.run(sys.argv[1], sys.argv[2])",
                code,
                str(stats_file),
            ],
            capture_output=True,
            env=env,
            check=True,
        )
        top_calls = calls(stats_file, top)
    return {"imports_ms": total, "import_tree": tree, "calls": top_calls}


def import_profile(code: str, *, min_ms: float = 5.0, env: dict | None = None) -> dict:
    """The import tree of ``python -c CODE``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=dict(env or os.environ),
    )
    if done.returncode != 0:
        raise SystemExit(f"python -c {code!r} failed:\n{done.stderr[-3000:]}")
    tree, total = render_tree(import_tree(done.stderr), min_ms)
    return {"imports_ms": total, "import_tree": tree}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--min-ms", type=float, default=5.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--imports-of",
        metavar="CODE",
        help="only the import tree of python -c CODE (e.g. 'import qualcode.tui.app')",
    )
    parser.add_argument(
        "--fresh",
        type=Path,
        metavar="PATH",
        help="a file the command creates (the new project of an import): removed before "
        "each of the two runs, so that both do the whole work",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.imports_of:
        found = import_profile(args.imports_of, min_ms=args.min_ms)
    else:
        found = profile(args.command, top=args.top, min_ms=args.min_ms, fresh=args.fresh)
    if args.json:
        print("BENCH-RESULT " + json.dumps(found))
    else:
        print(f"imports: {found['imports_ms']:.0f} ms\n{found['import_tree']}")
        if "calls" in found:
            print(f"\n{found['calls']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
