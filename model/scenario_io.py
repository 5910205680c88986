"""Loading scenario files: safe YAML with line numbers, ``extends:``, ``--set``, regimes.

Every problem becomes a ``ScenarioError`` whose message is one line naming the file, the line
and column, and the key path, e.g.::

    scenarios/x.yaml:12:5: district.membership_shar: unknown key (did you mean 'membership_share'?)
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import hashlib
import math
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ScenarioError
from .sim.params import PATTERN_WORDS, Scenario

TOP_LEVEL_EXTRA = ("extends", "regimes", "baseline", "sensitivity")
PAIRED_KEYS = ("seed", "replications", "steps", "name", "description")
"""Keys a regime may not override: regimes are paired on them."""
DEFAULT_REGIMES: dict[str, dict[str, Any]] = {
    "standalone": {"district.membership_share": 0.0},
    "district": {},
}
MAX_FILE_BYTES = 1_000_000
MAX_EXTENDS_DEPTH = 20
MAX_YAML_NODES = 100_000
MAX_EXPANDED_NODES = 200_000
"""Values a file may hold once aliases are expanded: a few hundred bytes of nested aliases
("billion laughs") would otherwise expand to billions of values in memory."""
MAX_NESTING = 32
_PARSED_MAX = 32
_parsed: dict[tuple[str, bytes], tuple[dict[str, Any], dict[Path_, str]]] = {}
"""Parsed files by name and content: a design of thousands of points (a sweep, a Sobol sample)
reads its scenario file once per point; parsing is ~95% of loading one, so each text is parsed
once. Keyed by the bytes' digest, so an edited file is parsed again; callers get copies."""

Path_ = tuple[str | int, ...]


class Override(str):
    """A ``KEY.PATH=VALUE`` assignment that remembers the option it came from, so that an error it
    causes names that option: ``--set`` unless told (``--seed 7``, ``--vary district.x=0,2,4``).
    It is the plain string everywhere else (equality, JSON, hashing)."""

    origin: str

    def __new__(cls, text: str, origin: str | None = None) -> Override:
        obj = super().__new__(cls, text)
        obj.origin = origin or f"--set {text}"
        return obj


def origin_of(text: str) -> str:
    """Where an override came from, as the user typed it."""
    return text.origin if isinstance(text, Override) else f"--set {text}"


class _InvalidError(ScenarioError):
    """A validation error: ``where`` it was found and what is wrong (``detail``)."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(f"{where}: {detail}")
        self.where = where
        self.detail = detail


@dataclass(frozen=True)
class Experiment:
    """A validated scenario file: one resolved ``Scenario`` per regime, baseline first."""

    source: str
    base: Scenario
    regimes: dict[str, Scenario]
    overrides: dict[str, dict[str, Any]]
    baseline: str
    sensitivity: dict[str, Any] | None = None
    set_by: dict[str, str] = field(default_factory=dict)
    """Key paths the command line set, with the option that set each (``--set ...``, ``--seed 7``)."""
    in_file: frozenset[str] = frozenset()
    """Dotted key paths the scenario file (with the files it extends) writes."""

    @property
    def name(self) -> str:
        return self.base.name

    def origin(self, path: str) -> str:
        """Where a key's value comes from: the option that set it, ``scenario file`` or ``default``."""
        for key, option in reversed(self.set_by.items()):
            if path == key or path.startswith(f"{key}."):
                return option
        parts = path.split(".")
        if any(".".join(parts[:k]) in self.in_file for k in range(len(parts), 0, -1)):
            return "scenario file"
        return "default"

    def resolved(self) -> dict[str, Any]:
        """The whole experiment as plain data; loading it again gives the same experiment."""
        data = self.base.model_dump(mode="json")
        data["regimes"] = copy.deepcopy(self.overrides)
        data["baseline"] = self.baseline
        if self.sensitivity:
            data["sensitivity"] = copy.deepcopy(self.sensitivity)
        return data


# ---------------------------------------------------------------------------- YAML reading
class _Loader(yaml.SafeLoader):
    """Safe loader: only plain data; Python object tags are refused by SafeLoader itself."""


