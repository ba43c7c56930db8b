"""The tests of the good-practice portfolio: ``pytest plugins/portfolio``."""
