"""The import graph of model/, drawn from the code's own imports (every `import` and `from ... import`
in every file, at module level and inside functions; `if TYPE_CHECKING:` imports count too).

    python tools/import_graph.py            a summary: layers, edges upward, circles
    python tools/import_graph.py --dot      Graphviz DOT text (e.g. | dot -Tsvg > imports.svg)

tests/test_architecture.py asserts the same rules on the same graph.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "model"
# floors, bottom first: a module may import its own floor and the ones below it, never one above
LAYERS = ("errors", "sim", "scenario_io", "experiments", "api", "outputs", "dashboard", "cli")


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def layer(module: str) -> str | None:
    """The floor of a module of model (``model.sim.trust`` -> ``sim``); None for the package face."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        pkg = module.split(".") if is_package else module.split(".")[:-1]
        pkg = pkg[: len(pkg) - (node.level - 1)]
        base = ".".join([*pkg, node.module] if node.module else pkg)
    return [base] if node.module else [f"{base}.{a.name}" for a in node.names]


def imports(path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every import in the file; names imported from a package that are
    its sub-modules count as those sub-modules."""
    module = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for name in _resolve(node, module, path.name == "__init__.py"):
                parent = name.rpartition(".")[0]
                # `from .x import name`: the module x, unless name is a sub-module itself
                out.append(
                    (
                        parent if name.startswith("model") and not _exists(name) and _exists(parent) else name,
                        node.lineno,
                    )
                )
    return out


def imports_of(module: str) -> list[str]:
    """Every module a module of model imports, inside model or not."""
    path = ROOT.joinpath(*module.split("."))
    path = path.with_suffix(".py") if path.with_suffix(".py").is_file() else path / "__init__.py"
    return [target for target, _ in imports(path)]


def _exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def graph() -> dict[str, dict[str, int]]:
    """{module: {imported model module: first line}} over every file under model/."""
    edges: dict[str, dict[str, int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        mod = module_name(path)
        edges[mod] = {}
        for target, line in imports(path):
            if target.split(".")[0] == "model" and target != mod:
                edges[mod].setdefault(target, line)
    return edges


def upward(edges: dict[str, dict[str, int]]) -> list[str]:
    """Imports that run from a lower floor to a higher one."""
    bad = []
    for mod, targets in edges.items():
        for target, line in targets.items():
            a, b = layer(mod), layer(target)
            if a and b and LAYERS.index(b) > LAYERS.index(a):
                bad.append(f"{mod}:{line} imports {target} ({a} -> {b})")
    return bad


def circles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in edges:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def dot(edges: dict[str, dict[str, int]]) -> str:
    lines = ["digraph model {", "  rankdir=BT; node [shape=box, fontsize=10];"]
    for name in LAYERS:
        members = [m for m in edges if layer(m) == name]
        lines.append(f'  subgraph "cluster_{name}" {{ label="{name}"; ' + " ".join(f'"{m}";' for m in members) + " }")
    for mod, targets in edges.items():
        lines += [f'  "{mod}" -> "{t}";' for t in targets if t in edges]
    lines.append("}")
    return "\n".join(lines)


def main() -> int:
    edges = graph()
    if sys.argv[1:] == ["--dot"]:
        print(dot(edges))
        return 0
    for name in LAYERS:
        members = sorted(m for m in edges if layer(m) == name)
        print(f"{name:<12} {len(members):>2} modules: {', '.join(m.split('.', 2)[-1] for m in members)}")
    n = sum(len(t) for t in edges.values())
    up, loops = upward(edges), circles(edges)
    print(f"{len(edges)} modules, {n} imports inside model; upward: {len(up)}; circles: {len(loops)}")
    for line in up:
        print("  upward:", line)
    for group in loops:
        print("  circle:", " <-> ".join(group))
    return 1 if up or loops else 0


if __name__ == "__main__":
    sys.exit(main())
