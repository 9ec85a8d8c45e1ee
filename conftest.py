# The suite is a pytest plugin, installed as a pytest11 entry point (pyproject.toml). In a checkout
# that is not installed, this loads it, so `pytest --target NAME` works from the repo root either way.
# (When installed, this defines nothing: a conftest outside the rootdir may not name plugins, and
# the installed checks live beside this file in an editable install.)
from importlib.metadata import entry_points

if not any(entry.name == "conformance.plugin" for entry in entry_points(group="pytest11")):
    pytest_plugins = ["conformance.plugin", "conformance.fixtures"]
