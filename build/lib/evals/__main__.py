"""`python -m evals`: the same command as `mentor eval`."""

from .cli import main

if __name__ == "__main__":
    main()
