"""The tests of the budget: ``pytest plugins/budget``."""
