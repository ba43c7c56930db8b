"""docs/deploy.md, followed: its marked blocks are written out and run.

Each block marked ``<!-- deploy-test: NAME -->`` is taken as the guide shows it, with
``/srv/workspace`` moved into a temporary folder, the checkout being this one, free
ports and a self-signed certificate. Every replacement checks that its text is in the
block, so a guide that drifts from what this test runs fails here. The settings file
gets a SQLite database, or, when ``WORKSPACE_TEST_DATABASE_URL`` names a PostgreSQL
server, a role and database made by the guide's own ``createuser``/``createdb``.

nginx, Caddy and logrotate are installed by ``.ci/run``: under ``CI`` a missing one is a
failure, elsewhere a skip. ``systemd-analyze`` is skipped only where it is missing.
"""

from __future__ import annotations

import getpass
import grp
import http.client
import os
import re
import secrets
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy.engine import make_url

from workspace.testing import POSTGRES_URL

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "deploy.md"
BIN = Path(sys.executable).parent
BLOCK = re.compile(r"<!-- deploy-test: ([\w-]+) -->\n```\w*\n(.*?)```", re.DOTALL)
ADMIN = "admin@example.eu"
ADMIN_PASSWORD = "Quiet harbour lantern 42"
PUBLIC_HOST = "workspace.example.eu"
LIVE_DATABASE_URL = "postgresql+psycopg://workspace:DB_PASSWORD@127.0.0.1:5432/workspace"
DRILL_DATABASE_URL = LIVE_DATABASE_URL + "_drill"


def guide_blocks() -> dict[str, str]:
    return dict(BLOCK.findall(GUIDE.read_text(encoding="utf-8")))


