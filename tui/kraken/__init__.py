"""The protocol layer: Kraken v2 message shapes, exact numbers, checksums, signing. Pure: no I/O."""
