"""Every command and option of the CLI is in ``llmflation --help`` and in the README's "Command line" block.

The parser is the truth; ``cli.COMMANDS`` (the ``--help`` epilog) and README.md are checked against it,
so an option added to the parser without its synopsis fails here, naming the command and the option.
``tests/integration/test_readme.py`` checks the other way: every option the README names exists.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from llmflation.cli import build_parser

README = Path(__file__).resolve().parents[2] / "README.md"


def commands_and_options(parser: argparse.ArgumentParser) -> dict[str, list[str]]:
    """``{command: its options}`` (the long form where there is one); the program's own options under ``""``."""
    def options(p: argparse.ArgumentParser) -> list[str]:
        found = []
        for action in p._actions:
            strings = [s for s in action.option_strings if s not in ("-h", "--help")]
            if strings:
                found.append(next((s for s in strings if s.startswith("--")), strings[0]))
        return found

    out = {"": options(parser)}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            out.update({name: options(sub) for name, sub in action.choices.items()})
    return out


def synopsis(text: str, command: str) -> str | None:
    """The synopsis of ``command`` in ``text``: its ``llmflation <command>`` line and the lines that continue it."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if re.match(rf"\s*llmflation {re.escape(command)}(\s|$)", line):
            chunk = [line]
            for following in lines[index + 1:]:
                if not following.strip() or re.match(r"\s*(llmflation |```)", following):
                    break
                chunk.append(following)
            return "\n".join(chunk)
    return None


def missing(text: str, parser: argparse.ArgumentParser) -> list[str]:
    """``"command"`` or ``"command --option"`` for each command or option ``text`` does not show."""
    gaps = []
    for command, options in commands_and_options(parser).items():
        where = text if command == "" else synopsis(text, command)
        if where is None:
            gaps.append(command)
            continue
        gaps += [f"{command} {option}".strip() for option in options
                 if not re.search(re.escape(option) + r"(?![\w-])", where)]
    return gaps


def readme_command_line() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Command line")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def test_help_shows_every_command_and_option() -> None:
    parser = build_parser()
    assert missing(parser.format_help(), parser) == []


def test_readme_shows_every_command_and_option() -> None:
    assert missing(readme_command_line(), build_parser()) == []


def test_a_command_or_option_left_out_is_named() -> None:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            action.choices["build"].add_argument("--dry-run-twice", action="store_true")
            action.add_parser("newcommand")
    help_text = parser.format_help()
    assert missing(help_text, parser) == ["build --dry-run-twice", "newcommand"]
    assert missing("llmflation build [--no-publish]", build_parser())[:2] == ["--verbose", "run"]
