"""The options that choose the dealer's letter's language and country (``report --request``).

``--letter-lang`` is the letter's language when it differs from the screen's (``--lang``): an owner abroad
writes to a local dealer. ``--country`` (ISO 3166-1 alpha-2) names the proof of ownership the letter asks
for (:mod:`obdident.report.ownership`); without it, the letter's language's country.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated

import typer

from obdident.cli.console import fail
from obdident.errors import ObdidentError
from obdident.i18n import LANGUAGES, N_, T, normalise_language

if TYPE_CHECKING:
    from rich.console import Console

    from obdident.model import Report

__all__ = ["CountryOption", "LetterLangOption", "check_country", "check_letter_lang", "print_request"]


def check_letter_lang(value: str | None) -> str | None:
    """``--letter-lang``'s value as a language code (``de_DE`` -> ``de``), or None.

    Raises:
        typer.BadParameter: not a language obdident speaks (exit code 2).
    """
    if value is None:
        return None
    code = normalise_language(value)
    if code is None:
        raise typer.BadParameter(
            T(
                "{value}: choose one of {languages}", value=repr(value), languages=", ".join(LANGUAGES)
            ).render()
        )
    return code


def check_country(value: str | None) -> str | None:
    """``--country``'s value upper-cased (``gb`` -> ``GB``), or None.

    Raises:
        typer.BadParameter: not two letters (ISO 3166-1 alpha-2; exit code 2).
    """
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise typer.BadParameter(
            T(
                "{value}: give the country's two-letter code (GB, DE, FR, RU, UA ...)", value=repr(value)
            ).render()
        )
    return value.strip().upper()


LetterLangOption = Annotated[
    str | None,
    typer.Option(
        "--letter-lang",
        metavar="LANG",
        callback=check_letter_lang,
        help=N_(
            "The language of the dealer's letter (--request), when it is not the screen's: "
            "en, ru, uk, de, fr, es, it, pl."
        ),
    ),
]

CountryOption = Annotated[
    str | None,
    typer.Option(
        "--country",
        metavar="CC",
        callback=check_country,
        help=N_(
            "The dealer's country (two letters: GB, DE, FR ...): the letter names its registration "
            "document as the proof of ownership. Without it: the letter's language's country."
        ),
    ),
]


def print_request(err: Console, report: Report, language: str | None, country: str | None) -> None:
    """Print the letter (``report --request``) on stdout in ``language`` for ``country``; a stdout that
    cannot be written ends the command with the one-line error (:func:`obdident.cli.console.fail`)."""
    from obdident.report.outputs import STDOUT, write_text
    from obdident.report.request import request_text

    try:
        write_text(request_text(report, language=language, country=country), STDOUT)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        fail(err, ObdidentError(T("cannot write the request text to stdout: {reason}", reason=reason)))
