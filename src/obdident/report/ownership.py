"""The proof of ownership the dealer's letter names, by country (issue 19 point 3).

A dealer asks the owner for the vehicle's registration document; each country calls it by its own name. The
letter names the document of the dealer's country as a proper name (data, never translated), inside a
sentence in the letter's language: ``V5C`` in the United Kingdom, ``Zulassungsbescheinigung Teil I`` in
Germany. The country is ``--country`` (ISO 3166-1 alpha-2) or, without it, the letter's language's
country (:data:`LANGUAGE_COUNTRY`); English names no country, so an English letter says "vehicle
registration document" unless the country is ``GB``.

Each entry of :data:`DOCUMENTS` names its source: the national authority's page or the law that names the
document.
"""

# ruff: noqa: RUF001 - the documents' names are Russian and Ukrainian words
from __future__ import annotations

from dataclasses import dataclass

from obdident.i18n import N_

__all__ = ["DOCUMENTS", "GENERIC", "LANGUAGE_COUNTRY", "Document", "country_of", "document_for"]


@dataclass(frozen=True)
class Document:
    """A country's vehicle registration document.

    Attributes:
        country: ISO 3166-1 alpha-2 code (``GB``).
        name: the document's name as the country's authority writes it (a proper name: shown as it is).
        source: the national authority's page or the law that names it.
    """

    country: str
    name: str
    source: str


#: The registration document by country (ISO 3166-1 alpha-2).
DOCUMENTS: dict[str, Document] = {
    d.country: d
    for d in (
        Document("GB", "V5C (vehicle log book)", "GOV.UK (DVLA): Get a vehicle log book (V5C)"),
        Document(
            "DE",
            "Zulassungsbescheinigung Teil I",
            "Fahrzeug-Zulassungsverordnung (FZV), § 11 Zulassungsbescheinigung Teil I",
        ),
        Document(
            "FR",
            "certificat d'immatriculation (carte grise)",
            "service-public.fr: Carte grise (certificat d'immatriculation)",
        ),
        Document(
            "RU",
            "СТС (свидетельство о регистрации ТС)",
            "Федеральный закон от 03.08.2018 № 283-ФЗ «О государственной регистрации транспортных средств "
            "в Российской Федерации»",
        ),
        Document(
            "UA",
            "свідоцтво про реєстрацію ТЗ",
            "Постанова Кабінету Міністрів України від 7 вересня 1998 р. № 1388 (Порядок державної "
            "реєстрації транспортних засобів)",
        ),
        Document(
            "ES",
            "permiso de circulación",
            "Dirección General de Tráfico (DGT); Reglamento General de Vehículos (Real Decreto 2822/1998)",
        ),
        Document(
            "IT",
            "carta di circolazione / documento unico",
            "Decreto legislativo 29 maggio 2017, n. 98 (documento unico di circolazione e di proprietà)",
        ),
        Document(
            "PL",
            "dowód rejestracyjny",
            "Ustawa z dnia 20 czerwca 1997 r. Prawo o ruchu drogowym (dowód rejestracyjny)",
        ),
    )
}

#: The country a letter's language stands for when no ``--country`` is given (English: none).
LANGUAGE_COUNTRY: dict[str, str] = {
    "de": "DE",
    "fr": "FR",
    "ru": "RU",
    "uk": "UA",
    "es": "ES",
    "it": "IT",
    "pl": "PL",
}

#: The document's name where the country has no entry (translated in the letter's language).
GENERIC = N_("vehicle registration document")


def country_of(country: str | None, language: str) -> str | None:
    """The letter's country: ``country`` upper-cased (``UK`` is taken as ``GB``), else the language's
    (:data:`LANGUAGE_COUNTRY`), else None."""
    if country:
        code = country.strip().upper()
        return "GB" if code == "UK" else code
    return LANGUAGE_COUNTRY.get(language)


def document_for(country: str | None, language: str) -> Document | None:
    """The registration document the letter names (:data:`DOCUMENTS`), or None for the generic words
    (:data:`GENERIC`)."""
    code = country_of(country, language)
    return DOCUMENTS.get(code) if code else None
