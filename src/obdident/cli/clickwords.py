"""The words of the click that typer carries inside it (``typer._click``), in the owner's language.

typer (0.2x) brings its own copy of click, whose words are English literals, not gettext calls: "Usage: ",
"Show this message and exit.", "Error: ...", "Try '... --help' for help.", "No such option: ...". typer's
own words (the "Options", "Commands", "Arguments" headings, "default: ...", "required", "Aborted!", "No
such command") do go through :func:`gettext.gettext` (the ``messages`` domain, see
:func:`obdident.i18n.install_click`). This module says the literal ones through our catalogue: the usage
prefix in :class:`LangFormatter`, the help option's help, and a usage error's lines (:func:`show_error`),
whose English message is matched against :data:`_MESSAGES` (a message none matches is shown as click made
it).
"""

from __future__ import annotations

import re
from typing import IO, Any

from typer._click.exceptions import ClickException, UsageError
from typer._click.formatting import HelpFormatter
from typer._click.utils import echo

from obdident.i18n import N_, T, Text, _, current_language

__all__ = ["HELP_OPTION", "LangFormatter", "click_message", "show_error"]

#: The help of ``--help``.
HELP_OPTION = N_("Show this message and exit.")

#: click's and typer's English error messages, as patterns with named groups, and their message ids.
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), msgid)
    for pattern, msgid in (
        (
            r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.*)\)",
            N_("No such option: {name} (Possible options: {options})"),
        ),
        (r"No such option: (?P<name>\S+)", N_("No such option: {name}")),
        (
            r"No such command (?P<name>.+)\. Did you mean (?P<options>.*)\?",
            N_("No such command {name}. Did you mean {options}?"),
        ),
        (r"No such command (?P<name>.+)\.", N_("No such command {name}.")),
        (r"Missing command\.", N_("Missing command.")),
        (r"Missing option (?P<name>.+)\.", N_("Missing option {name}.")),
        (r"Missing argument (?P<name>.+)\.", N_("Missing argument {name}.")),
        (r"Missing parameter: (?P<name>.+)", N_("Missing parameter: {name}")),
        (r"Option (?P<name>'.+') requires an argument\.", N_("Option {name} requires an argument.")),
        (r"Option (?P<name>'.+') does not take a value\.", N_("Option {name} does not take a value.")),
        (r"Got unexpected extra arguments? \((?P<args>.*)\)", N_("Got unexpected extra argument ({args})")),
        (r"Invalid value for (?P<name>.+?): (?P<message>.*)", N_("Invalid value for {name}: {message}")),
        (r"Invalid value: (?P<message>.*)", N_("Invalid value: {message}")),
        (r"(?P<value>.+) is not in the range (?P<range>\S+)\.?", N_("{value} is not in the range {range}.")),
        (r"(?P<value>'.*') is not a valid integer\.", N_("{value} is not a valid integer.")),
        (r"(?P<value>'.*') is not a valid float\.", N_("{value} is not a valid number.")),
        (r"(?:file|dir|path) (?P<path>'.*') does not exist\.", N_("{path} does not exist.")),
        (r"(?:file|dir|path) (?P<path>'.*') is a directory\.", N_("{path} is a directory.")),
        (r"(?:file|dir|path) (?P<path>'.*') is a file\.", N_("{path} is a file.")),
        (r"(?:file|dir|path) (?P<path>'.*') is not readable\.", N_("{path} is not readable.")),
        (r"Input should be a valid integer.*", N_("a whole number is needed.")),
        (r"Input should be a valid number.*", N_("a number is needed.")),
        (r"Input should be greater than or equal to (?P<min>\S+)", N_("it must be at least {min}.")),
        (r"Input should be less than or equal to (?P<max>\S+)", N_("it must be at most {max}.")),
    )
)


def click_message(message: str) -> str:
    """click's (or typer's) English ``message`` in the current language: the first of :data:`_MESSAGES`
    that matches it whole, its parts translated too (an "Invalid value" holds another message); else the
    message as it is (and in English, click's own words)."""
    if current_language() == "en":
        return message
    for pattern, msgid in _MESSAGES:
        match = pattern.fullmatch(message.strip())
        if match:
            params = {k: (click_message(v) if k == "message" else v) for k, v in match.groupdict().items()}
            return Text(msgid, params).render()
    return message


def show_error(exc: ClickException, file: IO[Any] | None = None) -> None:
    """What ``exc.show()`` prints (the usage, the hint, ``Error: ...``), in the current language."""
    color = None
    if isinstance(exc, UsageError) and exc.ctx is not None:
        ctx = exc.ctx
        color = ctx.color
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = (
                T(
                    "Try '{command} {option}' for help.",
                    command=ctx.command_path,
                    option=ctx.help_option_names[0],
                ).render()
                + "\n"
            )
        echo(f"{ctx.get_usage()}\n{hint}", file=file, err=file is None, color=color)
    said = T("Error: {message}", message=click_message(exc.format_message())).render()
    echo(said, file=file, err=file is None, color=color)


class LangFormatter(HelpFormatter):
    """click's help formatter with its usage prefix in the current language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, f"{_('Usage:')} " if prefix is None else prefix)
