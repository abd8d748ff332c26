"""``python -m scrapers.snapshot serve ...``: same as the ``pfd-snapshot`` console script."""

from scrapers.snapshot.server import main

if __name__ == "__main__":
    raise SystemExit(main())
