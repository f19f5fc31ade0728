"""`kiosk content check` refuses javascript:/file: links in every Markdown form (issue 11).

Each case writes the attack into a copy of the bundled pack and runs the real command.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.content_check import unsafe_links
from tests.conftest import ROOT

PACK = ROOT / "resources" / "courses" / "safeguarding-children"


def _first_section(pack: Path) -> Path:
    return sorted((pack / "sections").glob("*.md"))[0]


@pytest.mark.parametrize("attack", [
    "Read [the policy][p].\n\n[p]: javascript:alert(1)\n",
    "Read [the policy][p].\n\n[p]: <file:///C:/Windows/System32/cmd.exe>\n",
    "Open <file:///C:/Windows/System32/cmd.exe> now.\n",
    "Open <javascript:alert(1)> now.\n",
    "Click <a\nhref=\"javascript:alert(1)\">here</a>.\n",
    "Click [here](\n  javascript:alert(1)).\n",
    "Click [here](JaVaScRiPt:alert(1)).\n",
    "Click [here](<file:///etc/passwd>).\n",
    "See [x](vbscript:msgbox) and data:text/html,hi.\n",
])
def test_content_check_refuses_dangerous_links_in_every_form(tmp_path, run_kiosk, attack):
    pack = tmp_path / "courses" / "safeguarding-children"
    shutil.copytree(PACK, pack)
    section = _first_section(pack)
    section.write_text(section.read_text(encoding="utf-8") + "\n" + attack, encoding="utf-8")
    result = run_kiosk("content", "check", str(tmp_path / "courses"))
    assert result.returncode == 1, result.stdout
    assert f"sections/{section.name}:" in result.stdout
    assert "not allowed" in result.stdout


def test_schemes_shown_as_code_and_prose_are_not_links():
    text = "Type `javascript:void` to see.\n\n```\n<file:///x>\n```\nKeep notes on file: yes.\n"
    assert unsafe_links(text) == []
    assert unsafe_links("ok [a](https://example.org) <mailto:a@b.org> <tel:0123>\n") == []


def test_line_numbers_point_at_the_attack():
    text = "line one\n\n[p]: javascript:alert(1)\n"
    assert [n for n, _ in unsafe_links(text)] == [3]
