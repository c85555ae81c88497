"""The API spec: ``dist/client/nosto.d.ts`` of ``@nosto/nosto-js@2.11.3``, fetched with npm once.

Kept in ``build/cache/spec`` and checked against a pinned hash, like the runtime.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import tarfile

from nosto_tagging.paths import CACHE_DIR

PACKAGE = "@nosto/nosto-js@2.11.3"
TARBALL = "nosto-nosto-js-2.11.3.tgz"
SHA256 = "91eaf2a002ed2434adede6cb8448b2460d8e32d4f289077b9a6caecaca732833"
MEMBER = "package/dist/client/nosto.d.ts"


def nosto_dts() -> str:
    """The text of ``nosto.d.ts`` (npm pack on first use; the hash is always checked)."""
    folder = CACHE_DIR / "spec"
    tarball = folder / TARBALL
    if not tarball.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "pack", PACKAGE, "--pack-destination", str(folder)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != SHA256:
        raise RuntimeError(
            f"{tarball} has sha256 {digest}, expected {SHA256}; delete it to refetch"
        )
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(MEMBER)
        assert member is not None
        return member.read().decode()


def interface_methods(dts: str, name: str) -> dict[str, str]:
    """``{method: return type}`` of one ``interface`` block of the d.ts."""
    block = re.search(rf"^interface {name} \{{\n(.*?)^\}}", dts, re.MULTILINE | re.DOTALL)
    assert block, f"interface {name} not found in nosto.d.ts"
    methods = re.findall(r"^    (\w+)\(.*\): (.+);$", block.group(1), re.MULTILINE)
    properties = re.findall(r"^    (\w+): \(.*\) => (.+);$", block.group(1), re.MULTILINE)
    return dict(methods + properties)


# ----- signatures: what tests/core/test_api_spec.py compares with core.api -----

_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
_OBJECT_TYPE = re.compile(r"\{[^{}]*\}")


def _split(text: str, separator: str) -> list[str]:
    """Split at ``separator`` outside any brackets (TypeScript types nest (), {}, <> and [])."""
    parts, depth, current = [], 0, ""
    for index, char in enumerate(text):
        if char in "({[<":
            depth += 1
        elif char in ")}]" or (char == ">" and text[index - 1] != "="):
            depth -= 1
        if char == separator and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _type(text: str) -> str:
    """A type's text with whitespace normalised and object literals shown as ``object``."""
    text = " ".join(text.split())
    while _OBJECT_TYPE.search(text):
        text = _OBJECT_TYPE.sub("object", text)
    return text


def _param(text: str) -> str:
    """``name?: T`` -> ``name?``, ``...name: T[]`` -> ``...name``, ``{a}: Campaign`` -> ``campaign``
    (a destructured parameter is named after its type)."""
    if text.startswith("{"):
        kind = _split(text, ":")[-1].strip()
        return kind[0].lower() + kind[1:]
    name = _split(text, ":")[0].strip()
    return name


def _closing(text: str) -> int:
    """The index of the parenthesis that closes the one ``text`` starts with."""
    depth = 0
    for index, char in enumerate(text):
        depth += char == "("
        depth -= char == ")"
        if depth == 0:
            return index
    raise AssertionError(f"unbalanced: {text[:60]!r}")


def _callable(text: str) -> tuple[tuple[str, ...], str]:
    """``(a: A, b?: B): R`` or ``(a: A) => R`` -> (params, return type)."""
    assert text.startswith("("), text
    index = _closing(text)
    params = tuple(_param(part) for part in _split(text[1:index], ","))
    rest = text[index + 1 :].strip()
    rest = rest.removeprefix("=>").removeprefix(":").strip()
    return params, _type(rest)


def _block(dts: str, header: str) -> str:
    start = dts.index(header) + len(header)
    depth = 1
    for index in range(start, len(dts)):
        depth += dts[index] == "{"
        depth -= dts[index] == "}"
        if depth == 0:
            return dts[start:index]
    raise AssertionError(f"{header!r}: no closing brace")


def _functions(dts: str) -> dict[str, tuple[tuple[str, ...], str]]:
    """``declare function name(...): R;`` (the first overload of each name)."""
    found: dict[str, tuple[tuple[str, ...], str]] = {}
    for statement in _split(_COMMENTS.sub("", dts), ";"):
        match = re.match(r"(?:export )?declare function (\w+)(?:<.*?>)?(\(.*)", statement, re.S)
        if match and match.group(1) not in found:
            found[match.group(1)] = _callable(match.group(2))
    return found


Signature = tuple[tuple[str, ...], str]


def interface_signatures(dts: str, name: str) -> dict[str, Signature]:
    """``{member: (params, return type)}`` of ``interface name`` in nosto.d.ts."""
    body = _block(_COMMENTS.sub("", dts), f"\ninterface {name} {{")
    members: dict[str, Signature] = {}
    for statement in _split(body, ";"):
        match = re.match(r"(\w+)(?:<.*?>)?\s*(\(.*)", statement, re.S)
        if match:
            members.setdefault(match.group(1), _callable(match.group(2)))
            continue
        match = re.match(r"(\w+):\s*(\(.*)", statement, re.S)
        assert match, f"interface {name}: cannot read {statement!r}"
        members[match.group(1)] = _callable(match.group(2))
    return members


def api_signatures(dts: str) -> dict[str, Signature]:
    """Every member of ``declare const api``, nested objects flattened (``visit.isDoNotTrack``).

    ``internal`` (Nosto's own plumbing) is left out.
    """
    functions = _functions(dts)
    body = _block(_COMMENTS.sub("", dts), "\ndeclare const api: {")
    members: dict[str, Signature] = {}
    for statement in _split(body, ";"):
        name, _, kind = (part.strip() for part in statement.partition(":"))
        if name == "internal":
            continue
        if kind.startswith("typeof "):
            members[name] = functions[kind.removeprefix("typeof ")]
        else:
            nested = interface_signatures(dts, kind)
            members.update({f"{name}.{member}": sig for member, sig in nested.items()})
    return members
