"""Maintainer tooling for the collection: regenerate notebook outputs, record and synthesize recordings,
rewrite badges, estimate the cost of a live run. Not imported by any notebook (`python -m devtools --help`)."""
