"""A plugin's settings per region: what its ``PluginInfo.settings`` declare, as a
region's coordinators choose them.

- ``region_setting(region, plugin, name)`` reads one (through ``workspace.api``).
- The page ``/r/<region>/plugins/<plugin>/settings`` (``regions.plugin_settings``,
  linked from the region dashboard's module list) shows them as a form, for those who
  may manage the region.

The values live in ``RegionPlugin.settings`` (JSON), under the settings' names: a
text or a choice as a ``str``, a yes/no as a ``bool``, a number as the text of its
``Decimal`` ("1234.50", exact where a JSON number would be a float). A region that
never saved one, or a stored value that no longer fits the declaration (a choice the
plugin dropped), reads as the default. Saving writes only the settings that changed
and keeps the rest of the column (and the switch) as it is; switching the plugin off
and on keeps them.

The routes join the ``regions`` blueprint (``regions.bp``).
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import Length

from .activity import record
from .extensions import db
from .forms import ChoiceField, StrippedForm, options
from .hookspecs import SETTING_TEXT_MAX, PluginInfo, Setting
from .models import Region, RegionPlugin, utcnow
from .numbers import MONEY_LIMIT, NumberError, format_number, input_value, parse_number
from .permissions import Action
from .plugins import host
from .regions import bp, get_region
from .rendering import render, wants_fragment
from .worker_cache import per_worker

Value = str | Decimal | bool

# Every region's stored settings, kept per worker until a RegionPlugin row changes.
_ALL_SETTINGS = select(RegionPlugin.region_id, RegionPlugin.plugin, RegionPlugin.settings)


def _load_all() -> dict[tuple[int, str], dict[str, Any]]:
    return {
        (region_id, plugin): dict(settings or {})
        for region_id, plugin, settings in db.session.execute(_ALL_SETTINGS)
    }


def _declared(plugin: str) -> PluginInfo:
    info = host().infos.get(plugin)
    if info is None:
        raise KeyError(f"no plugin named {plugin!r} is installed")
    return info


def _read(setting: Setting, stored: Any) -> Value | None:
    """A stored value as its kind's type, or None when it does not fit the setting."""
    if setting.kind == "number":
        if isinstance(stored, bool) or not isinstance(stored, str | int):
            return None
        try:
            value = Decimal(stored)
        except InvalidOperation:
            return None
        return value if value.is_finite() else None
    if setting.kind == "yes_no":
        return stored if isinstance(stored, bool) else None
    if setting.kind == "choice":
        return stored if stored in {value for value, _ in setting.choices} else None
    return stored if isinstance(stored, str) else None


def _values(info: PluginInfo, stored: dict[str, Any]) -> dict[str, Value]:
    """Each declared setting's value among ``stored``, else its default."""
    values = {}
    for setting in info.settings:
        value = _read(setting, stored.get(setting.name))
        values[setting.name] = setting.initial if value is None else value
    return values


def region_setting(region: Region | int, plugin: str, name: str) -> Value:
    """The value of the setting ``name`` of ``plugin`` in ``region`` (a ``Region`` or
    its id): what the region's coordinators saved, else the declared default.

    A ``Decimal`` for a number, a ``bool`` for a yes/no, a ``str`` for a text and for
    a choice (the chosen value, not its label). Whether the plugin is switched on
    there does not matter. Raises ``KeyError`` for a plugin that is not installed or
    a name it does not declare: a mistake in the plugin's code."""
    info = _declared(plugin)
    setting = next((s for s in info.settings if s.name == name), None)
    if setting is None:
        raise KeyError(f"plugin {plugin!r} declares no setting {name!r}")
    region_id = getattr(region, "id", region)
    stored = per_worker("plugin_settings", _load_all).get((region_id, plugin), {})
    value = _read(setting, stored.get(name))
    return setting.initial if value is None else value


def _stored(value: Value) -> str | bool:
    """A value as the JSON column keeps it."""
    return str(value) if isinstance(value, Decimal) else value


