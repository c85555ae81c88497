"""The wheel carries the built bundle: building it runs ``nosto-tagging build`` (Node.js 20+ and npm
needed here, and only here).

Everything else is in ``pyproject.toml``. ``build_py`` builds the bundle into
``nosto_tagging/prebuilt/`` of the wheel from ``web/`` (the loader's sources, which the sdist
carries), reusing the download cache: ``$NOSTO_BUILD_CACHE``, else ``build/cache`` of the source
tree if there is one, else the per-user cache directory. An editable install builds nothing
(``nosto-tagging build`` writes ``build/bundle`` in a checkout). ``bdist_wheel`` reports the
wheel's size.
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "pysrc"))  # the build step of the package being built

from nosto_tagging.locations import PACKAGE, PREBUILT, user_cache_dir  # noqa: E402

CACHE_ENV = "NOSTO_BUILD_CACHE"


def _cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    if (ROOT / "build" / "cache").is_dir():  # a checkout's, as `nosto-tagging build` fills it
        return ROOT / "build" / "cache"
    return user_cache_dir() / "build"


class BuildPyWithBundle(build_py):
    """``build_py``, then the bundle into ``nosto_tagging/prebuilt/`` (not when editable)."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        # Not at the top: the build step imports the core (pydantic), which an editable
        # install's setup does not need.
        from nosto_tagging.bundle import BuildError, build_bundle

        out = Path(self.build_lib) / PACKAGE / PREBUILT
        try:
            build_bundle(out, web_dir=ROOT / "web", cache_dir=_cache_dir(), stream=sys.stderr)
        except BuildError as error:
            raise SystemExit(f"building the bundle for the wheel: {error}") from error


class BdistWheelWithSize(bdist_wheel):
    """``bdist_wheel``, then one line with the wheel's size and the bundle's share of it."""

    def run(self) -> None:
        super().run()
        for command, _python, path in self.distribution.dist_files:
            if command == "bdist_wheel":
                print(wheel_size(Path(path)), file=sys.stderr)


def wheel_size(wheel: Path) -> str:
    """``built nosto_tagging-….whl: 30.1 MB, of which the bundle (prebuilt/) 29.8 MB``."""
    from nosto_tagging.bundle.report import human

    prefix = f"{PACKAGE}/{PREBUILT}/"
    with zipfile.ZipFile(wheel) as archive:
        bundle = sum(i.compress_size for i in archive.infolist() if i.filename.startswith(prefix))
    return (
        f"built {wheel.name}: {human(wheel.stat().st_size)}, "
        f"of which the bundle ({PREBUILT}/) {human(bundle)}"
    )


setup(cmdclass={"build_py": BuildPyWithBundle, "bdist_wheel": BdistWheelWithSize})
