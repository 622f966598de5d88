"""Reads of the pages, each starting from `core.access.restrict` for the user."""
