"""Pure parsers for the files the ledger imports: registries, sample data, sanctions lists."""
