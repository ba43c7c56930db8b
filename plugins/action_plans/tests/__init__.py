"""The tests of the action plans: ``pytest plugins/action_plans``."""
