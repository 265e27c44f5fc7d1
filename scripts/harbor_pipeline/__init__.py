"""Harbor's contract-first pipeline: the `harbor` command and the tools behind its verbs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("harbor-pipeline")
except PackageNotFoundError:  # run from a checkout without installing
    __version__ = "0+unknown"
