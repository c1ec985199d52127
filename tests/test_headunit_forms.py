"""The forms of head-unit identifiers an owner types in: accepted, normalised and named; refused otherwise."""

from __future__ import annotations

import pytest

from obdident.errors import ExitCode
from obdident.model import EnteredField
from obdident.vehicles.headunit_forms import (
    EnteredValueError,
    accepted_forms,
    check_entered,
    comparable,
    nissan_part_kind,
)


@pytest.mark.parametrize(
    ("field", "text", "value", "form"),
    [
        ("part_number", "259155fa1a", "25915-5FA1A", "nissan-part-number"),
        ("part_number", "28185-BH20A", "28185-BH20A", "nissan-part-number"),
        ("part_number", " 284b2-br02a ", "284B2-BR02A", "nissan-part-number"),
        ("part_number", "3ZL7B", "3ZL7B", "other"),
        ("part_number", "8200 123 456", "8200 123 456", "other"),
        ("serial_number", "BP123456789012", "BP123456789012", "bosch-blaupunkt-serial"),
        ("serial_number", "bp 1234 5678-9012", "BP123456789012", "bosch-blaupunkt-serial"),
        ("serial_number", "cn1234567", "CN1234567", "other"),
        ("serial_number", "NCA  12\t34", "NCA 12 34", "other"),
        ("part_number", "28185 4ea0a", "28185-4EA0A", "nissan-part-number"),  # a space for the dash
        ("part_number", "2591A-5FA0B", "2591A-5FA0B", "nissan-part-number"),  # Bosch-built (Micra K14)
        ("serial_number", "815BP312345678901", "BP312345678901", "bosch-blaupunkt-serial"),  # as labels print
        ("serial_number", "815 BP 3123 4567 8901", "BP312345678901", "bosch-blaupunkt-serial"),
        ("serial_number", "815CM12345678", "CM12345678", "other"),
        ("software_version", "7.8.24.136", "7.8.24.136", "version"),
        ("software_version", "d302", "D302", "version"),
        ("hardware_version", "031", "031", "version"),
        ("hardware_version", "LCN1 E604", "LCN1 E604", "version"),
    ],
)
def test_accepted_forms_are_normalised_and_named(
    field: EnteredField, text: str, value: str, form: str
) -> None:
    entered = check_entered(field, text)
    assert (entered.field, entered.value, entered.form) == (field, value, form)
    assert entered.provenance == "entered by the owner"


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("part_number", "<b>x</b>"),
        ("serial_number", "<script>alert(1)</script>"),
        ("part_number", "25915_5FA1A"),
        ("part_number", "=HYPERLINK(1)"),
        ("serial_number", "ABC"),  # under 4 characters
        ("serial_number", "A" * 33),  # over 32
        ("serial_number", "BP12\x1b[31m34"),
        ("serial_number", "BP\u0661\u0662\u0663\u0664"),  # Arabic-Indic digits are not 0-9
        ("serial_number", "\uff22\uff30\uff11\uff12\uff13\uff14"),  # full-width BP1234
        ("software_version", ""),
        ("hardware_version", "   "),
        ("part_number", "-25915"),
        ("software_version", "1.0;DROP"),
    ],
)
def test_refused_forms_name_the_accepted_ones(field: EnteredField, text: str) -> None:
    with pytest.raises(EnteredValueError) as caught:
        check_entered(field, text)
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.hint is not None and accepted_forms(field) in caught.value.hint
    assert "\x1b" not in str(caught.value)  # shown with repr: the escape is not sent to the terminal


def test_accepted_forms_per_field() -> None:
    assert "Nissan part number" in accepted_forms("part_number")
    assert "BP and 12 digits" in accepted_forms("serial_number")
    assert "Nissan" not in accepted_forms("serial_number")
    assert "'.'" in accepted_forms("software_version")


def test_comparison_and_kind() -> None:
    assert comparable("25915-5fa1a") == comparable("259155FA1A")
    assert nissan_part_kind("25915-5FA1A") == "navigation"
    assert nissan_part_kind("28185BH20A") == "audio"
    assert nissan_part_kind("23710-9HE2B") is None


@pytest.mark.parametrize(
    ("field", "text", "reason", "expected"),
    [
        ("serial_number", "BP12345", "5 digits after BP", "BP and 12 digits"),
        ("serial_number", "815BP3123456789012", "13 digits after BP", "BP and 12 digits"),
        ("part_number", "BP312345678901", "this looks like a serial number", "5 + 5 characters"),
        ("part_number", "815BP312345678901", "this looks like a serial number", "5 + 5 characters"),
        ("serial_number", "28185 4ea0a", "this looks like a part number", "BP and 12 digits"),
        ("serial_number", "25915-5FA1A", "this looks like a part number", "BP and 12 digits"),
    ],
)
def test_a_value_of_the_other_field_or_a_wrong_bp_serial_is_refused_naming_the_form(
    field: EnteredField, text: str, reason: str, expected: str
) -> None:
    with pytest.raises(EnteredValueError) as caught:
        check_entered(field, text)
    assert reason in str(caught.value) and reason in (caught.value.reason or "")
    assert expected in (caught.value.hint or "") and caught.value.exit_code == ExitCode.USAGE


def test_no_form_name_reaches_the_owner_an_unusual_form_is_said_in_words() -> None:
    from obdident.vehicles.headunit_forms import form_note

    assert form_note(check_entered("part_number", "3ZL7B").form) == "unusual form: check the label"
    assert form_note(check_entered("part_number", "25915-5FA1A").form) is None


def test_owner_outputs_say_unusual_form_and_never_a_form_name() -> None:
    import io

    from rich.console import Console

    import obdident
    from obdident.cli.show import render_dealer
    from obdident.report.entered import add_entered
    from obdident.report.html import render_html
    from obdident.report.request import request_text
    from obdident.report.text import render

    values = [check_entered("part_number", "3ZL7B"), check_entered("serial_number", "815BP312345678901")]
    report = add_entered(obdident.scan("sim://nissan-qashqai-j10"), values)
    out = io.StringIO()
    console = Console(file=out, width=200, highlight=False)
    render(report, console)
    render_dealer(report, console, "scan.json")
    page = render_html(report)
    assert "unusual form: check the label" in out.getvalue() and "unusual form: check the label" in page
    for shown in (out.getvalue(), page, request_text(report)):
        for name in ("nissan-part-number", "bosch-blaupunkt-serial", "(other", "; other", "form other"):
            assert name not in shown
        assert "BP312345678901" in shown
