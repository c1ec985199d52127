"""Vehicle identity decoding: the VIN (ISO 3779, 49 CFR 565) and its manufacturer and country tables."""
