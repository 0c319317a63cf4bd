"""Imports from other comment systems and from this service's own backup.

One module per format reads its file into records (records.py), knowing nothing of the
database; the store step (store.py) is the one place that writes them.
"""
