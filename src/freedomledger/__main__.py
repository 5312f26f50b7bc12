"""`python -m freedomledger` is the `freedomledger` command."""

from freedomledger.cli import main

if __name__ == "__main__":  # not when a spawned server process imports this module again
    main()
