"""Freedom Ledger: a sourced, audited record of political imprisonment and the deals that end it."""

__version__ = "0.1.0"
