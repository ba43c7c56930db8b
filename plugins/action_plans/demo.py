"""Demo action plans: filled in by load_demo (see the plugin's hooks)."""


def load() -> None:
    return None
