"""What the activity pages say each reports event did. Stored with the event as written
(marked ``N_`` for the catalogs) and translated where the activity is shown."""

from __future__ import annotations

from workspace.api import N_

PHRASES = {
    "report_started": N_("started a partner report:"),
    "report_draft": N_("re-opened a partner report:"),
    "report_submitted": N_("submitted a partner report to its controller:"),
    "report_in_control": N_("started the control of a partner report:"),
    "report_certified": N_("certified a partner report:"),
    "report_returned": N_("returned a partner report to its partner:"),
    "progress_report_started": N_("started a progress report:"),
    "progress_report_draft": N_("returned a progress report to draft:"),
    "progress_report_ready": N_("marked a progress report as ready:"),
    "progress_report_submitted": N_("recorded the submission of a progress report:"),
    "progress_report_approved": N_("recorded the programme's approval of a progress report:"),
    "progress_partner_left_out": N_("left a partner out of a progress report:"),
    "progress_partner_taken_back": N_("took a partner back into a progress report:"),
    "indicator_confirmed": N_("confirmed a value of an indicator:"),
    "indicator_unconfirmed": N_("withdrew the confirmation of a value of an indicator:"),
    "indicator_corrected": N_("corrected a figure of an indicator by hand:"),
    "indicator_correction_removed": N_("removed a hand correction of an indicator's figure:"),
    "indicator_targets_saved": N_("saved the indicators' names and targets"),
    "media_logged": N_("logged a media appearance:"),
    "media_removed": N_("removed a media appearance:"),
}
