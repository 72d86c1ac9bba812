"""Order books: pure state machines fed with wire text, verified by Kraken's CRC32 checksum."""
