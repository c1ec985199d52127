"""Every problem code obdident can raise, listed once, each with its meaning.

A :class:`~obdident.model.Problem`'s ``code`` is the stable key dealer systems and tests match on; its
owner sentence is data (:class:`obdident.i18n.Text`, kept in the JSON as ``msgid`` and ``params``). This
table is the one list of codes: ``tests/test_problem_codes.py`` checks that every code the package can raise
is here and documented in the README.
"""

from __future__ import annotations

from dataclasses import dataclass

from obdident.i18n import Text

__all__ = ["PROBLEMS", "PROBLEM_DETAILS", "Problem"]

#: code -> its meaning, in English, for engineers and dealer systems (the owner's words are the Text).
PROBLEMS: dict[str, str] = {}


@dataclass(frozen=True)
class Problem:
    """Something the user should know: a missing value, a disagreement, a step that failed.

    Attributes:
        code: a stable kebab-case code (``vin-not-stored``), listed with its meaning in
            :data:`obdident.problems.PROBLEMS`.
        message: one or two sentences for a person, including what to do where there is something to do;
            it may go on after :data:`PROBLEM_DETAILS` with detail for engineers (sources, unit by unit),
            which the owner's screens leave out (:attr:`summary`) and the JSON keeps.
        response_id: the ECU concerned, or None.
        text: the owner's sentence as data (message id and parameters, :mod:`obdident.i18n`), which the
            JSON keeps as ``msgid`` and ``params`` (schema 1.3); None in older reports (the screens then show
            :attr:`summary` of the English message).
    """

    code: str
    message: str
    response_id: str | None = None
    text: Text | None = None

    @property
    def summary(self) -> str:
        """The message without its details: what the terminal, the dealer page and the window show; the
        owner sentence as data (:attr:`text`, a :class:`~obdident.i18n.Text`) where there is one."""
        if self.text is not None:
            return self.text
        return self.message.split(PROBLEM_DETAILS, 1)[0]

    @classmethod
    def of(cls, code: str, text: Text, detail: str | None = None, response_id: str | None = None) -> Problem:
        """A problem whose owner sentence is ``text`` and whose JSON ``message`` is its English rendering,
        followed by :data:`PROBLEM_DETAILS` and ``detail`` (English, for engineers) when there is one."""
        message = str(text) + (PROBLEM_DETAILS + detail if detail else "")
        return cls(code, message, response_id, text)


#: Where a problem's message turns to detail for engineers (:attr:`Problem.summary` stops before it).
PROBLEM_DETAILS = " Details: "
