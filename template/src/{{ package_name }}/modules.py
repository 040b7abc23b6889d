"""Finding a package's modules, so that what a resource adds (its table and repository, its
router) is picked up by being in its folder rather than by a line in a shared file."""

import importlib
import pkgutil
from collections.abc import Iterable
from types import ModuleType


def submodules(package: str, path: Iterable[str]) -> list[ModuleType]:
    """Every module of ``package`` (give it the package's ``__name__`` and ``__path__``),
    imported, in the order of their names."""
    found = sorted(pkgutil.iter_modules(path), key=lambda module: module.name)
    return [importlib.import_module(f"{package}.{module.name}") for module in found]
