"""pix-imilo: carries Pix assessment results into I-Milo, the Missions Locales' system."""

from importlib.metadata import PackageNotFoundError, version

try:
    # The installed distribution's version: pyproject.toml's [project] version is the only source.
    __version__ = version("pix-imilo")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

del PackageNotFoundError, version
