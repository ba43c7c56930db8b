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
# Host names the site answers to, e.g. ["workspace.example.eu"]
# (WORKSPACE_TRUSTED_HOSTS=workspace.example.eu, comma-separated); a request for any
# other host gets 400. None answers any host. Set it when the proxy passes on whatever
# host a client names: the link of a password-reset e-mail is built on the host of the
# request that asked for it.
TRUSTED_HOSTS: list[str] | None = None

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
# "Forgot password?" on the sign-in page e-mails a one-time link that works this long,
# at most PASSWORD_RESET_MAILS_PER_HOUR times per address in an hour; from one client
# address, PASSWORD_RESET_CLIENT_REQUESTS_PER_HOUR requests an hour are answered with a
# mail. Past either, the answer is the same and no mail is sent.
PASSWORD_RESET_LINK_HOURS = 2
PASSWORD_RESET_MAILS_PER_HOUR = 3
PASSWORD_RESET_CLIENT_REQUESTS_PER_HOUR = 30
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

# E-mail (workspace.mail), sent by `flask --app workspace worker`. With no server the
# messages are written to instance/outbox/ as .eml files and listed on Admin -> Outbox.
# WORKSPACE_MAIL_SERVER=smtp.example.org WORKSPACE_MAIL_USE_TLS=true
MAIL_SERVER = ""
# 0: the usual port, 465 with MAIL_USE_SSL, 587 with MAIL_USE_TLS, else 25.
MAIL_PORT = 0
MAIL_USERNAME = ""
MAIL_PASSWORD = ""
MAIL_USE_TLS = False  # STARTTLS after connecting
MAIL_USE_SSL = False  # TLS from the first byte
# The From address; empty means "<PROJECT_NAME> Workspace <workspace@localhost>".
MAIL_FROM = ""
# A message the server could not take (unreachable, a 4xx answer) is tried again after
# MAIL_RETRY_FIRST_MINUTES, then twice as long each time up to MAIL_RETRY_MAX_MINUTES;
# after MAIL_MAX_ATTEMPTS attempts it is marked failed.
MAIL_RETRY_FIRST_MINUTES = 1
MAIL_RETRY_MAX_MINUTES = 60
MAIL_MAX_ATTEMPTS = 10
# How often the worker looks for due messages and scheduled jobs.
WORKER_POLL_SECONDS = 5

# The address people open the workspace at, for the links of e-mails the worker writes
# outside any request (the daily digest). WORKSPACE_BASE_URL=https://workspace.example.eu
BASE_URL = "http://127.0.0.1:5000"

# The project this instance serves, shown in the header.
PROJECT_NAME = "InterVentures"

# The time zone timestamps are shown in for people who have not chosen their own
# on their account page (an IANA name).
TIME_ZONE = "Europe/Brussels"

WTF_CSRF_TIME_LIMIT = None
