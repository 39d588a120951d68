"""Every code example in README.md and docs/ runs as written against the real Keycloak.

One test per page: its `python` blocks run in order in a fresh Python process (see
tests/docs/blocks.py for what a page may declare). Examples are written against
http://127.0.0.1:8080 and the test realm `sdk-test`; the runner points that address at the
test session's Keycloak. A failure names the page, the block's line and the traceback, whose
line numbers are the page's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import asdict

import pytest

from tests.docs.blocks import (
    NOT_RUN_LANGUAGES,
    ROOT,
    RUN_LANGUAGES,
    Block,
    DocsFormatError,
    pages,
    parse,
)
from tests.helpers.keycloak import RunningKeycloak


def _collect() -> tuple[list[Block], list[str]]:
    blocks: list[Block] = []
    errors: list[str] = []
    for path in pages():
        try:
            blocks.extend(parse(path))
        except DocsFormatError as exc:
            errors.append(str(exc))
    return blocks, errors


ALL_BLOCKS, FORMAT_ERRORS = _collect()
PAGES_WITH_EXAMPLES = sorted({block.page for block in ALL_BLOCKS if block.runs})
# Nothing of the test session leaks into an example: it sees only what its page declares.
_HIDDEN_ENV = ("KEYCLOAK_", "DJANGO_SETTINGS_MODULE", "KC_SPI_")
PAGE_TIMEOUT = 120


def summary() -> str:
    """Counts for the terminal summary: what runs, and what is not run and why."""
    run = sum(block.runs for block in ALL_BLOCKS)
    skipped = Counter(block.reason for block in ALL_BLOCKS if block.directive == "skip")
    other = Counter(
        block.language
        for block in ALL_BLOCKS
        if block.language not in RUN_LANGUAGES and block.directive != "environment"
    )
    environment = sum(block.directive == "environment" for block in ALL_BLOCKS)
    parts = [f"{run} Python blocks run on {len(PAGES_WITH_EXAMPLES)} pages"]
    parts.append(f"{environment} environment blocks applied")
    parts.append(
        f"{sum(skipped.values())} Python blocks marked not runnable "
        f"({' | '.join(f'{n} x {why}' for why, n in sorted(skipped.items()))})"
    )
    parts.append(
        f"{sum(other.values())} blocks in other languages not run "
        f"({', '.join(f'{lang} {n}' for lang, n in sorted(other.items()))})"
    )
    return "docs examples: " + "; ".join(parts)


def test_every_block_is_run_or_explicitly_not_run() -> None:
    assert not FORMAT_ERRORS, "\n".join(FORMAT_ERRORS)
    for block in ALL_BLOCKS:
        if block.language in RUN_LANGUAGES:
            continue
        assert block.language in NOT_RUN_LANGUAGES, (
            f"{block.where}: a `{block.language}` block; use python (run) or one of "
            f"{sorted(NOT_RUN_LANGUAGES)} (never run)"
        )
    assert len(PAGES_WITH_EXAMPLES) >= 10, PAGES_WITH_EXAMPLES


def _page_blocks(page: str) -> list[Block]:
    return [b for b in ALL_BLOCKS if b.page == page and (b.runs or b.directive == "environment")]


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES)
def test_page_examples_run(page: str, keycloak: RunningKeycloak) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_HIDDEN_ENV)}
    request = {"server": keycloak.base_url, "blocks": [asdict(b) for b in _page_blocks(page)]}
    result = subprocess.run(
        [sys.executable, "-m", "tests.docs.run_page"],
        input=json.dumps(request),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=PAGE_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"{page}\n{result.stdout}{result.stderr}", pytrace=False)
