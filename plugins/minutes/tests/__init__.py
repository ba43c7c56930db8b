"""The tests of the meeting minutes: ``pytest plugins/minutes``."""
