"""The apps' READMEs show the seeds' usage examples; every code block in them runs, in order, in
one namespace, as a reader would paste them into `manage.py shell`."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNNABLE_READMES = ("worklog/README.md", "catalog/README.md")
FENCED_BLOCK = re.compile(r"^```(?P<language>[^\n]*)\n(?P<code>.*?)^```$", re.DOTALL | re.MULTILINE)


def code_blocks(path: str) -> list[tuple[str, str]]:
    text = (ROOT / path).read_text()
    return [(match["language"].strip(), match["code"]) for match in FENCED_BLOCK.finditer(text)]


@pytest.mark.django_db
@pytest.mark.parametrize("path", RUNNABLE_READMES)
def test_every_code_block_of_the_readme_runs(path):
    blocks = code_blocks(path)
    assert blocks, f"{path} has no code blocks"
    namespace: dict = {}
    for number, (language, code) in enumerate(blocks, start=1):
        assert language == "python", f"{path}, block {number}: not Python, so it cannot be run"
        exec(compile(code, f"{path} (block {number})", "exec"), namespace)


def test_blocks_are_found_as_written():
    blocks = code_blocks("catalog/README.md")
    assert blocks[0][1].startswith("from decimal import Decimal\n")
    assert all(not code.endswith("```") for _language, code in blocks)
