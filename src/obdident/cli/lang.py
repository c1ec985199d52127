"""The command's language: ``--lang`` on every command, chosen before click parses a word.

click and typer translate their own words (Usage, Error, "No such option", option help) while they parse,
so the language is decided first: :class:`LangGroup` (the ``obdident`` group) reads ``--lang X`` /
``--lang=X`` from the arguments wherever they stand (``obdident --lang de scan``, ``obdident scan --lang
de``), else ``OBDIDENT_LANG``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (:func:`obdident.i18n.choose_language`),
speaks it (:func:`obdident.i18n.set_language`, :func:`obdident.i18n.install_click`), translates the help
texts of every command and option (written with ``N_()`` where they are defined), then parses as usual.
"""

from __future__ import annotations

import copy
import gettext
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from typer._click.core import Command, Context
from typer._click.exceptions import ClickException, UsageError
from typer._click.utils import echo
from typer.core import TyperCommand, TyperGroup
from typer.core import TyperOption as Option

from obdident.cli.clickwords import HELP_OPTION, LangFormatter, show_error
from obdident.errors import ExitCode
from obdident.i18n import LANGUAGES, N_, T, _, choose_language, install_click, set_language

__all__ = ["LANG_HELP", "LangCommand", "LangGroup", "lang_argument", "speak", "translate_help"]

#: The help of ``--lang`` (on every command).
LANG_HELP = N_(
    "The language to speak: en, ru, uk, de, fr, es, it, pl. Without it: OBDIDENT_LANG, then LC_ALL, "
    "LC_MESSAGES, LANG."
)

#: typer's own words made when :mod:`typer.rich_utils` is imported (its help panels), by module constant.
_TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "DEPRECATED_STRING": "(deprecated) ",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
}


def lang_argument(args: Sequence[str]) -> str | None:
    """The value of the last ``--lang X`` or ``--lang=X`` in ``args`` (before a ``--``), or None."""
    found: str | None = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--lang="):
            found = arg.partition("=")[2]
    return found


def speak(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    """Choose the language (``option``, then the environment), speak it here and in click's and typer's
    words, and return it.

    Raises:
        UsageError: ``option`` names no language obdident has (the message lists them).
    """
    try:
        language = choose_language(option, environ)
    except ValueError:
        speak(None, environ)  # the error in the environment's language
        raise UsageError(
            T(
                "--lang {value} is not a language obdident speaks; choose one of: {languages}",
                value=repr(option),
                languages=", ".join(LANGUAGES),
            ).render()
        ) from None
    set_language(language)
    install_click(language)
    _typer_words()
    return language


def _typer_words() -> None:
    """typer's help-panel words are module constants evaluated at import: say them again now."""
    module = sys.modules.get("typer.rich_utils")
    if module is not None:
        for name, english in _TYPER_WORDS.items():
            setattr(module, name, gettext.gettext(english))


def _translated(obj: Any, name: str) -> None:
    """Set ``obj.<name>`` to its message id (kept on first sight) in the current language."""
    kept = f"_obdident_{name}"
    if not hasattr(obj, kept):
        setattr(obj, kept, getattr(obj, name, None))
    msgid = getattr(obj, kept)
    if isinstance(msgid, str) and msgid:
        setattr(obj, name, _(msgid))


def _lang_option(group: Command) -> Option | None:
    """The group's own ``--lang`` option (declared on the app's callback), to give every command a copy."""
    return next((p for p in group.params if isinstance(p, Option) and "--lang" in p.opts), None)


def translate_help(command: Command, lang: Option | None = None) -> None:
    """Give ``command`` and its subcommands the group's ``--lang`` option, and their help texts (command,
    options, arguments) in the current language."""
    lang = lang or _lang_option(command)
    if lang is not None and _lang_option(command) is None:
        command.params.insert(0, copy.copy(lang))
    for name in ("help", "short_help", "epilog"):
        _translated(command, name)
    for param in command.params:
        _translated(param, "help")
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            translate_help(sub, lang)


class _LangContext(Context):
    formatter_class = LangFormatter


def _speaking(exc: ClickException) -> ClickException:
    """``exc`` made to show itself in the current language (:func:`obdident.cli.clickwords.show_error`)."""
    exc.show = lambda file=None: show_error(exc, file)  # type: ignore[method-assign]
    return exc


class _HelpOptionInLanguage:
    """``--help``'s own help in the current language (click's is an English literal)."""

    def get_help_option(self, ctx: Context) -> Option | None:
        option: Option | None = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = _(HELP_OPTION)
        return option


class LangCommand(_HelpOptionInLanguage, TyperCommand):
    """A command whose help (usage prefix, ``--help``) speaks the current language."""

    context_class = _LangContext


class LangGroup(_HelpOptionInLanguage, TyperGroup):
    """The ``obdident`` group: speaks the chosen language before it parses (see the module's docstring)."""

    context_class = _LangContext

    def make_context(self, *args: Any, **kwargs: Any) -> Context:
        try:
            return super().make_context(*args, **kwargs)
        except ClickException as exc:
            raise _speaking(exc) from exc.__cause__

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClickException as exc:
            raise _speaking(exc) from exc.__cause__

    def main(self, args: Sequence[str] | None = None, *more: Any, **kwargs: Any) -> Any:
        words = list(sys.argv[1:] if args is None else args)
        try:
            speak(lang_argument(words))
        except UsageError as exc:
            echo(T("Error: {message}", message=exc.format_message()).render(), err=True)
            sys.exit(ExitCode.USAGE)
        translate_help(self)
        return super().main(words, *more, **kwargs)
