"""Pure request builders and response parsers of the diagnostic services obdident reads."""