def replace(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced, which must be there: the guide still says it."""
    assert old in text, f"docs/deploy.md no longer has {old!r} where this test expects it"
    return text.replace(old, new)


def tool(name: str) -> str:
    """The path of a program the guide's samples are checked with."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: .ci/run installs it")
        pytest.skip(f"{name} is not installed")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing answered on {port}:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop a server started in its own session, with the processes it started."""
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


def unit_value(unit: str, key: str) -> str:
    """One setting of a systemd unit, its continuation lines joined."""
    joined = unit.replace("\\\n", " ")
    found = re.search(rf"^{key}=(.*)$", joined, re.MULTILINE)
    assert found, f"the unit has no {key}="
    return found.group(1).strip()


def environment_file(path: Path) -> dict[str, str]:
    """The variables of an EnvironmentFile, read as systemd reads this simple form."""
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any WORKSPACE_ setting of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSPACE_")}
    env.pop("NOTIFY_SOCKET", None)
    return {**env, **extra}


class Session:
    """A browser's worth of HTTP: cookies kept, the form token read from each page."""

    def __init__(self, port: int, *, tls: bool = False, host: str | None = None) -> None:
        self.port, self.tls, self.host = port, tls, host
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], str]:
        if self.tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
            connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=context)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.port)
        sent = dict(headers or {})
        if self.host:
            sent["Host"] = self.host
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        if token := re.search(r'"X-CSRFToken": "([^"]+)"', text):
            self.csrf = token.group(1)
        return response.status, dict(response.headers), text

    def post(self, path: str, **fields: str) -> tuple[int, dict[str, str], str]:
        body = urlencode({"csrf_token": self.csrf, **fields}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.tls:
            # Over HTTPS the form token counts only with a Referer of this site, as a
            # browser sends it.
            headers["Referer"] = f"https://{self.host}{path}"
        return self.request("POST", path, body, headers)

    def sign_in(self, email: str = ADMIN, password: str = ADMIN_PASSWORD) -> None:
        status, _, page = self.request("GET", "/login")
        assert status == 200 and 'name="password"' in page
        status, headers, page = self.post("/login", email=email, password=password)
        assert status == 302, page[-2000:]


@dataclass
class Deployment:
    """The guide's layout under a temporary folder, and what the test made there."""

    srv: Path
    etc: Path
    blocks: dict[str, str]
    gunicorn_port: int = field(default_factory=free_port)
    postgres_names: list[str] = field(default_factory=list)

    def local(self, text: str) -> str:
        """A block with the guide's paths moved to this deployment."""
        text = text.replace("/srv/workspace/app", str(ROOT))
        text = text.replace("/srv/workspace", str(self.srv))
        text = text.replace("/etc/workspace/workspace.env", str(self.etc / "workspace.env"))
        text = text.replace("/usr/local/bin/workspace-flask", str(self.etc / "workspace-flask"))
        return text.replace(f"{ROOT}/.venv/bin", str(BIN))

    @property
    def env_file(self) -> Path:
        return self.etc / "workspace.env"

    def settings(self) -> dict[str, str]:
        return environment_file(self.env_file)


def postgres_commands(block: str, name: str) -> list[list[str]]:
    """The guide's createuser/createdb lines for a role and database called ``name``,
    as the server's superuser (here: the test server's user) runs them."""
    commands = []
    for line in block.strip().splitlines():
        line = replace(line, "sudo -u postgres ", "")
        line = line.replace(" --pwprompt", "")  # trust authentication: no password
        commands.append([re.sub(r"\bworkspace\b", name, part) for part in shlex.split(line)])
    return commands


def postgres_environment() -> dict[str, str]:
    url = make_url(POSTGRES_URL)
    return clean_environment(
        PGHOST=url.host or "127.0.0.1", PGPORT=str(url.port or 5432), PGUSER=url.username or ""
    )


def drop_postgres(names: list[str]) -> None:
    import psycopg

    admin = make_url(POSTGRES_URL).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for name in names:
            conn.execute(f'DROP ROLE IF EXISTS "{name}"')


def database_url_for(database: str, role: str, sqlite_file: Path) -> str:
    """Where the deployment keeps its data: a SQLite file, or a database on the test's
    PostgreSQL server (trust authentication: the password is not checked)."""
    if not POSTGRES_URL:
        return f"sqlite:///{sqlite_file}"
    url = make_url(POSTGRES_URL).set(username=role, password="unused", database=database)
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[Deployment]:
    """Settings written, the database made and initialised, as sections 3 and 4 say."""
    base = tmp_path_factory.mktemp("deploy")
    blocks = guide_blocks()
    deployment = Deployment(srv=base / "srv", etc=base / "etc", blocks=blocks)
    for folder in ("instance", "files", "backups"):
        (deployment.srv / folder).mkdir(parents=True)
    deployment.etc.mkdir()
    name = f"ws_deploy_{uuid.uuid4().hex[:10]}"
    if POSTGRES_URL:
        deployment.postgres_names.append(name)
        for command in postgres_commands(blocks["postgres"], name):
            subprocess.run(command, env=postgres_environment(), check=True, timeout=60)

    settings = deployment.local(blocks["env"])
    live_url = database_url_for(name, name, deployment.srv / "instance" / "workspace.db")
    settings = replace(settings, LIVE_DATABASE_URL, live_url)
    settings = replace(settings, "=SECRET_KEY", "=" + secrets.token_hex(32))
    deployment.env_file.write_text(settings)

    wrapper = deployment.etc / "workspace-flask"
    wrapper.write_text(deployment.local(blocks["wrapper"]))
    wrapper.chmod(0o755)
    init = replace(blocks["init"].strip(), "sudo -u workspace workspace-flask", str(wrapper))
    answer = subprocess.run(
        shlex.split(init),
        input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
        capture_output=True,
        text=True,
        env=clean_environment(),
        timeout=120,
    )
    assert answer.returncode == 0, answer.stderr[-3000:]
    assert f"Administrator {ADMIN} created." in answer.stdout
    try:
        yield deployment
    finally:
        if deployment.postgres_names:
            drop_postgres(deployment.postgres_names)


@pytest.fixture(scope="module")
def service(deployment: Deployment) -> Iterator[int]:
    """The unit's ExecStart, run with its EnvironmentFile and WorkingDirectory."""
    unit = deployment.local(deployment.blocks["service"])
    exec_start = replace(
        unit_value(unit, "ExecStart"), "127.0.0.1:8000", f"127.0.0.1:{deployment.gunicorn_port}"
    )
    env_file = Path(unit_value(unit, "EnvironmentFile"))
    log = deployment.srv / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            shlex.split(exec_start),
            cwd=unit_value(unit, "WorkingDirectory"),
            env=clean_environment(**environment_file(env_file)),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(deployment.gunicorn_port, process, log)
        yield deployment.gunicorn_port
    finally:
        stop(process)


def test_the_service_serves_the_workspace(deployment, service):
    status, _, body = Session(service).request("GET", "/healthz")
    assert (status, body.strip()) == (200, '{"status":"ok"}')
    # JSON request lines (LOG_FORMAT=json) and gunicorn's access log (written once the
    # answer is sent, so a moment later) both reach the journal's streams.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log = (deployment.srv / "gunicorn.log").read_text()
        if '"GET /healthz HTTP/1.1" 200' in log:
            break
        time.sleep(0.1)
    assert '"GET /healthz HTTP/1.1" 200' in log
    assert '"route": "/healthz"' in log
    Session(service).sign_in()


def test_the_worker_unit_runs_the_worker(deployment):
    """The worker unit's command, with --once (one round, then exit) so it ends."""
    unit = deployment.local(deployment.blocks["worker-service"])
    answer = subprocess.run(
        [*shlex.split(unit_value(unit, "ExecStart")), "--once"],
        cwd=unit_value(unit, "WorkingDirectory"),
        env=clean_environment(**environment_file(Path(unit_value(unit, "EnvironmentFile")))),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert answer.returncode == 0, answer.stderr[-3000:]
    assert answer.stdout.startswith("Mail: ")


def test_the_units_pass_systemd_analyze(deployment, tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    units = {
        "workspace.service": "service",
        "workspace-worker.service": "worker-service",
        "workspace-backup.service": "backup-service",
        "workspace-backup.timer": "backup-timer",
    }
    for filename, block in units.items():
        (tmp_path / filename).write_text(deployment.local(deployment.blocks[block]))
    answer = subprocess.run(
        [analyze, "verify", "--man=no", *(str(tmp_path / f) for f in units)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Unknown keys and misspelt values are only warnings there: none may appear.
    assert (answer.returncode, answer.stdout + answer.stderr) == (0, "")


@pytest.fixture(scope="module")
def nginx(deployment: Deployment, service: int, tmp_path_factory) -> Iterator[int]:
    """The guide's nginx site in front of the service, on free ports, HTTPS with a
    self-signed certificate."""
    binary = tool("nginx")
    folder = tmp_path_factory.mktemp("nginx")
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", f"/CN={PUBLIC_HOST}", "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    https_port, http_port = free_port(), free_port()
    site = deployment.blocks["nginx"]
    site = replace(site, "listen 80;", f"listen 127.0.0.1:{http_port};")
    site = replace(site, "listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")
    site = replace(site, f"/etc/letsencrypt/live/{PUBLIC_HOST}/fullchain.pem", str(certificate))
    site = replace(site, f"/etc/letsencrypt/live/{PUBLIC_HOST}/privkey.pem", str(key))
    site = replace(site, "http://127.0.0.1:8000", f"http://127.0.0.1:{service}")
    (folder / "workspace.conf").write_text(site)
    # What Debian's /etc/nginx/nginx.conf gives a site; as root, workers stay root so
    # they can reach the test's private temporary folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in ("proxy", "fastcgi"))
    temp += " ".join(f" {kind}_temp_path {folder / kind};" for kind in ("uwsgi", "scgi"))
    (folder / "nginx.conf").write_text(
        f"{user}pid {folder / 'nginx.pid'};\nevents {{}}\nhttp {{\n"
        f"  access_log {folder / 'access.log'};\n"
        f"  client_body_temp_path {folder / 'body'}; {temp}\n"
        f"  include {folder / 'workspace.conf'};\n}}\n"
    )
    command = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf")]
    command += ["-e", str(folder / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    log = folder / "error.log"
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(https_port, process, log)
        yield https_port
    finally:
        stop(process)


def test_through_nginx_links_are_public_https_and_uploads_pass(nginx):
    browser = Session(nginx, tls=True, host=PUBLIC_HOST)
    browser.sign_in()
    status, _, page = browser.request("GET", "/admin/users")
    assert status == 200
    user_id = re.search(r'href="/admin/users/(\d+)"', page).group(1)
    status, _, page = browser.post(f"/admin/users/{user_id}/link")
    assert status == 200
    # X-Forwarded-Proto and -Host reached the app, which trusts one proxy.
    assert f"https://{PUBLIC_HOST}/set-password/" in page

    # 26 MB passes nginx's limit and meets the workspace's own (25 MB), with its message.
    body = b"x" * (26 * 1024 * 1024)
    status, headers, page = browser.request(
        "POST", "/login", body, {"Content-Type": "application/octet-stream"}
    )
    assert status == 413
    assert "Content-Security-Policy" in headers, "the 413 came from nginx, not the app"
    assert "Files up to 25 MB can be attached" in page


def test_the_caddy_sample_is_valid(deployment, tmp_path):
    caddy = tool("caddy")
    caddyfile = tmp_path / "Caddyfile"
    caddyfile.write_text(deployment.blocks["caddy"])
    answer = subprocess.run(
        [caddy, "validate", "--adapter", "caddyfile", "--config", str(caddyfile)],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_environment(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data")),
    )
    assert answer.returncode == 0, answer.stderr[-3000:]
    assert "Valid configuration" in answer.stdout + answer.stderr


def test_the_logrotate_sample_is_valid(deployment, tmp_path):
    logrotate = tool("logrotate")
    logs = tmp_path / "log"
    logs.mkdir()
    (logs / "access.log").write_text("a line\n")
    config = replace(deployment.blocks["logrotate"], "/var/log/workspace", str(logs))
    # The guide's owner, workspace:adm, does not exist here: the test's own user instead.
    group = grp.getgrgid(os.getegid()).gr_name
    config = replace(
        config, "create 0640 workspace adm", f"create 0640 {getpass.getuser()} {group}"
    )
    (tmp_path / "workspace").write_text(config)
    answer = subprocess.run(
        [logrotate, "-d", "-s", str(tmp_path / "state"), str(tmp_path / "workspace")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = answer.stdout + answer.stderr
    assert answer.returncode == 0 and "error" not in output.lower(), output
    assert str(logs / "access.log") in output


def test_the_backup_timer_command_and_the_restore_drill(deployment, service):
    unit = deployment.local(deployment.blocks["backup-service"])
    backup = subprocess.run(
        shlex.split(unit_value(unit, "ExecStart")),
        cwd=unit_value(unit, "WorkingDirectory"),
        env=clean_environment(**environment_file(Path(unit_value(unit, "EnvironmentFile")))),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert backup.returncode == 0, backup.stderr[-3000:]
    assert list((deployment.srv / "backups").glob("workspace-*.tar"))

    drill_port = free_port()
    script = deployment.local(deployment.blocks["restore-drill"])
    script = replace(script, "sudo -u workspace ", "")
    script = replace(script, "sudo install -d -o workspace -g workspace", "install -d")
    script = replace(script, "127.0.0.1:8001", f"127.0.0.1:{drill_port}")
    create = "sudo -u postgres createdb --owner workspace workspace_drill\n"
    env = clean_environment()
    drill_file = deployment.srv / "drill" / "workspace.db"
    if POSTGRES_URL:
        drill, owner = f"ws_drill_{uuid.uuid4().hex[:10]}", deployment.postgres_names[0]
        deployment.postgres_names.insert(0, drill)  # dropped before its owner
        script = replace(script, create, f"createdb --owner {owner} {drill}\n")
        env = postgres_environment()
    else:
        drill, owner = "", ""
        script = replace(script, create, "")
    script = replace(script, DRILL_DATABASE_URL, database_url_for(drill, owner, drill_file))
    log = deployment.srv / "drill.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["/bin/sh", "-c", script],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(drill_port, process, log)
        assert "Restored workspace-" in log.read_text()
        Session(drill_port).sign_in()  # the administrator and password of the live one
    finally:
        stop(process)