def _where(origin: str, mark: yaml.Mark | None) -> str:
    return f"{origin}:{mark.line + 1}:{mark.column + 1}" if mark is not None else origin


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: yaml.Node, origin: str) -> None:
    """Refuse nesting deeper than MAX_NESTING, alias cycles, and aliases that expand too far.

    Counts the values of the document as if every alias were copied out (shared nodes are sized
    once, so this takes time proportional to the file, not to its expansion).
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool, int]] = [(root, False, 0)]
    while stack:
        node, finished, depth = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            total = 1 + sum(sizes[id(k)] for k in _children(node))
            if total > MAX_EXPANDED_NODES:
                raise ScenarioError(
                    f"{_where(origin, node.start_mark)}: YAML error: aliases here expand to over "
                    f"{MAX_EXPANDED_NODES:,} values; write the values out instead"
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise ScenarioError(f"{_where(origin, node.start_mark)}: YAML error: an alias refers to itself")
        if depth > MAX_NESTING:
            raise ScenarioError(f"{_where(origin, node.start_mark)}: YAML error: nested over {MAX_NESTING} levels deep")
        on_path.add(key)
        stack.append((node, True, depth))
        stack.extend((k, False, depth + 1) for k in _children(node))


def _positions(node: yaml.Node, origin: str) -> dict[Path_, str]:
    """Map each key path of a composed document to 'file:line:col'; refuse duplicate keys."""
    out: dict[Path_, str] = {(): _where(origin, node.start_mark)}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, Path_]] = [(node, ())]
    count = 0
    while stack:
        cur, path = stack.pop()
        if id(cur) in seen:  # an alias: already walked once
            continue
        seen.add(id(cur))
        count += 1
        if count > MAX_YAML_NODES:
            raise ScenarioError(f"{origin}: the file has more than {MAX_YAML_NODES} YAML nodes")
        if isinstance(cur, yaml.MappingNode):
            keys: set[str] = set()
            for knode, vnode in cur.value:
                key = knode.value if isinstance(knode, yaml.ScalarNode) else str(knode.value)
                if key in keys:
                    dotted = ".".join(str(p) for p in (*path, key))
                    raise ScenarioError(f"{_where(origin, knode.start_mark)}: {dotted}: duplicate key")
                keys.add(key)
                out[(*path, key)] = _where(origin, knode.start_mark)
                stack.append((vnode, (*path, key)))
        elif isinstance(cur, yaml.SequenceNode):
            for i, item in enumerate(cur.value):
                out[(*path, i)] = _where(origin, item.start_mark)
                stack.append((item, (*path, i)))
    return out


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[Path_, str]]:
    """Read one YAML mapping safely; return it with the position of every key path."""
    origin = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError(f"{origin}: no such file") from None
    except OSError as exc:
        raise ScenarioError(f"{origin}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(f"{origin}: is a directory, not a scenario file")
    if not stat.S_ISREG(info.st_mode):  # a pipe or a device could block or never end
        raise ScenarioError(f"{origin}: is not a regular file (a device, pipe or socket)")
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError(f"{origin}: is {info.st_size:,} bytes; a scenario file is at most {MAX_FILE_BYTES:,}")
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)  # bounded even if the file grows meanwhile
    except OSError as exc:
        raise ScenarioError(f"{origin}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"{origin}: is over {MAX_FILE_BYTES:,} bytes; a scenario file is at most that")
    if b"\x00" in raw:
        raise ScenarioError(f"{origin}: is a binary file, not a YAML scenario")
    key = (origin, hashlib.sha256(raw).digest())
    if key not in _parsed:
        if len(_parsed) >= _PARSED_MAX:
            del _parsed[next(iter(_parsed))]
        _parsed[key] = _parse(raw, origin)
    data, positions = _parsed[key]
    return copy.deepcopy(data), dict(positions)


def _parse(raw: bytes, origin: str) -> tuple[dict[str, Any], dict[Path_, str]]:
    """Parse the bytes of one file (``origin`` names it in errors) into a mapping and positions."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{origin}: is not UTF-8 text (bad byte at offset {exc.start})") from None
    loader = None
    try:
        loader = _Loader(text)  # the reader refuses control characters here
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(f"{origin}: is empty; a scenario needs at least 'stages:'")
        _check_expansion(node, origin)
        positions = _positions(node, origin)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "could not determine a constructor" in problem:
            problem = f"tag refused ({problem.split('for the tag')[-1].strip()}): only plain data is allowed"
        raise ScenarioError(f"{_where(origin, mark)}: YAML error: {problem}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ScenarioError(
            f"{origin}:{line}:{col}: YAML error: control character U+{exc.character:04X} is not allowed in YAML"
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{origin}: YAML error: {str(exc).splitlines()[0]}") from None
    except RecursionError:  # the YAML composer recurses once per level of nesting
        raise ScenarioError(f"{origin}: YAML error: nested deeper than a scenario can be") from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError(f"{positions[()]}: the top level must be a mapping of keys, not {type(data).__name__}")
    return data, positions


# ---------------------------------------------------------------------------- merging
def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (lists included) is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _load_chain(path: Path, chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], dict[Path_, str]]:
    """Load a file and the files it ``extends:``, base first; positions from the file that set them."""
    resolved = path.resolve()
    if resolved in chain:
        loop = " -> ".join(str(p.name) for p in (*chain, resolved))
        raise ScenarioError(f"{path}: extends: circular chain ({loop})")
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"{path}: extends: chain longer than {MAX_EXTENDS_DEPTH} files")
    data, positions = read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, positions
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(f"{positions[('extends',)]}: extends: must be a file name, relative to this file")
    parent_path = path.parent / parent
    if not parent_path.exists():
        raise ScenarioError(f"{positions[('extends',)]}: extends: '{parent}' not found (looked in {path.parent})")
    base, base_pos = _load_chain(parent_path, (*chain, resolved))
    merged = _deep_merge(base, data)
    return merged, {**base_pos, **positions}


