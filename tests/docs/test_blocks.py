"""The docs-example runner itself: what it collects, what a page may declare, and that a
failing example is reported with its page and line."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from tests.docs.blocks import ROOT, Block, DocsFormatError, parse

PAGE = """# A page

??? note "Setup"
    <!-- docs-test: environment -->
    ```sh
    export GREETING=hello  # a comment
    export TARGET=http://127.0.0.1:8080/x
    ```

```python
import os

word = os.environ["GREETING"]
```

<!-- docs-test: skip (a fragment) -->
```python
MIDDLEWARE = [..., undefined_name]
```

```
a diagram
```

=== "Tab"

    ```python
    assert word == "hello"
    assert os.environ["TARGET"] == "http://server.test/x"
    ```
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page.md"
    path.write_text(text)
    return path


def _run(blocks: list[Block]) -> subprocess.CompletedProcess[str]:
    request = {"server": "http://server.test", "blocks": [asdict(b) for b in blocks]}
    return subprocess.run(
        [sys.executable, "-m", "tests.docs.run_page"],
        input=json.dumps(request),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_blocks_directives_and_indented_fences(tmp_path: Path) -> None:
    blocks = parse(_write(tmp_path, PAGE))
    assert [(b.language, b.directive, b.runs) for b in blocks] == [
        ("sh", "environment", False),
        ("python", "", True),
        ("python", "skip", False),
        ("text", "", False),
        ("python", "", True),
    ]
    assert blocks[0].environment() == {
        "GREETING": "hello",
        "TARGET": "http://127.0.0.1:8080/x",
    }
    assert blocks[2].reason == "a fragment"
    assert blocks[4].code.startswith("assert word")  # dedented out of the tab
    assert blocks[1].line == 11


def test_a_page_runs_in_order_with_its_environment(tmp_path: Path) -> None:
    blocks = [b for b in parse(_write(tmp_path, PAGE)) if b.runs or b.directive]
    blocks = [b for b in blocks if b.directive != "skip"]
    result = _run(blocks)
    assert result.returncode == 0, result.stderr


def test_a_failure_names_the_page_and_line(tmp_path: Path) -> None:
    text = "# Page\n\n```python\nx = 1\n```\n\n```python\nx = 2\ny = undefined_name\n```\n"
    blocks = parse(_write(tmp_path, text))
    result = _run(blocks)
    assert result.returncode == 1
    page = (tmp_path / "page.md").as_posix()
    assert f"docs example failed: {page}:8 (block 2 of 2" in result.stderr
    assert f'File "{page}", line 9' in result.stderr  # the page's own line numbers
    assert "NameError" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("```python\nx = 1\n", "never closed"),
        ("<!-- docs-test: skip -->\n```python\nx = 1\n```\n", "needs a reason"),
        ("<!-- docs-test: setup -->\n```python\nx = 1\n```\n", "unknown docs-test directive"),
        ("<!-- docs-test: environment -->\n```python\nx = 1\n```\n", "must be `sh`"),
        ("<!-- docs-test: environment -->\n```sh\nrm -rf x\n```\n", None),
    ],
)
def test_malformed_pages_are_refused(tmp_path: Path, text: str, message: str | None) -> None:
    path = _write(tmp_path, text)
    if message is None:  # an environment block may only export
        with pytest.raises(DocsFormatError, match="only exports"):
            parse(path)[0].environment()
        return
    with pytest.raises(DocsFormatError, match=message):
        parse(path)
