"""The ELM327 driver: line parsing, ISO-TP reassembly and the guarded command dialogue."""