# ---------------------------------------------------------------------------- overrides
def check_key_path(key: str, where: str) -> str:
    """A dotted key path without empty parts, stripped; otherwise a one-line error at ``where``."""
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ScenarioError(f"{where}: the key path is empty or has an empty part")
    return key


def parse_assignment(text: str, flag: str = "--set", where: str | None = None) -> tuple[str, Any]:
    """Parse ``a.b.c=value``; the value is read as YAML (numbers, true/false, lists).

    Errors are located at ``where`` (default: ``FLAG TEXT``)."""
    where = where or f"{flag} {text}"
    if "=" not in text:
        raise ScenarioError(f"{where}: expected KEY.PATH=VALUE")
    key, _, value = text.partition("=")
    key = check_key_path(key, where)
    try:
        parsed = yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError:
        raise ScenarioError(f"{where}: cannot read the value '{value}'") from None
    if parsed is None:
        raise ScenarioError(f"{where}: missing value after '='")
    return key, parsed


def set_path(data: dict[str, Any], key: str, value: Any, origin: str) -> Path_:
    """Set a dotted path in nested data; list items by index or by their 'name'."""
    parts = key.split(".")
    cur: Any = data
    path: list[str | int] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(cur, list):
            idx = _list_index(cur, part)
            if idx is None:
                names = [str(x.get("name")) for x in cur if isinstance(x, dict)]
                raise ScenarioError(
                    f"{origin}: {'.'.join(map(str, path))}: no item '{part}' (have: {', '.join(names)})"
                )
            path.append(idx)
            if last:
                cur[idx] = value
            else:
                cur = cur[idx]
            continue
        if not isinstance(cur, dict):
            raise ScenarioError(f"{origin}: {'.'.join(map(str, path))} is a value, not a group of keys")
        path.append(part)
        if last:
            cur[part] = value
        else:
            cur = cur.setdefault(part, {})
    return tuple(path)


def get_path(data: Any, key: str) -> Any:
    """The value at a dotted path of nested data (list items by index or by their 'name'); KeyError if absent."""
    cur = data
    for part in key.split("."):
        if isinstance(cur, list):
            idx = _list_index(cur, part)
            if idx is None:
                raise KeyError(key)
            cur = cur[idx]
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            raise KeyError(key)
    return cur


def _list_index(items: list[Any], part: str) -> int | None:
    if part.lstrip("-").isdigit():
        idx = int(part)
        return idx if 0 <= idx < len(items) else None
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return i
    return None


