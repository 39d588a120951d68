"""Run one page's examples in this fresh process: `python -m tests.docs.run_page < blocks.json`.

Input: {"server": base URL of the test Keycloak, "blocks": [{"page", "line", "kind", "code"}]}.
Each block is compiled under the page's file name with its Markdown line numbers, so a
traceback points at the page and line. Top-level `await` works as in `python -m asyncio`.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import os
import sys
import traceback
from typing import Any

from tests.docs.blocks import DOCS_SERVER, Block


def run(server: str, blocks: list[Block]) -> int:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for number, block in enumerate(blocks, start=1):
        label = f"{block.where} (block {number} of {len(blocks)} run on this page)"
        try:
            if block.directive == "environment":
                env = block.environment()
                os.environ.update({k: v.replace(DOCS_SERVER, server) for k, v in env.items()})
                continue
            source = "\n" * (block.line - 1) + block.code.replace(DOCS_SERVER, server)
            code = compile(source, block.page, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            result = eval(code, namespace)  # noqa: S307 - the documentation's own examples
            if inspect.iscoroutine(result):
                asyncio.run(result)
        except BaseException:
            print(f"docs example failed: {label}", file=sys.stderr)
            traceback.print_exc()
            return 1
        print(f"ok {label}")
    return 0


def main() -> int:
    request = json.load(sys.stdin)
    blocks = [Block(**raw) for raw in request["blocks"]]
    return run(request["server"], blocks)


if __name__ == "__main__":
    raise SystemExit(main())
