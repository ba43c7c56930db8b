"""Default settings. Overridden by instance/config.py, then by WORKSPACE_* variables.

Every value here is safe to ship: the secret key is generated into the instance
folder on first start (see ``workspace.secret_key``), never written in code.
"""

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
# Sessions live on the server (workspace.sessions). One ends after this long without
# a request, unless "keep me signed in" was ticked...
SESSION_IDLE_MINUTES = 12 * 60
# ...and in any case this long after signing in.
SESSION_ABSOLUTE_DAYS = 30

# Minimum password length for every account.
PASSWORD_MIN_LENGTH = 8
# How long a set-password link handed out by an admin stays valid.
SET_PASSWORD_LINK_HOURS = 72
# Failed sign-ins for one e-mail address (or from one known browser) before each
# further try must wait; the wait doubles with every further failure, up to
# LOGIN_MAX_DELAY_SECONDS. From one client address the allowance is larger (an
# office shares one); over the whole workspace, more failures than
# LOGIN_FAILURES_PER_MINUTE in a minute make unknown browsers wait for the next.
# A browser that signed in to an account before is not slowed by others' failures.
LOGIN_FREE_ATTEMPTS = 5
LOGIN_CLIENT_FREE_ATTEMPTS = 50
LOGIN_FAILURES_PER_MINUTE = 100
LOGIN_BASE_DELAY_SECONDS = 30
LOGIN_MAX_DELAY_SECONDS = 15 * 60
# Roles whose holders must sign in with a second factor (a code from an authenticator
# app, workspace.two_factor): "admin" and region roles such as "coordinator". They are
# led through set-up at their next sign-in. WORKSPACE_REQUIRE_TWO_FACTOR=admin,coordinator
REQUIRE_TWO_FACTOR: list[str] = []

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
# Folder of the uploaded files (attachments), stored under generated names. Empty
# means instance/uploads. Several hosts serving one database share one folder (a
# network file system or a shared volume): WORKSPACE_STORAGE_PATH=/srv/workspace/files
STORAGE_PATH = ""

# Per-request log lines: "text" leaves them to gunicorn's access log; "json" writes one
# JSON line per request (request id, user id, route, status, duration) to stderr for a
# log collector (workspace.request_log). WORKSPACE_LOG_FORMAT=json
LOG_FORMAT = "text"

# The project this instance serves, shown in the header.
PROJECT_NAME = "InterVentures"

# The time zone timestamps are shown in for people who have not chosen their own
# on their account page (an IANA name).
TIME_ZONE = "Europe/Brussels"

WTF_CSRF_TIME_LIMIT = None
