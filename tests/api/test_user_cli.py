"""``shouhu user``: accounts from the command line, checked against the facility file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from shouhu.cli import main
from tests.conftest import EXAMPLE


def _run(args: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(args)


def test_add_list_disable_and_refusals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ["--facility", str(EXAMPLE), "--db-url", f"sqlite:///{tmp_path}/u.db"]
    add = ["user", "add", "li.jing", "--role", "nurse", "--staff", "n-e-night", *where]
    assert _run([*add, "--password-stdin"], "a good long password\n", monkeypatch) == 0
    assert "added li.jing (nurse) to demo-home" in capsys.readouterr().out
    assert _run(["user", "list", *where], "", monkeypatch) == 0
    assert "li.jing\tnurse\tn-e-night\t李静" in capsys.readouterr().out

    again = _run([*add, "--password-stdin"], "a good long password\n", monkeypatch)
    assert again == 1 and "already an account 'li.jing'" in capsys.readouterr().err
    short = ["user", "add", "x", "--role", "manager", *where, "--password-stdin"]
    assert _run(short, "short\n", monkeypatch) == 1
    assert "at least 8 characters" in capsys.readouterr().err
    unlinked = ["user", "add", "y", "--role", "nurse", *where, "--password-stdin"]
    assert _run(unlinked, "a good long password\n", monkeypatch) == 1
    assert "needs their staff id" in capsys.readouterr().err
    wrong = ["user", "add", "z", "--role", "charge_nurse", "--staff", "n-e-night", *where]
    assert _run([*wrong, "--password-stdin"], "a good long password\n", monkeypatch) == 1
    assert "is a nurse, not a charge_nurse" in capsys.readouterr().err

    assert _run(["user", "disable", "li.jing", *where], "", monkeypatch) == 0
    capsys.readouterr()
    assert _run(["user", "list", *where], "", monkeypatch) == 0
    assert "(disabled)" in capsys.readouterr().out
