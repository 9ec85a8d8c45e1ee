# The suite is a pytest plugin; loading it here makes `pytest --target NAME` work from the repo root.
pytest_plugins = ["conformance.plugin", "conformance.fixtures"]
