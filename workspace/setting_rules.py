"""What a plugin's ``Setting`` declarations must be: checked when the plugin loads,
so a mistake stops the app at start-up rather than on a coordinator's settings page.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel.speaklater import LazyString

from .forms import StrippedForm
from .hookspecs import SETTING_KINDS, SETTING_TEXT_MAX, PluginInfo, Setting


class SettingError(ValueError):
    """A plugin declares a setting that cannot work; the message says which and why."""


# Names a setting cannot take: they are the settings form's own attributes and fields.
RESERVED_SETTING_NAMES = frozenset(dir(StrippedForm)) | {
    "meta",
    "form_errors",
    "csrf_token",
    "base",
}


def _setting_problem(setting: Setting) -> str | None:
    """What is wrong with one ``Setting`` declaration (other than its name), or None."""
    # A label or help may be lazy (``lazy_gettext``): translated where it is shown.
    if not isinstance(setting.label, str | LazyString) or not str(setting.label).strip():
        return "needs a label"
    if not isinstance(setting.help, str | LazyString):
        return "help must be a text"
    if setting.kind not in SETTING_KINDS:
        return f"kind {setting.kind!r} is not one of {', '.join(map(repr, SETTING_KINDS))}"
    if setting.kind != "choice" and setting.choices:
        return "only a choice has choices"
    default = setting.default
    if setting.kind == "text":
        if not (default is None or isinstance(default, str)):
            return "the default of a text must be a str"
        if default and ("\n" in default or "\r" in default or len(default) > SETTING_TEXT_MAX):
            return f"the default of a text is one line of at most {SETTING_TEXT_MAX} characters"
    if setting.kind == "yes_no" and not (default is None or isinstance(default, bool)):
        return "the default of a yes_no must be True or False"
    if setting.kind == "choice":
        if not setting.choices:
            return "a choice needs choices"
        for choice in setting.choices:
            if not (
                isinstance(choice, tuple)
                and len(choice) == 2
                and all(isinstance(part, str) and part for part in choice)
            ):
                return f"choice {choice!r} must be a text or a (value, label) pair of texts"
        values = [value for value, _ in setting.choices]
        if len(set(values)) < len(values):
            return "its choices repeat a value"
        if default is not None and default not in values:
            return f"the default {default!r} is not among its choices {values!r}"
    if setting.kind == "number":
        return _number_problem(setting)
    return None


def _number_problem(setting: Setting) -> str | None:
    def is_number(value: object) -> bool:
        return isinstance(value, int | Decimal) and not isinstance(value, bool)

    if not isinstance(setting.decimals, int) or not 0 <= setting.decimals <= 6:
        return "decimals must be a whole number from 0 to 6"
    for bound in ("minimum", "maximum"):
        value = getattr(setting, bound)
        if value is not None and not (is_number(value) and Decimal(value).is_finite()):
            return f"{bound} must be an int, a Decimal or None"
    default = setting.default
    if not (is_number(default) and Decimal(default).is_finite()):
        return "a number needs a default, an int or a Decimal (not a float)"
    if Decimal(default).as_tuple().exponent < -setting.decimals:
        return f"the default {default} has more than {setting.decimals} decimals"
    if setting.minimum is not None and default < setting.minimum:
        return f"the default {default} is below the minimum {setting.minimum}"
    if setting.maximum is not None and default >= setting.maximum:
        return f"the default {default} is not below the maximum {setting.maximum}"
    return None


def check_settings(info: PluginInfo) -> None:
    """Refuse a plugin whose ``settings`` are not well declared, naming the mistake."""
    seen: set[str] = set()
    for setting in info.settings:
        if not isinstance(setting, Setting):
            raise SettingError(f"plugin {info.name!r}: settings holds {setting!r}, not a Setting")
        name = setting.name
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise SettingError(
                f"plugin {info.name!r}: setting name {name!r} is not a Python identifier "
                "(letters, digits and _, not starting with _ or a digit)"
            )
        if name in RESERVED_SETTING_NAMES:
            raise SettingError(
                f"plugin {info.name!r}: setting name {name!r} is taken by the settings form"
            )
        if name in seen:
            raise SettingError(f"plugin {info.name!r}: two settings are named {name!r}")
        seen.add(name)
        problem = _setting_problem(setting)
        if problem:
            raise SettingError(f"plugin {info.name!r}: setting {name!r}: {problem}")
