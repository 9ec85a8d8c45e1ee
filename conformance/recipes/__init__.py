"""Recipes: the requests the suite sends, each a named recipe whose response the checks read.

- ``engine``: fetching ahead, once per target, bounded by the target's concurrency (``recipe``,
  ``TargetResponses``, ``plan``).
- ``bodies``: the request bodies (the one place to audit what a run costs in tokens).
- ``common``: the recipes several rule areas read; ``<area>``: the recipes of one area of
  ``conformance/checks/``.

A check names what it reads in its rule (``@rule(..., reads=text_stream)``) and imports it from here.
"""
