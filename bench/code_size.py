"""Files over 500 lines and functions over 60 lines in the project's Python (and files over 500
lines in the web chat's JavaScript): `python -m bench.code_size`, exit 1 when any."""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from service.settings import PROJECT_ROOT

MAX_FILE_LINES = 500  # a module one can read in one sitting
MAX_FUNCTION_LINES = 60  # a function that fits on one screen
FOLDERS = ("corpus", "index", "service", "bench", "tests")


def long_functions(path: Path, limit: int) -> Iterator[tuple[str, int]]:
    """(qualified name, lines) of every function in path longer than limit lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))

    def visit(node: ast.AST, prefix: str) -> Iterator[tuple[str, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    start = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    lines = (child.end_lineno or child.lineno) - start + 1
                    if lines > limit:
                        yield name, lines
                yield from visit(child, f"{name}.")

    yield from visit(tree, "")


def findings(root: Path, skip: Sequence[str]) -> list[str]:
    out: list[str] = []
    files = [p for f in FOLDERS for p in sorted((root / f).rglob("*.py"))]
    files += sorted((root / "service" / "static").glob("*.js"))
    for path in files:
        rel = path.relative_to(root).as_posix()
        if rel in skip:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_FILE_LINES:
            out.append(f"{rel}: {lines} lines (file)")
        if path.suffix == ".py":
            out += [
                f"{rel}: {name} {n} lines" for name, n in long_functions(path, MAX_FUNCTION_LINES)
            ]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skip", action="append", default=[], help="A file to leave out (repeatable).")
    args = ap.parse_args(argv)
    found = findings(PROJECT_ROOT, args.skip)
    print("\n".join(found) or "no file over 500 lines, no function over 60 lines")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