def _flatten(over: Any, prefix: str = "") -> dict[str, Any]:
    """Regime overrides may be nested mappings or dotted keys; return dotted keys."""
    out: dict[str, Any] = {}
    for key, value in over.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(_flatten(value, f"{dotted}."))
        else:
            out[dotted] = value
    return out


# ---------------------------------------------------------------------------- validation
def _field_names(loc: Path_) -> list[str]:
    """Names valid at the parent of ``loc`` in the schema (for 'did you mean')."""
    model: type[BaseModel] = Scenario
    names: list[str] = [*Scenario.model_fields, *TOP_LEVEL_EXTRA]
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        target = next((a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if target is None:
            return []
        model = target
        names = list(model.model_fields)
    return names


def _describe(err: dict[str, Any]) -> str:
    kind = err["type"]
    loc = err["loc"]
    if kind == "extra_forbidden":
        guess = difflib.get_close_matches(str(loc[-1]), _field_names(loc), n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        return f"unknown key{hint}"
    if kind == "missing":
        return "required key is missing"
    msg = err["msg"]
    value = err.get("input")
    if kind == "string_pattern_mismatch":
        msg = PATTERN_WORDS.get(err.get("ctx", {}).get("pattern"), msg)
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number (got {value})"
    if not isinstance(value, dict | list) and value is not None:
        shown = repr(value) if isinstance(value, str) else value
        return f"{msg[0].lower()}{msg[1:]} (got {shown})"
    return f"{msg[0].lower()}{msg[1:]}"


def _locate(positions: dict[Path_, str], loc: Path_, default: str) -> str:
    for cut in range(len(loc), -1, -1):
        where = positions.get(tuple(loc[:cut]))
        if where is not None:
            return where
    return default


def validate(data: dict[str, Any], positions: dict[Path_, str], origin: str, context: str = "") -> Scenario:
    """Validate plain data as a Scenario; the first problem becomes a one-line ScenarioError."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(p for p in err["loc"] if p not in ("function-after",))
        where = _locate(positions, loc, origin)
        dotted = ".".join(str(p) for p in loc) or "(top level)"
        if err["type"].startswith("value_error") and not loc:
            raise _InvalidError(where, f"{context}{err['msg'].removeprefix('Value error, ')}") from None
        raise _InvalidError(where, f"{context}{dotted}: {_describe(err)}") from None


def scenarios_folder() -> Path:
    """The pilot scenario files: ``scenarios/`` beside the source folder in a checkout, or the
    copy the installed package carries (``district_sim.scenarios``)."""
    here = Path(__file__).resolve().parent
    installed = here / "scenarios"  # setuptools maps district_sim.scenarios there (pyproject.toml)
    return installed if installed.is_dir() else here.parent / "scenarios"


def pilot_names() -> list[str]:
    """The scenario files that ship with the package, by name (``woodworking_kaluga``, ...;
    ``variants/woodworking_choice`` for a variant)."""
    folder = scenarios_folder()
    return sorted(str(f.relative_to(folder).with_suffix("")) for f in folder.rglob("*.yaml"))


def scenario_path(scenario: str | Path) -> Path:
    """A scenario file from its path or from the name of a packaged one (``woodworking_kaluga``)."""
    path = Path(scenario)
    if path.suffix or path.exists():
        return path
    packaged = scenarios_folder() / f"{scenario}.yaml"
    if packaged.is_file():
        return packaged
    names = ", ".join(n for n in pilot_names() if "/" not in n)
    raise ScenarioError(f"{scenario}: no such scenario file, and not a packaged scenario (have: {names})")


def _override_texts(overrides: Mapping[str, Any]) -> list[Override]:
    """``{"district.coordination_cost": 2.0}`` as the command line's ``KEY=VALUE`` overrides, each
    naming itself in an error (``overrides['district.coordination_cost']``)."""
    out = []
    for key, value in overrides.items():
        if not isinstance(key, str):
            raise ScenarioError(
                f"overrides: key {key!r} must be a dotted key path such as 'district.coordination_cost'"
            )
        plain = value.item() if type(value).__module__ == "numpy" and hasattr(value, "item") else value  # EMA, SALib
        text = yaml.safe_dump(plain, default_flow_style=True, width=1_000_000).removesuffix("\n...\n").strip()
        out.append(Override(f"{key}={text}", origin=f"overrides[{key!r}]"))
    return out


def load_experiment(path: str | Path, sets: list[str] | tuple[str, ...] | Mapping[str, Any] = ()) -> Experiment:
    """Load, merge, override and validate a scenario file into one Scenario per regime.

    Args:
        path: a scenario file, or the name of one that ships with the package (``pilot_names()``).
        sets: overrides, as the command line's ``"KEY.PATH=VALUE"`` strings or as a mapping
            ``{"district.coordination_cost": 2.0, "steps": 104}``.

    Raises:
        ScenarioError: one line naming the file (or override), the line and the key.
    """
    path = scenario_path(path)
    if isinstance(sets, Mapping):
        sets = _override_texts(sets)
    data, positions = _load_chain(path)
    in_file = frozenset(_dotted_keys(data))
    origin = str(path)
    file_data = copy.deepcopy(data) if sets else data
    _apply_sets(data, positions, sets)
    sensitivity = _sensitivity_block(data.pop("sensitivity", None), positions, origin)
    raw_regimes = data.pop("regimes", None)
    baseline = data.pop("baseline", "standalone")
    regimes_where = positions.get(("regimes",), origin)
    if raw_regimes is None:
        raw_regimes = copy.deepcopy(DEFAULT_REGIMES)
    if not isinstance(raw_regimes, dict) or not raw_regimes:
        raise ScenarioError(f"{regimes_where}: regimes: must map regime names to overrides")
    if not isinstance(baseline, str) or baseline not in raw_regimes:
        where = positions.get(("baseline",), regimes_where)
        raise ScenarioError(
            f"{where}: baseline: '{baseline}' is not a regime (have: {', '.join(map(str, raw_regimes))})"
        )
    try:
        base = validate(data, positions, origin)
    except _InvalidError as exc:
        raise _blamed(exc, file_data, sets, lambda d: validate(d, {}, origin)) from None
    regimes: dict[str, Scenario] = {}
    overrides: dict[str, dict[str, Any]] = {}
    order = [baseline, *(r for r in raw_regimes if r != baseline)]
    for name in order:
        where = positions.get(("regimes", name), regimes_where)
        try:
            regimes[name], overrides[name] = _regime(name, raw_regimes[name], data, positions, where, origin)
        except _InvalidError as exc:
            raise _blamed(
                exc, file_data, sets, lambda d, n=name, w=where: _regime(n, raw_regimes[n], d, {}, w, origin)
            ) from None
        if regimes[name].stage_names != base.stage_names:
            raise ScenarioError(f"{where}: regimes.{name}: regimes must keep the same stages (names and order)")
        if regimes[name].district.membership != base.district.membership:
            raise ScenarioError(f"{where}: regimes.{name}: regimes must share district.membership (random or choice)")
    set_by = {parse_assignment(t, where=origin_of(t))[0]: origin_of(t) for t in sets}
    return Experiment(
        source=origin,
        base=base,
        regimes=regimes,
        overrides=overrides,
        baseline=baseline,
        sensitivity=sensitivity,
        set_by=set_by,
        in_file=in_file,
    )


def with_overrides(exp: Experiment, overrides: Mapping[str, Any]) -> Experiment:
    """The experiment with more overrides, as if they had been given when it was loaded: applied
    to its base scenario, then each regime's own overrides on top (a regime keeps what it sets)."""
    texts = _override_texts(overrides)
    data = exp.base.model_dump(mode="json")
    positions: dict[Path_, str] = {}
    _apply_sets(data, positions, texts)
    base = validate(data, positions, exp.source)
    regimes = {
        name: _regime(name, over, data, positions, exp.source, exp.source)[0] for name, over in exp.overrides.items()
    }
    set_by = {**exp.set_by, **{parse_assignment(t)[0]: origin_of(t) for t in texts}}
    return dataclasses.replace(exp, base=base, regimes=regimes, set_by=set_by)


def _dotted_keys(data: Any, prefix: str = "") -> list[str]:
    """Every dotted path of nested mappings (groups and leaves; a list is one leaf)."""
    out = []
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}{key}"
            out.append(path)
            out.extend(_dotted_keys(value, f"{path}."))
    return out


def _apply_sets(data: dict[str, Any], positions: dict[Path_, str], sets: list[str] | tuple[str, ...]) -> None:
    """The command line's overrides (``--set KEY.PATH=VALUE``, ``--seed``, ``--vary`` values), in
    order, each remembered as its own origin: for the key it sets and for any group it creates."""
    for text in sets:
        origin = origin_of(text)
        key, value = parse_assignment(text, where=origin)
        top = key.split(".", 1)[0]
        if top in TOP_LEVEL_EXTRA:
            raise ScenarioError(f"{origin}: '{top}' cannot be set from the command line")
        p = set_path(data, key, value, origin)
        for cut in range(1, len(p)):
            positions.setdefault(p[:cut], origin)
        positions[p] = origin


def _blamed(
    exc: _InvalidError, file_data: dict[str, Any], sets: list[str] | tuple[str, ...], check: Callable[[dict], object]
) -> ScenarioError:
    """The error, blamed on the command-line override that made the scenario invalid: the last one
    before which it was still valid (an error between keys, such as a median above a maximum, is
    otherwise found at the group's place in the file). Kept as it is when the file itself is invalid."""
    if not sets or any(exc.where == origin_of(t) for t in sets):
        return exc
    for k in range(len(sets) - 1, -1, -1):
        data = copy.deepcopy(file_data)
        try:
            _apply_sets(data, {}, sets[:k])
            for key in TOP_LEVEL_EXTRA:  # read apart from the scenario (load_experiment)
                data.pop(key, None)
            check(data)
        except ScenarioError:
            continue
        return ScenarioError(f"{origin_of(sets[k])}: {exc.detail}")
    return exc


def _regime(  # noqa: PLR0917 - the parts of the file one regime is resolved from
    name: Any, over: Any, data: dict[str, Any], positions: dict[Path_, str], where: str, origin: str
) -> tuple[Scenario, dict[str, Any]]:
    """One regime: the file's values with the regime's overrides, validated; and the flat overrides."""
    if not isinstance(name, str) or not name.replace("_", "").replace("-", "").isalnum():
        raise ScenarioError(f"{where}: regimes: name '{name}' must be letters, digits, '_' or '-'")
    if over is None:
        over = {}
    if not isinstance(over, dict):
        raise ScenarioError(f"{where}: regimes.{name}: must be a mapping of KEY.PATH: value")
    flat = _flatten(over)
    reg_data = copy.deepcopy(data)
    reg_pos = dict(positions)
    for key, value in flat.items():
        kwhere = positions.get(("regimes", name, *key.split(".")), positions.get(("regimes", name, key), where))
        if key.split(".", 1)[0] in PAIRED_KEYS + TOP_LEVEL_EXTRA:
            raise ScenarioError(f"{kwhere}: regimes.{name}.{key}: regimes share this key; set it at the top level")
        p = set_path(reg_data, key, value, kwhere)
        reg_pos[p] = kwhere
    return validate(reg_data, reg_pos, origin, context=f"regime '{name}': "), flat


def _sensitivity_block(block: Any, positions: dict[Path_, str], origin: str) -> dict[str, Any] | None:
    """Check the shape of the optional ``sensitivity:`` block (paths are checked when used)."""
    if block is None:
        return None
    where = positions.get(("sensitivity",), origin)
    if not isinstance(block, dict):
        raise ScenarioError(f"{where}: sensitivity: must be a mapping with ranges, include or exclude")
    for key, value in block.items():
        kwhere = positions.get(("sensitivity", key), where)
        if key == "ranges":
            ok = isinstance(value, dict) and all(
                isinstance(v, list) and len(v) == 2 and all(isinstance(b, int | float) and math.isfinite(b) for b in v)
                for v in value.values()
            )
            if not ok:
                raise ScenarioError(f"{kwhere}: sensitivity.ranges: map each KEY.PATH to [low, high]")
        elif key in ("include", "exclude"):
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise ScenarioError(f"{kwhere}: sensitivity.{key}: must be a list of KEY.PATH names")
        else:
            guess = difflib.get_close_matches(str(key), ["ranges", "include", "exclude"], n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            raise ScenarioError(f"{kwhere}: sensitivity.{key}: unknown key{hint}")
    return block
