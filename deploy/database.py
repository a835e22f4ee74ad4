"""Make the role and database that DATABASE_URL names, when they are missing (deploy/prod up).

    .venv/bin/python deploy/database.py

A newcomer's machine often runs PostgreSQL already, without the site's role. If DATABASE_URL
cannot connect because its role or database does not exist, this creates them as PostgreSQL's
superuser, reached the ways a local machine allows without a password prompt (there is no
standard input): `su postgres` when run as root, `sudo -n -u postgres`, psql as the `postgres`
OS user, or `psql -U postgres` over TCP where pg_hba trusts it or ~/.pgpass holds its password.
The role gets LOGIN and the URL's password, no other privilege; it owns the database.

Where none of these works (or the server is on another machine), it prints one sentence with
the command to run and exits 1. It never prints a traceback and never changes an existing role.
"""

import os
import pwd
import shlex
import shutil
import subprocess
import sys
import urllib.parse

import psycopg

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def fail(sentence):
    print(f"prod: {sentence}", file=sys.stderr)
    raise SystemExit(1)


def connection_error(url):
    """None when DATABASE_URL connects, else libpq's message on one line."""
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.Error as error:
        return " ".join(str(error).split())
    return None


def psql_quoted(value):
    """A value for psql's `\\set`: single-quoted, with psql's own escapes."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def superuser_commands(host, port):
    """psql command lines that may reach this machine's server as a superuser, most likely first."""
    psql = ["psql", "-X", "-q", "-w", "-tA", "-p", str(port), "-d", "postgres"]
    commands = []
    me = pwd.getpwuid(os.getuid()).pw_name
    if me == "postgres":
        commands.append(psql)
    else:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pass
        else:
            if os.getuid() == 0 and shutil.which("su"):
                commands.append(["su", "postgres", "-c", shlex.join(psql)])
            if os.getuid() != 0 and shutil.which("sudo"):
                commands.append(["sudo", "-n", "-u", "postgres", *psql])
    commands.append([*psql, "-h", host or "127.0.0.1", "-U", "postgres"])
    return commands


def run(command, script):
    """Run a psql script on stdin; (ok, stdout)."""
    try:
        done = subprocess.run(command, input=script, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False, ""
    return done.returncode == 0, done.stdout.strip()


def superuser(host, port):
    """The first command that reaches the server as a role allowed to create roles and databases."""
    if shutil.which("psql") is None:
        return None
    check = "SELECT rolsuper OR (rolcreaterole AND rolcreatedb) FROM pg_roles WHERE rolname = current_user;\n"
    for command in superuser_commands(host, port):
        ok, out = run(command, check)
        if ok and out == "t":
            return command
    return None


def create(command, user, password, name):
    """Create the role and the database if missing; psql quotes the names (%I) and password (%L)."""
    login = (
        "format('CREATE ROLE %I LOGIN PASSWORD %L', :'user', :'password')"
        if password
        else ("format('CREATE ROLE %I LOGIN', :'user')")
    )
    script = "\n".join(
        [
            "\\set ON_ERROR_STOP on",
            f"\\set user {psql_quoted(user)}",
            f"\\set password {psql_quoted(password or '')}",
            f"\\set name {psql_quoted(name)}",
            f"SELECT {login} WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \\gexec",
            "SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'user')"
            " WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \\gexec",
            "",
        ]
    )
    return run(command, script)[0]


def main():
    url = os.environ.get("DATABASE_URL", "")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        fail(
            f"make prod needs PostgreSQL; set DATABASE_URL=postgres://user:password@host:port/name (not {parts.scheme or 'empty'})."
        )
    user = urllib.parse.unquote(parts.username or "")
    password = urllib.parse.unquote(parts.password or "")
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    host, port = parts.hostname or "", parts.port or 5432
    where = f"PostgreSQL at {host or 'localhost'}:{port}"

    error = connection_error(url)
    if error is None:
        return
    missing = f'role "{user}" does not exist' in error or f'database "{name}" does not exist' in error
    if not missing or not user or not name:
        fail(f"{where} refuses DATABASE_URL ({error}); fix DATABASE_URL or the server, then run make prod again.")

    sql = f"CREATE ROLE {user} LOGIN" + (f" PASSWORD '{password}'" if password else "")
    by_hand = f'psql -c "{sql}" -c "CREATE DATABASE {name} OWNER {user}"'
    command = superuser(host, port) if host in LOCAL_HOSTS else None
    if command is None:
        admin = (
            "sudo -u postgres " + by_hand
            if host in LOCAL_HOSTS
            else f"{by_hand} -h {host} -p {port} -U <an admin role>"
        )
        fail(
            f"{where} has no role or database for DATABASE_URL and make prod cannot act as its superuser here; run: {admin}"
        )
    print(f"prod: creating role {user} and database {name} on {where}")
    if not create(command, user, password, name):
        fail(
            f"{where} did not accept CREATE ROLE/DATABASE as {command[0]} {command[1]}; run: sudo -u postgres {by_hand}"
        )
    error = connection_error(url)
    if error is not None:
        fail(f"{where} still refuses DATABASE_URL after creating its role and database ({error}); check pg_hba.conf.")


if __name__ == "__main__":
    main()
