"""What a run leaves behind, every piece written from one record of the run, results.json:

- ``results``: the record itself (``Run`` builds it from pytest's reports; ``load`` reads it back);
- ``summary``: the lines printed at the end of the run;
- ``html``: the top of report.html (pytest-html writes the rest);
- ``certificate``: reports/<target>/conformance-report.yaml and badge.svg, and ``verify``;
- ``baseline``: a nightly's comparison with the night before;
- ``merge``: one report of many runs, with the same certificates a single run writes.
"""
