"""Fenced code blocks of README.md and docs/, with the directives a page gives its examples.

A page declares, in the page itself, how its examples run, with an HTML comment on the line
just before a block (visible in the Markdown source, hidden on the site):

    <!-- docs-test: skip (why it cannot run, e.g. "a settings.py fragment") -->
    <!-- docs-test: environment -->   (an `sh` block of `export NAME=value` lines: the
                                       variables every later block of the page sees)

Every `python` block runs, in order, in one namespace per page, so a later block uses what an
earlier one defined, as a reader following the page would. Setup a page needs is an ordinary,
visible block (for example in a collapsed "Setup" admonition). Blocks in other languages
(shell, text, config formats; a fence without a language is text) are never run and are
counted.
"""

from __future__ import annotations

import re
import shlex
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The server the examples are written against; the runner points it at the test Keycloak.
DOCS_SERVER = "http://127.0.0.1:8080"
RUN_LANGUAGES = frozenset({"python", "py"})
NOT_RUN_LANGUAGES = frozenset(
    {"sh", "bash", "console", "text", "json", "yaml", "toml", "ini", "html", "http"}
)
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_DIRECTIVE = re.compile(r"^\s*<!--\s*docs-test:\s*(?P<kind>[a-z-]+)\s*(?P<arg>.*?)\s*-->\s*$")


class DocsFormatError(ValueError):
    """A page's code blocks or directives cannot be understood; the message names the line."""


@dataclass(frozen=True)
class Block:
    page: str  # relative to the repository root, e.g. "docs/flows/uma.md"
    line: int  # 1-based line of the first line of code (after the opening fence)
    language: str
    code: str  # dedented
    directive: str = ""  # "", "skip" or "environment"
    reason: str = ""

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def runs(self) -> bool:
        return self.language in RUN_LANGUAGES and self.directive != "skip"

    def environment(self) -> dict[str, str]:
        """The variables of an `environment` block (`export A=1 B=2` lines)."""
        values: dict[str, str] = {}
        for number, raw in enumerate(self.code.splitlines(), start=self.line):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            words = shlex.split(line, comments=True)
            if not words or words[0] != "export":
                raise DocsFormatError(f"{self.page}:{number}: an environment block only exports")
            for word in words[1:]:
                name, sep, value = word.partition("=")
                if not sep:
                    raise DocsFormatError(f"{self.page}:{number}: expected NAME=value")
                values[name] = value
        return values


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def parse(path: Path) -> list[Block]:
    page = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, indent = opening["fence"], opening["indent"]
        info = opening["info"].strip()
        # A fence without a language is a diagram or listing: shown as text, never run.
        language = info.split()[0].lower() if info else "text"
        end = index + 1
        while end < len(lines) and lines[end].strip() != fence:
            end += 1
        if end == len(lines):
            raise DocsFormatError(f"{page}:{index + 1}: code block never closed")
        body = [line.removeprefix(indent) for line in lines[index + 1 : end]]
        directive, reason = _directive_before(lines, index, page)
        if directive == "environment" and language not in {"sh", "bash"}:
            raise DocsFormatError(f"{page}:{index + 1}: an environment block must be `sh`")
        if directive == "skip" and not reason:
            raise DocsFormatError(f"{page}:{index}: `docs-test: skip` needs a reason")
        blocks.append(
            Block(
                page=page,
                line=index + 2,
                language=language,
                code=textwrap.dedent("\n".join(body)) + "\n",
                directive=directive,
                reason=reason,
            )
        )
        index = end + 1
    return blocks


def _directive_before(lines: list[str], index: int, page: str) -> tuple[str, str]:
    previous = index - 1
    while previous >= 0 and not lines[previous].strip():
        previous -= 1
    if previous < 0:
        return "", ""
    found = _DIRECTIVE.match(lines[previous])
    if found is None:
        if "docs-test" in lines[previous]:
            raise DocsFormatError(f"{page}:{previous + 1}: malformed docs-test directive")
        return "", ""
    kind = found["kind"]
    if kind not in {"skip", "environment"}:
        raise DocsFormatError(f"{page}:{previous + 1}: unknown docs-test directive {kind!r}")
    return kind, found["arg"].strip().strip("()").strip()
