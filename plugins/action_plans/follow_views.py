"""Following a plan (/r/<region>/action_plans/<plan>/follow and .../unfollow): its
followers hear of comments on any of its texts, the policy context, the summary and
each action's, those written later included (``document_followed_as`` in the
package names the plan for each of them). Anyone who may read the plan may follow it.

The routes join the plugin's region blueprint (``views.bp``).
"""

from __future__ import annotations

from flask import Response, redirect, url_for

from workspace.api import db, follow, render, unfollow, wants_fragment

from .views import _me, bp, get_plan


@bp.post("/<id:plan_id>/follow")
def follow_plan(plan_id: int) -> Response:
    return _set(plan_id, following=True)


@bp.post("/<id:plan_id>/unfollow")
def unfollow_plan(plan_id: int) -> Response:
    return _set(plan_id, following=False)


def _set(plan_id: int, following: bool) -> Response:
    plan = get_plan(plan_id)
    (follow if following else unfollow)(_me(), plan.ref)
    db.session.commit()
    if wants_fragment():
        return render("action_plans/_follow.html", plan=plan, following=following)
    return redirect(url_for("action_plans.view", plan_id=plan.id), 303)