def _version(values: dict[str, Value]) -> str:
    """A short fingerprint of the values a form starts from: a save compares it with
    the values saved by then, so it never undoes another person's change unseen."""
    text = json.dumps({name: _stored(value) for name, value in values.items()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def shown(setting: Setting, value: Value) -> str:
    """A value as people read it: "1,234.50", "Yes", a choice's label, "(empty)"."""
    if setting.kind == "number":
        return format_number(value, setting.decimals)
    if setting.kind == "yes_no":
        return _("Yes") if value else _("No")
    if setting.kind == "choice":
        return str(dict(setting.choices).get(value, value))
    return value or _("(empty)")


# ---------------------------------------------------------------- the form


class NumberSettingField(StringField):
    """A number typed in the reader's format (``parse_number``). What cannot be read is
    refused with the parser's message and stays in the field as it was typed."""

    def __init__(self, label=None, validators=None, *, setting: Setting, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.setting = setting
        self.raw_text: str | None = None

    def process_formdata(self, valuelist) -> None:
        self.raw_text = valuelist[0] if valuelist else ""
        self.data = None
        setting = self.setting
        try:
            self.data = parse_number(
                self.raw_text,
                setting.label,
                decimals=setting.decimals,
                minimum=setting.minimum,
                maximum=MONEY_LIMIT if setting.maximum is None else setting.maximum,
            )
        except NumberError as error:
            raise ValueError(str(error)) from None

    def _value(self) -> str:
        if self.raw_text is not None:
            return self.raw_text
        return input_value(self.data, self.setting.decimals)


def _field(setting: Setting):
    if setting.kind == "number":
        return NumberSettingField(
            setting.label, setting=setting, render_kw={"inputmode": "decimal"}
        )
    if setting.kind == "yes_no":
        return BooleanField(setting.label)
    if setting.kind == "choice":
        return ChoiceField(setting.label, choices=options(setting.choices))
    return StringField(
        setting.label,
        validators=[
            Length(
                max=SETTING_TEXT_MAX,
                message=ngettext(
                    "At most %(num)d character.", "At most %(num)d characters.", SETTING_TEXT_MAX
                ),
            )
        ],
    )


def settings_form(info: PluginInfo, values: dict[str, Value] | None = None) -> StrippedForm:
    """The form of the plugin's settings: filled with ``values`` (a page to show), or
    with what was posted when ``values`` is None."""
    fields: dict[str, Any] = {setting.name: _field(setting) for setting in info.settings}
    fields["base"] = HiddenField()
    form_class = type("PluginSettingsForm", (StrippedForm,), fields)
    if values is None:
        return form_class()
    return form_class(formdata=None, data={**values, "base": _version(values)})


def _typed(setting: Setting, data: Any) -> Value:
    if setting.kind == "yes_no":
        return bool(data)
    if setting.kind == "text":
        return data or ""
    return data


# ---------------------------------------------------------------- the page


def _row(region: Region, plugin: str) -> RegionPlugin | None:
    return db.session.scalar(
        select(RegionPlugin).where(
            RegionPlugin.region_id == region.id, RegionPlugin.plugin == plugin
        )
    )


def _saved(info: PluginInfo, row: RegionPlugin | None) -> dict[str, Value]:
    """What the region has saved now (read from the row, not the worker's copy)."""
    return _values(info, (row.settings or {}) if row is not None else {})


def _page(
    region: Region,
    info: PluginInfo,
    form: StrippedForm,
    saved: dict[str, Value],
    status: int = 200,
) -> Response:
    return render(
        "regions/plugin_settings.html",
        block="settings",
        status=status,
        region=region,
        info=info,
        form=form,
        saved={s.name: shown(s, saved[s.name]) for s in info.settings},
        # An empty text's default goes without saying.
        defaults={s.name: shown(s, s.initial) for s in info.settings if s.initial != ""},
        show_saved=status != 200,
        enabled=info.name in host().enabled_in(region),
        nav_endpoint="regions.dashboard",  # the region menu marks the dashboard
    )


@bp.route("/r/<slug:region>/plugins/<name>/settings", methods=["GET", "POST"])
def plugin_settings(region: str, name: str) -> Response:
    the_region = get_region(region, Action.MANAGE)
    info = host().infos.get(name)
    if info is None or not info.settings:
        abort(404)
    row = _row(the_region, name)
    saved = _saved(info, row)
    if request.method == "GET":
        return _page(the_region, info, settings_form(info, saved), saved)

    form = settings_form(info)
    if not form.validate():
        return _page(the_region, info, form, saved, status=422)
    wanted = {s.name: _typed(s, form[s.name].data) for s in info.settings}
    changed = [s.name for s in info.settings if wanted[s.name] != saved[s.name]]
    if not changed:
        # Nothing new (a second click on Save included): nothing to store or record.
        flash(_("The settings of %(module)s are unchanged.", module=info.label), "info")
        return _after_save(the_region, info)
    if form.base.data != _version(saved) or not _store(the_region, name, row, wanted, changed):
        return _conflict(the_region, info, form)
    record(
        "plugin_settings_changed",
        region=the_region,
        target=f"plugin:{name}",
        changed=changed,
    )
    db.session.commit()
    flash(
        _(
            "The settings of %(module)s for %(region)s are saved.",
            module=info.label,
            region=the_region.name,
        ),
        "success",
    )
    return _after_save(the_region, info)


def _store(
    region: Region,
    plugin: str,
    row: RegionPlugin | None,
    wanted: dict[str, Value],
    changed: list[str],
) -> bool:
    """Write the changed settings over those of ``row`` as it was read: False when
    someone wrote the row meanwhile (or made it, for a region's first settings)."""
    new = {name: _stored(wanted[name]) for name in changed}
    if row is None:
        # The first settings of the plugin in the region: it stays switched off.
        db.session.add(
            RegionPlugin(region_id=region.id, plugin=plugin, enabled=False, settings=new)
        )
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            return False
        return True
    result = db.session.execute(
        update(RegionPlugin)
        .where(RegionPlugin.id == row.id, RegionPlugin.updated_at == row.updated_at)
        .values(settings={**(row.settings or {}), **new}, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    return True


def _conflict(region: Region, info: PluginInfo, form: StrippedForm) -> Response:
    """Someone saved these settings after the form was loaded: show what is saved now
    beside what the person chose, which saving again would put in its place."""
    db.session.expire_all()
    row = _row(region, info.name)
    saved = _saved(info, row)
    form.base.data = _version(saved)
    form.form_errors.append(
        _(
            "Someone saved these settings while you were changing them. Under each field is "
            "what is saved now; save again to put your choices in its place."
        )
    )
    return _page(region, info, form, saved, status=409)


def _after_save(region: Region, info: PluginInfo) -> Response:
    if wants_fragment():
        saved = _saved(info, _row(region, info.name))
        return _page(region, info, settings_form(info, saved), saved)
    return redirect(url_for("regions.plugin_settings", region=region.slug, name=info.name), 303)
