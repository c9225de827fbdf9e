"""``python -m laokg``: the same command line as ``laokg``."""

from laokg.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
