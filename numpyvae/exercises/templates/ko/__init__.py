"""The skeletons in Korean (see ``templates/__init__.py``)."""
