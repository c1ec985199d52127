"""The renderers of a report: terminal, JSON loading, printable HTML, QR, CSV, request text, redaction."""
