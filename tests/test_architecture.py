"""The package's import graph, built from the source: no cycles, and no lower layer importing a higher one.

The layers are docs/ARCHITECTURE.md's; a new subpackage must be placed in ``LAYERS`` before it can import
or be imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"
# Bottom to top: a module may import its own subpackage and any subpackage listed before it.
LAYERS = ["core", "text", "llm", "index", "ingest", "retrieve", "grounding", "answer", "brief", "chat", "evals",
          "serve", "cli"]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """Every ``assistant`` module this file imports, lazily or not (a name imported from a package that is
    itself a module counts as that module)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "assistant")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "assistant":
                target = node.module
            else:
                continue
            subs = {f"{target}.{alias.name}" for alias in node.names} & modules
            found.update(subs or {target})
    return {m for m in found if m in modules and m != name}


def graph() -> dict[str, set[str]]:
    files = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(f) for f in files}
    return {module_name(f): imported_modules(f, modules) for f in files}


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_subpackage_has_a_layer() -> None:
    folders = {p.parent.name for p in PACKAGE.glob("*/__init__.py")} - {"prompts"}
    assert folders <= set(LAYERS), f"place {sorted(folders - set(LAYERS))} in LAYERS and docs/ARCHITECTURE.md"


def test_no_lower_layer_imports_a_higher_one() -> None:
    wrong = [f"{a} -> {b}" for a, targets in graph().items() for b in targets
             if layer(a) is not None and layer(b) is not None and layer(b) > layer(a)]
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    edges = graph()
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


def test_modules_and_functions_stay_small() -> None:
    """Each module readable in one sitting; a long function is a sign of two jobs in one."""
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if (lines := len(text.splitlines())) > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(PACKAGE)}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(PACKAGE)}: {node.name}() {length} lines")
    assert not too_long, "\n".join(too_long)


def test_the_graph_sees_a_cycle(tmp_path: Path) -> None:
    """The checker itself: two modules importing each other lazily are found."""
    pkg = tmp_path / "assistant" / "core"
    pkg.mkdir(parents=True)
    (tmp_path / "assistant" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from .b import g\n")
    (pkg / "b.py").write_text("from . import a\n")
    modules = {"assistant", "assistant.core", "assistant.core.a", "assistant.core.b"}
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "assistant"
    try:
        assert imported_modules(pkg / "a.py", modules) == {"assistant.core.b"}
        assert imported_modules(pkg / "b.py", modules) == {"assistant.core.a"}
    finally:
        PACKAGE = saved
