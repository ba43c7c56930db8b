"""Default settings. Overridden by instance/config.py, then by WORKSPACE_* variables.

Every value here is safe to ship: the secret key is generated into the instance
folder on first start (see ``workspace.secret_key``), never written in code.
"""

from datetime import timedelta

# Set WORKSPACE_DATABASE_URL for PostgreSQL, e.g.
# postgresql+psycopg://workspace@127.0.0.1/workspace. Empty means the embedded
# SQLite database instance/workspace.db.
DATABASE_URL = ""

# Set to true when the site is served over HTTPS: session cookies become Secure.
SECURE_COOKIES = False
# Number of reverse proxies in front of the app whose X-Forwarded-* headers are
# trusted (0: none). Links handed out, such as set-password links, use them.
PROXY_COUNT = 0

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_NAME = "remember_token"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
PERMANENT_SESSION_LIFETIME = timedelta(days=14)

# Minimum password length for every account.
PASSWORD_MIN_LENGTH = 8
# How long a set-password link handed out by an admin stays valid.
SET_PASSWORD_LINK_HOURS = 72
# Failed logins for one e-mail address before each further attempt must wait;
# the wait doubles with every further failure, up to LOGIN_MAX_DELAY_SECONDS.
LOGIN_FREE_ATTEMPTS = 5
LOGIN_BASE_DELAY_SECONDS = 30
LOGIN_MAX_DELAY_SECONDS = 15 * 60

# Which installed plugins (`workspace.plugins` entry points) to load, by name; None
# loads every installed one. A plugin left out is not even imported, so a broken
# package in the same environment cannot stop the app (or the core's tests).
# WORKSPACE_PLUGINS=minutes,budget in the environment.
PLUGINS: list[str] | None = None
# Extra plugin modules to load besides the `workspace.plugins` entry points
# (a list of importable module names); used by tests and for local development.
EXTRA_PLUGINS: list[str] = []

# Largest accepted upload (an attachment), in megabytes; larger ones get a 413.
MAX_UPLOAD_MB = 25

# The project this instance serves, shown in the header.
PROJECT_NAME = "InterVentures"

# The time zone timestamps are shown in for people who have not chosen their own
# on their account page (an IANA name).
TIME_ZONE = "Europe/Brussels"

WTF_CSRF_TIME_LIMIT = None
