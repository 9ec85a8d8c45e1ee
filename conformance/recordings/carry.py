"""Copy the Gemini API recordings the truth self-test judges into the project.

    python -m conformance.recordings.carry PATH/TO/google-recordings

Carries every recording of the Gemini API (``api: gemini``) whose body is at most ``MAX_BYTES``:
bodies byte for byte, sidecars unchanged (they name the source repository, path and commit). The
few larger bodies are image generations of 2-4 MB each; they would make the checkout heavy, so one
of them is carried gzipped (``GZIPPED``) and the others are judged from the shared folder itself
(``python -m conformance truth PATH``). Vertex AI recordings are another API and are not carried.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).parent / "google"
MAX_BYTES = 300_000
# One larger image answer, carried gzipped (a picture beside its text: IMG-01, IMG-07, MEDIA-04).
GZIPPED = ("pydantic-ai/065-test_google_image_or_text_output-1-generate",)


def carry(source: Path, into: Path = HERE) -> list[dict]:
    index = json.loads((source / "index.json").read_text())
    carried = [entry for entry in index if entry["api"] == "gemini" and (entry["bytes"] <= MAX_BYTES or entry["id"] in GZIPPED)]
    if into.exists():
        shutil.rmtree(into)
    for entry in carried:
        folder, stem = entry["id"].split("/", 1)
        (into / folder).mkdir(parents=True, exist_ok=True)
        body = source / folder / entry["body_file"]
        if entry["id"] in GZIPPED:
            (into / folder / f"{entry['body_file']}.gz").write_bytes(gzip.compress(body.read_bytes(), mtime=0))
        else:
            shutil.copyfile(body, into / folder / entry["body_file"])
        shutil.copyfile(source / folder / f"{stem}.meta.json", into / folder / f"{stem}.meta.json")
    left = len([entry for entry in index if entry["api"] == "gemini"]) - len(carried)
    print(f"carried {len(carried)} Gemini API recordings into {into} ({left} larger ones left out)")
    return carried


if __name__ == "__main__":
    carry(Path(sys.argv[1]))
