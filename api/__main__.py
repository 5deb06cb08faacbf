"""``python -m api`` runs the ``reformkg`` command line."""

from api.cli import main

main()
