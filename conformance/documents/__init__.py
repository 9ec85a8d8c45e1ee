"""The documents rules cite, carried with the suite, and the passage a citation points at.

``seeds/`` holds the four seed gateways' public documentation pages as captured (its README maps each
file to its gateway); ``reference/`` holds Google's Gemini API wire format as compiled from its protos
and SDK source, and how real gateways break, with public issue references. Both are copies of the
project's shared sources (tests/test_catalogue.py checks they are the same where those are at hand),
so a report can show what a source says, on a machine that has only the installed suite.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
SHOWN_LINES = 8


@cache
def read(path: str) -> list[str] | None:
    """The lines of a cited document (``seeds/...`` or ``reference/...``), None if it is not carried."""
    file = (HERE / path).resolve()
    if HERE not in file.parents or not file.is_file():
        return None
    return file.read_text(encoding="utf-8").splitlines()


def passage(path: str, section: str) -> str | None:
    """The lines of ``path`` that ``section`` cites ("§6 alt=sse framing; §9 rule 20", or a seed's
    "Connection Details: Authorization: Bearer"): the first citation's heading, then from the line
    its words name, if one does. None when the document or the heading is not found."""
    lines = read(path)
    if lines is None:
        return None
    first = section.split(";")[0].strip()
    numbered = re.match(r"§(\d+)\s*(.*)", first)
    if numbered:
        block = _markdown_section(lines, numbered.group(1))
        phrase = numbered.group(2)
        rule = re.match(r"rules?\s+(\d+)", phrase.strip())
        item = rule.group(1) if rule else None
    else:
        heading, _, phrase = first.partition(":")
        numbered_heading = re.match(r"(.*?)\s+(\d+)$", heading.strip())  # "Limitations & Notes 3": its item 3
        block = _page_section(lines, numbered_heading.group(1) if numbered_heading else heading.strip())
        item = numbered_heading.group(2) if numbered_heading else None
    if not block:
        return None
    return "\n".join(line.strip() for line in _cited_lines(block, phrase, item) if line.strip())


def _markdown_section(lines: list[str], number: str) -> list[str]:
    """A markdown document's "## N. Title" section."""
    for index, line in enumerate(lines):
        if re.match(rf"#+ {number}\.\s", line):
            level = len(line) - len(line.lstrip("#"))
            end = next(
                (j for j in range(index + 1, len(lines)) if lines[j].startswith("#") and len(lines[j]) - len(lines[j].lstrip("#")) <= level),
                len(lines),
            )
            return lines[index:end]
    return []


def _page_section(lines: list[str], heading: str) -> list[str]:
    """A captured documentation page's section: from the line that is its heading (some pages mark
    headings with a trailing "#") to the next marked heading, or a screenful on."""
    wanted = _words(heading)
    for exact in (True, False):
        for index, line in enumerate(lines):
            words = _words(line.rstrip().rstrip("#"))
            labelled = line.strip().lower().startswith(heading.lower() + ":")  # "Note: ..." opens its own paragraph
            if words == wanted if exact else words.startswith(wanted) and (len(line) < 80 or labelled):
                end = next((j for j in range(index + 1, len(lines)) if lines[j].rstrip().endswith("#")), len(lines))
                return lines[index : min(end, index + 40)]
    return []


def _cited_lines(block: list[str], phrase: str, item: str | None) -> list[str]:
    """The lines of ``block`` the cited words point at: a numbered item's own line, or the line
    naming the words (the whole phrase, else each of its ":"-separated parts, last first), else the
    block's start."""
    if item:
        for line in block:
            text = line.strip()
            if text.startswith(f"{item}.") or text.startswith(f"| {item} |"):
                at = block.index(line)
                return [block[0].strip(), *block[at : at + (2 if text == f"{item}." else 1)]]  # "3." alone: its text follows
    for part in [phrase, *reversed(phrase.split(":"))]:
        words = _words(part)
        if len(words) >= 3:
            for index, line in enumerate(block):
                if words[:24] in _words(line):
                    return [block[0].strip(), *(line.strip() for line in block[index : index + SHOWN_LINES - 2])] if index else block[:SHOWN_LINES]
    return block[:SHOWN_LINES]


def _words(text: str) -> str:
    """Letters and digits only, lowercased: "`?alt=sse` framing" and "alt=sse framing" compare equal."""
    return re.sub(r"[^a-z0-9]", "", text.lower())
