"""Every shipped wheel earns its place: the engine imports it when it runs.

The import closure comes from running the engine in Pyodide under Node (``probe.py`` reports
the top-level modules loaded from site-packages). A wheel is imported when one of its top-level
modules (its lock ``imports``) is loaded, directly by our code or through another shipped package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from nosto_tagging.bundle.errors import BuildError


def unimported_wheels(shipped: Mapping[str, Sequence[str]], imported: Iterable[str]) -> list[str]:
    """Lock keys of ``shipped`` wheels (key -> top-level modules) none of whose modules is
    in ``imported`` (top-level module names seen in ``sys.modules``), in ``shipped`` order."""
    seen = set(imported)
    return [key for key, modules in shipped.items() if not seen.intersection(modules)]


def check_every_wheel_imported(
    shipped: Mapping[str, Sequence[str]], imported: Iterable[str]
) -> None:
    """Raise :class:`BuildError` naming every shipped wheel the engine never imported."""
    unused = unimported_wheels(shipped, imported)
    if unused:
        named = ", ".join(f"{key} ({'/'.join(shipped[key])})" for key in unused)
        raise BuildError(
            f"shipped wheel(s) never imported by the engine under Node: {named}. Remove them "
            "from nosto_tagging/bundle/pins.toml (and from [self] depends), or import them on "
            "a code path that nosto_tagging/bundle/probe.py exercises."
        )
