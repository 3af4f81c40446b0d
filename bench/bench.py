#!/usr/bin/env python3
"""Benchmark Numberline against nginx on loopback; started by bench/run.

Python 3 standard library only. bench/run checks the tools and makes the temporary
directory. On any exit it stops every process listed in its pid file, and this
script also stops what it started in a `finally` block.

Backends (--backend): a fresh SQLite file in the temporary directory (the default), a
fresh PostgreSQL database in a throwaway cluster that this script starts in the temporary
directory and stops at the end (see PostgresCluster), or both in one run, each seeded the
same way and measured in the same alternating rounds. --two-nodes adds a second server on
the PostgreSQL database and an nginx load balancer in front of both.

Seeded data (per backend):
  1. With the CLI: instance `bench`, platform admin `bench-admin` (one Argon2id hash),
     and one API key.
  2. Over HTTP as the admin, through the running release server: 20 resellers
     (`bench-reseller-01` to `-20`), then 2,000 customers in parallel. The
     first reseller (the benchmark's caller) gets exactly 100 customers; the
     other 1,900 are spread unevenly over the other 19 resellers with a fixed
     random seed. Every account is created with one login
     (`bench-reseller-NN`, `bench-customer-NNNN`) in `loginInformation`, as the
     server requires, so the server hashes 2,020 passwords with Argon2id; this
     step takes one to three minutes.
Names, agents and ids have a fixed width, so every customer of reseller 01
returns a body of the same byte size, before and after the PUT scenario.
"""

import argparse
import concurrent.futures
import datetime
import http.client
import json
import os
import pwd
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
INSTANCE = "bench"
PASSWORD = "bench-password-2026"
RESELLER_COUNT = 20
CUSTOMER_COUNT = 2000
CALLER_CUSTOMER_COUNT = 100
NGINX_CHUNK_BYTES = 3000

READ_SCENARIOS = ["accounts", "account_by_id", "customers"]
SCENARIO_TITLES = {
    "accounts": "GET /v1/accounts (reseller)",
    "account_by_id": "GET /v1/accounts/{id} (random of 100 customers)",
    "customers": "GET /v1/accounts/customers (100 customers)",
    "put": "PUT /v1/accounts/{id} (change agent)",
}


class BenchError(Exception):
    """A failed step; bench/run prints the message and exits 1."""


# MARK: - Processes


class Processes:
    """Processes this run started, recorded in bench/run's pid file for its exit trap."""

    def __init__(self, pid_file):
        self.pid_file = pid_file
        self.running = []

    def start(self, args, log_path, env=None):
        log = open(log_path, "ab")
        process = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=env)
        log.close()
        with open(self.pid_file, "a") as pids:
            pids.write(f"{process.pid}\n")
        self.running.append(process)
        return process

    def stop(self, process, timeout=15.0):
        """Sends SIGTERM, waits up to `timeout` seconds, then sends SIGKILL."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process in self.running:
            self.running.remove(process)

    def stop_all(self):
        for process in list(self.running):
            self.stop(process)


def free_port():
    """Returns a loopback TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_kib(pid):
    """Returns VmRSS of one process in KiB from /proc/PID/status."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise BenchError(f"/proc/{pid}/status has no VmRSS line; is process {pid} still running?")


def children_of(pid):
    """Returns the ids of the processes whose parent is `pid`."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry))
    return children


def tree_rss_kib(pid):
    """Returns the summed VmRSS of a process and its children (nginx: master and workers)."""
    return rss_kib(pid) + sum(rss_kib(child) for child in children_of(pid))


# MARK: - PostgreSQL


def postgres_bindir():
    """Returns the directory with initdb, pg_ctl and createdb: from PATH, else the newest Debian install."""
    found = shutil.which("initdb")
    if found:
        # A link in PATH (Debian's postgresql-common links only some tools) leads to the real directory.
        return os.path.dirname(os.path.realpath(found))
    candidates = []
    for version in os.listdir("/usr/lib/postgresql") if os.path.isdir("/usr/lib/postgresql") else []:
        if version.isdigit() and os.path.exists(f"/usr/lib/postgresql/{version}/bin/initdb"):
            candidates.append(int(version))
    if not candidates:
        raise BenchError("initdb is not in PATH or /usr/lib/postgresql/*/bin; install it with: apt-get install postgresql")
    return f"/usr/lib/postgresql/{max(candidates)}/bin"


class PostgresCluster:
    """A throwaway PostgreSQL cluster in the temporary directory, listening on 127.0.0.1 only.

    initdb refuses to run as root, so as root every PostgreSQL command runs as the
    `postgres` OS user through runuser, and the temporary directory is opened for that
    user to traverse. Authentication is `trust` for the role `numberline`, which is safe
    only because the cluster listens on loopback and lives as long as the run. fsync stays
    on (the default), so commits wait for the disk as they would in production. `stop`
    runs pg_ctl; after a failure, bench/driver.sh's exit trap stops the postmaster.
    """

    ROLE = "numberline"

    def __init__(self, temp_dir, processes, log):
        self.directory = os.path.join(temp_dir, "postgres")
        self.data = os.path.join(self.directory, "data")
        self.processes = processes
        self.log = log
        self.bindir = postgres_bindir()
        self.port = None
        self.run_as = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise BenchError("running as root needs a `postgres` OS user for initdb; "
                                 "install the postgresql package or run as another user") from None
            os.chmod(temp_dir, 0o711)
            os.makedirs(self.directory)
            os.chown(self.directory, account.pw_uid, account.pw_gid)
            self.run_as = ["runuser", "-u", "postgres", "--"]
        else:
            os.makedirs(self.directory)

    def command(self, tool, *args):
        return self.run_as + [os.path.join(self.bindir, tool)] + list(args)

    def run(self, args, description):
        completed = subprocess.run(args, capture_output=True, text=True, timeout=120)
        if completed.returncode != 0:
            raise BenchError(f"{description} failed ({completed.returncode}): {completed.stderr.strip()}")
        return completed.stdout

    def start(self, max_connections):
        # --no-sync only skips initdb's own flush of the new files; the server keeps fsync on.
        self.run(self.command("initdb", "-D", self.data, "-U", self.ROLE, "--auth=trust", "--encoding=UTF8",
                              "--no-sync"), "initdb")
        self.port = free_port()
        server_options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                          f"-c max_connections={max_connections}")
        self.run(self.command("pg_ctl", "-D", self.data, "-l", os.path.join(self.directory, "log"), "-w",
                              "-o", server_options, "start"), "pg_ctl start")
        with open(os.path.join(self.data, "postmaster.pid")) as pid_file:
            postmaster = int(pid_file.readline())
        # SIGTERM would be PostgreSQL's smart shutdown, which waits for every client to leave,
        # so the exit trap sends SIGINT (fast shutdown) to the pids in this file instead.
        with open(os.path.join(os.path.dirname(self.processes.pid_file), "postmaster-pids"), "a") as pids:
            pids.write(f"{postmaster}\n")
        version = self.run(self.command("postgres", "--version"), "postgres --version").strip()
        self.log(f"{version} on 127.0.0.1:{self.port}, data in {self.data}")
        return version

    def create_database(self, name):
        self.run(self.command("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.ROLE, name),
                 f"createdb {name}")
        return f"postgres://{self.ROLE}@127.0.0.1:{self.port}/{name}"

    def stop(self):
        if self.port is None:
            return
        self.run(self.command("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"), "pg_ctl stop")
        self.port = None


# MARK: - HTTP


class Client:
    """One keep-alive HTTP/1.1 connection to a loopback server."""

    def __init__(self, port, headers=None):
        self.port = port
        self.headers = dict(headers or {})
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method, path, body=None, headers=None):
        merged = dict(self.headers)
        merged.update(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body, separators=(",", ":")).encode()
            merged["content-type"] = "application/json"
        self.connection.request(method, path, body=body, headers=merged)
        response = self.connection.getresponse()
        return response.status, response.read()

    def expect(self, method, path, body=None, headers=None):
        status, data = self.request(method, path, body, headers)
        if status != 200:
            raise BenchError(f"{method} {path} returned HTTP {status}: {data[:300]!r}")
        return data

    def close(self):
        self.connection.close()


def wait_for_health(port, process, timeout=30.0):
    """Polls GET /v1/health until it returns 200; returns the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if process.poll() is not None:
            raise BenchError(f"the server exited with status {process.returncode} before /v1/health returned 200")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.sendall(b"GET /v1/health HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n")
                if connection.recv(64).startswith(b"HTTP/1.1 200"):
                    return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.002)
    raise BenchError(f"no 200 from http://127.0.0.1:{port}/v1/health within {timeout:.0f} s")


def login(port, api_key, username):
    client = Client(port, {"x-api-key": api_key})
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "instance": INSTANCE})
    data = client.expect("POST", "/v1/oauth2/authorize", form, {"content-type": "application/x-www-form-urlencoded"})
    client.close()
    return json.loads(data)["access_token"]


# MARK: - Seeding


def customer_body(index, reseller_id):
    account = {
        "resellerId": str(reseller_id),
        "companyName": f"Bench Customer {index:04d}",
        "country": "US",
        "state": "NC",
        "city": "Durham",
        "zipCode": "27701",
        "agent": "agent-0000",
        "loginInformation": [login_object(f"bench-customer-{index:04d}")],
    }
    return {"accountType": "Customer", "customerAccount": account}


def login_object(username):
    return {"userName": username, "password": PASSWORD, "firstName": "Bench", "lastName": "Login"}


def customer_plan():
    """Returns (customer index, reseller position) pairs: position 0 last, with exactly 100."""
    rng = random.Random(20260101)
    others = CUSTOMER_COUNT - CALLER_CUSTOMER_COUNT
    weights = [rng.uniform(0.2, 1.8) for _ in range(RESELLER_COUNT - 1)]
    positions = rng.choices(range(1, RESELLER_COUNT), weights=weights, k=others)
    plan = [(index + 1, position) for index, position in enumerate(positions)]
    # The caller's customers come last so their ids all have the same number of digits.
    plan += [(others + index + 1, 0) for index in range(CALLER_CUSTOMER_COUNT)]
    return plan


def seed(port, api_key, log):
    """Creates the account tree and its logins over HTTP; see the module docstring."""
    admin_token = login(port, api_key, "bench-admin")
    headers = {"x-api-key": api_key, "x-access-token": admin_token}
    admin = Client(port, headers)

    reseller_ids = []
    for position in range(RESELLER_COUNT):
        account = {
            "companyName": f"Bench Reseller {position + 1:02d}",
            "country": "US",
            "state": "NC",
            "city": "Raleigh",
            "zipCode": "27601",
            "agent": "agent-0000",
            "loginInformation": [login_object(f"bench-reseller-{position + 1:02d}")],
        }
        data = admin.expect("POST", "/v1/accounts", {"accountType": "Reseller", "resellerAccount": account})
        reseller_ids.append(int(json.loads(data)["accountId"]))
    admin.close()

    plan = customer_plan()

    conflicts = []

    def create_range(chunk):
        client = Client(port, headers)
        created = []
        for index, position in chunk:
            body = customer_body(index, reseller_ids[position])
            data = create_customer(client, body, conflicts)
            created.append((index, position, int(json.loads(data)["accountId"])))
        client.close()
        return created

    # Eight keep-alive clients keep the server's hashing pool busy; the caller's 100
    # customers go last, in one ordered chunk.
    others = plan[:-CALLER_CUSTOMER_COUNT]
    chunks = [others[offset::8] for offset in range(8)]
    customers = []
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for created in pool.map(create_range, chunks):
            customers += created
    customers += create_range(plan[-CALLER_CUSTOMER_COUNT:])
    log(f"created {len(reseller_ids)} resellers and {len(customers)} customers, each with one login, over HTTP")

    caller_ids = sorted(account_id for _, position, account_id in customers if position == 0)
    return caller_ids, len(conflicts)


def create_customer(client, body, conflicts, attempts=5):
    """Sends POST /v1/accounts, and sends it again after HTTP 409.

    The server returns 409 with "send it again" when a write transaction keeps failing on
    concurrent changes. Each 409 is appended to `conflicts`, so the report can show how
    often it happened.
    """
    for attempt in range(1, attempts + 1):
        status, data = client.request("POST", "/v1/accounts", body)
        if status == 200:
            return data
        if status != 409 or attempt == attempts:
            raise BenchError(f"POST /v1/accounts returned HTTP {status} (attempt {attempt} of {attempts}): "
                             f"{data[:300]!r}")
        conflicts.append(data)
        time.sleep(0.05 * attempt)


# MARK: - wrk


UNIT_SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration_ms(text):
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text)
    if not match:
        raise BenchError(f"cannot read the wrk latency {text!r}")
    return float(match.group(1)) * UNIT_SECONDS[match.group(2)] * 1000.0


def parse_wrk(output):
    """Reads req/s, latency percentiles, error counts and non-2xx responses from wrk's output."""
    result = {"rps": None, "p50_ms": None, "p99_ms": None, "errors": 0, "non_2xx": 0, "requests": 0, "statuses": {}}
    for line in output.splitlines():
        line = line.strip()
        if line.startswith("Requests/sec:"):
            result["rps"] = float(line.split()[1])
        elif re.match(r"^\d+ requests in ", line):
            result["requests"] = int(line.split()[0])
        elif line.startswith("50%"):
            result["p50_ms"] = parse_duration_ms(line.split()[1])
        elif line.startswith("99%"):
            result["p99_ms"] = parse_duration_ms(line.split()[1])
        elif line.startswith("Non-2xx or 3xx responses:"):
            result["non_2xx"] = int(line.split(":")[1])
        elif re.match(r"^status \d+: \d+$", line):
            status, count = line.split(":")
            result["statuses"][int(status.split()[1])] = int(count)
        elif line.startswith("Socket errors:"):
            result["errors"] = sum(int(number) for number in re.findall(r"\d+", line))
            result["error_kinds"] = line.split(":", 1)[1].strip()
    if result["rps"] is None:
        raise BenchError(f"wrk printed no Requests/sec line:\n{output}")
    return result


# MARK: - The benchmark


BACKEND_LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
TWO_NODES = "two_nodes"


class Target:
    """One Numberline deployment under test: a single server, or two nodes behind nginx.

    `name` keys the results ("sqlite", "postgres", "two_nodes", or "numberline" in
    bench/sections), `label` heads its column, and `processes` are the servers whose RSS
    the report sums. The API key, access token and caller ids belong to its database.
    """

    def __init__(self, name, label, port, processes, database):
        self.name = name
        self.label = label
        self.port = port
        self.processes = processes
        self.database = database
        self.api_key = None
        self.token = None
        self.ids_file = None

    def rss_kib(self):
        return sum(rss_kib(process.pid) for process in self.processes)


class Bench:
    def __init__(self, options, temp_dir, binary):
        self.options = options
        self.temp_dir = temp_dir
        self.binary = binary
        self.processes = Processes(os.path.join(temp_dir, "pids"))
        self.commands = []
        self.notes = []
        self.rows = []
        # Numberline deployments under test, in column order. bench/sections has one, "numberline".
        self.targets = {}
        self.postgres = None
        self.postgres_version = None
        self.balancer = None
        self.server_logs = {}
        if options.quick:
            self.duration, self.rounds, self.warmup, self.latency_duration, self.startups = 2, 1, 1, 3, 3
        else:
            self.duration, self.rounds, self.warmup, self.latency_duration, self.startups = (
                options.duration, options.rounds, 3, 10, 10)
        self.threads = os.cpu_count() or 1

    def log(self, message):
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    def record_command(self, text):
        if text not in self.commands:
            self.commands.append(text)

    def shown(self, text):
        """Returns a command line for the report, with the temporary directory and the cluster's port as names."""
        text = text.replace(self.temp_dir, "$TMP")
        if self.postgres and self.postgres.port:
            text = text.replace(f"127.0.0.1:{self.postgres.port}/", "127.0.0.1:$PGPORT/")
        return text

    def cli(self, args, stdin=None, database=None):
        command = [self.binary] + args + ["--database", database or self.database]
        self.record_command(self.shown(shlex.join(command)))
        completed = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120)
        if completed.returncode != 0:
            raise BenchError(f"{shlex.join(command)} failed ({completed.returncode}): {completed.stderr.strip()}")
        return completed.stdout

    def create_instance(self, database):
        """Creates the instance, its platform admin and an API key with the CLI, and returns the key."""
        self.cli(["instance", "create", INSTANCE], database=database)
        self.cli(["admin", "create", "--instance", INSTANCE, "--username", "bench-admin", "--password-stdin"],
                 stdin=PASSWORD + "\n", database=database)
        return self.cli(["apikey", "create", "--instance", INSTANCE, "--label", "bench"], database=database).strip()

    def start_postgres(self):
        """Starts the throwaway cluster and returns the URL of a new, empty database `bench`."""
        self.postgres = PostgresCluster(self.temp_dir, self.processes, self.log)
        # Each node opens at most --database-pool connections, and the CLI and createdb need a few more.
        self.postgres_version = self.postgres.start(max_connections=4 * self.options.database_pool + 20)
        return self.postgres.create_database("bench")

    def stop_postgres(self):
        if self.postgres:
            self.postgres.stop()

    # MARK: Servers

    def serve_args(self, port, database=None):
        # The login throttle counts every attempt as a failure until it succeeds, so with the
        # defaults (lock at 10 per username, 100 per address) a storm of valid logins from one
        # loopback address is locked within a second and turns into cheap 429 responses. The
        # raised limits keep the storm doing Argon2id work, which is what it measures.
        database = database or self.database
        args = [self.binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--database", database,
                "--default-instance", INSTANCE, "--threads", str(self.threads), "--no-access-log",
                "--login-lock-after", "1000000", "--login-lock-address-after", "1000000"]
        if database.startswith("postgres://"):
            args += ["--database-pool", str(self.options.database_pool)]
        return args

    def start_server(self, database, log_name):
        """Starts one release server on `database`, waits for /v1/health and returns (process, port)."""
        port = free_port()
        args = self.serve_args(port, database)
        self.record_command(self.shown(shlex.join(args)).replace(str(port), "$PORT"))
        process = self.processes.start(args, os.path.join(self.temp_dir, log_name))
        self.server_logs[process.pid] = log_name
        wait_for_health(port, process)
        return process, port

    def start_numberline(self):
        """Starts the one server of bench/sections on self.database, as the target "numberline"."""
        self.numberline, self.nl_port = self.start_server(self.database, "numberline.log")
        self.targets["numberline"] = Target("numberline", "Numberline", self.nl_port, [self.numberline],
                                            self.database)

    def start_balancer(self, upstream_ports):
        """Starts nginx as a round-robin load balancer over the given Numberline ports and returns its port."""
        port = free_port()
        with open(os.path.join(BENCH_DIR, "nginx-balancer.conf.template")) as template_file:
            config = template_file.read()
        servers = "".join(f"        server 127.0.0.1:{upstream};\n" for upstream in upstream_ports)
        config = (config.replace("@TEMP@", self.temp_dir).replace("@PORT@", str(port))
                  .replace("@UPSTREAM_SERVERS@\n", servers))
        config_path = os.path.join(self.temp_dir, "nginx-balancer.conf")
        with open(config_path, "w") as config_file:
            config_file.write(config)
        args = ["nginx", "-p", self.temp_dir, "-e", os.path.join(self.temp_dir, "nginx-balancer-error.log"),
                "-c", config_path]
        self.record_command(self.shown(shlex.join(args)) + "  # bench/nginx-balancer.conf.template")
        self.balancer = self.processes.start(args, os.path.join(self.temp_dir, "nginx-balancer.log"))
        wait_for_health(port, self.balancer)
        return port

    def start_nginx(self, body_sizes):
        self.start_nginx_from(
            "nginx.conf.template",
            {
                "@BODY_ACCOUNTS@": ("accounts", body_sizes["accounts"]),
                "@BODY_CUSTOMERS@": ("customers", body_sizes["customers"]),
                "@BODY_ACCOUNT_BY_ID@": ("account_by_id", body_sizes["account_by_id"]),
                "@BODY_PUT@": ("put", body_sizes["put"]),
                "@BODY_TOKEN@": ("token", body_sizes["token"]),
            },
            [("GET", "/v1/accounts", body_sizes["accounts"]),
             ("GET", "/v1/accounts/customers", body_sizes["customers"]),
             ("GET", "/v1/accounts/1", body_sizes["account_by_id"]),
             ("PUT", "/v1/accounts/1", body_sizes["put"])])

    def start_nginx_from(self, template_name, bodies, checks):
        """Starts nginx from a template in bench/ and checks the body size of each location.

        `bodies` maps each @BODY_…@ placeholder to (name, size in bytes); `checks` lists
        (method, path, expected size) requests that must return exactly that many bytes.
        """
        self.nginx_port = free_port()
        with open(os.path.join(BENCH_DIR, template_name)) as template_file:
            config = template_file.read()
        config = config.replace("@TEMP@", self.temp_dir).replace("@PORT@", str(self.nginx_port))
        for placeholder, (name, size) in bodies.items():
            config = config.replace(placeholder, nginx_return(name, size))
        config_path = os.path.join(self.temp_dir, "nginx.conf")
        with open(config_path, "w") as config_file:
            config_file.write(config)
        args = ["nginx", "-p", self.temp_dir, "-e", os.path.join(self.temp_dir, "nginx-error.log"), "-c", config_path]
        self.record_command(shlex.join(args).replace(self.temp_dir, "$TMP"))
        self.nginx = self.processes.start(args, os.path.join(self.temp_dir, "nginx.log"))
        wait_for_health(self.nginx_port, self.nginx)

        # Check that nginx returns exactly the sizes measured on Numberline.
        client = Client(self.nginx_port)
        for method, path, size in checks:
            body = client.expect(method, path, b"{}" if method == "PUT" else None)
            if len(body) != size:
                raise BenchError(f"nginx returned {len(body)} bytes for {method} {path}, expected {size}")
        client.close()

    # MARK: Measuring

    def servers(self):
        """Returns the names of every server measured in a round: the targets, then nginx."""
        return list(self.targets) + ["nginx"]

    def credentials(self, server):
        """Returns the API key and access token of a target, or those set on self (bench/sections)."""
        target = self.targets[server]
        return target.api_key or self.api_key, target.token or self.token

    def wrk(self, server, port, script, path, duration, connections=50, rate=0, extra_env=None, latency=False,
            timeout=None, record=True):
        env = dict(os.environ)
        env["BENCH_DIR"] = BENCH_DIR
        env["BENCH_RATE"] = str(rate)
        env.update(extra_env or {})
        args = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s"]
        if latency:
            args.append("--latency")
        if timeout:
            args.append(f"--timeout={timeout}s")
        args += ["-s", os.path.join(BENCH_DIR, script)]
        api_key, token = None, None
        if server != "nginx":
            api_key, token = self.credentials(server)
            args += ["-H", f"x-api-key: {api_key}", "-H", f"x-access-token: {token}"]
        args.append(f"http://127.0.0.1:{port}{path}")
        if record:
            shown = shlex.join(args).replace(BENCH_DIR, "bench").replace(str(port), "$PORT")
            if api_key:
                shown = shown.replace(api_key, "$KEY").replace(token, "$TOKEN")
            variables = " ".join(f"{key}={value}" for key, value in sorted((extra_env or {}).items())
                                 if key != "BENCH_LOGIN_BODY")
            if rate:
                variables = f"BENCH_RATE=<half the max> {variables}"
            self.record_command(f"{variables} {shown}".strip().replace(self.temp_dir, "$TMP"))
        completed = subprocess.run(args, capture_output=True, text=True, env=env, timeout=duration + 60)
        self.check_servers_running()
        if completed.returncode != 0:
            raise BenchError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
        return parse_wrk(completed.stdout)

    def check_servers_running(self):
        """Raises with the end of the server's log when a Numberline server or nginx has exited."""
        watched = [("nginx", self.nginx, "nginx-error.log")]
        if self.balancer:
            watched.append(("the nginx load balancer", self.balancer, "nginx-balancer-error.log"))
        for target in self.targets.values():
            for process in target.processes:
                log_name = self.server_logs.get(process.pid, "numberline.log")
                watched.append((f"Numberline ({target.label}, pid {process.pid})", process, log_name))
        for name, process, log_name in watched:
            if process.poll() is None:
                continue
            tail = ""
            if log_name:
                with open(os.path.join(self.temp_dir, log_name), errors="replace") as log:
                    tail = "".join(log.readlines()[-15:])
            raise BenchError(f"{name} exited with status {process.returncode} during the run; "
                             f"the logs are in {self.temp_dir}\n{tail}")

    def scenario(self, name, server=None):
        """Returns (script, Numberline path, nginx path, extra environment) for a scenario."""
        ids_file = self.targets[server].ids_file if server in self.targets else self.default_ids_file()
        ids_env = {"BENCH_IDS": ids_file}
        return {
            "accounts": ("get.lua", "/v1/accounts", "/v1/accounts", {}),
            "account_by_id": ("get_account.lua", "/", "/", ids_env),
            "customers": ("get.lua", "/v1/accounts/customers", "/v1/accounts/customers", {}),
            "put": ("put_account.lua", "/", "/", ids_env),
        }[name]

    def default_ids_file(self):
        """Returns the first target's caller ids, which nginx's GET and PUT scenarios draw from."""
        return next(iter(self.targets.values())).ids_file

    def scenario_title(self, name):
        return SCENARIO_TITLES[name]

    def port_of(self, server):
        return self.nginx_port if server == "nginx" else self.targets[server].port

    def server_scenario(self, name, server):
        """Returns (script, path, extra environment) of a scenario on one server."""
        script, nl_path, nginx_path, env = self.scenario(name, server)
        return script, (nginx_path if server == "nginx" else nl_path), env

    def record_rss(self, name):
        self.rss_after[name] = {target.name: target.rss_kib() for target in self.targets.values()}
        self.rss_after[name]["nginx"] = tree_rss_kib(self.nginx.pid)

    def throughput(self, name):
        results = {server: [] for server in self.servers()}
        for server in self.servers():
            script, path, env = self.server_scenario(name, server)
            self.wrk(server, self.port_of(server), script, path, self.warmup, extra_env=env, record=False)
        for round_number in range(self.rounds):
            for server in self.servers():
                script, path, env = self.server_scenario(name, server)
                result = self.wrk(server, self.port_of(server), script, path, self.duration, extra_env=env)
                self.check_clean(f"{self.scenario_title(name)} on {server}", result)
                results[server].append(result["rps"])
        medians = {server: statistics.median(values) for server, values in results.items()}
        self.log(f"{name}: " + " ".join(f"{server} {values}" for server, values in results.items()))
        self.record_rss(name)
        return medians, results

    def check_clean(self, what, result):
        if result["non_2xx"] or result["errors"]:
            self.notes.append(f"{what}: {result['non_2xx']} non-2xx responses and {result['errors']} socket errors "
                              f"({result.get('error_kinds', 'none')}) in {result['requests']} requests.")

    def paced_latency(self, name, server, max_rps):
        script, path, env = self.server_scenario(name, server)
        rate = max(1, int(max_rps / 2))
        result = self.wrk(server, self.port_of(server), script, path, self.latency_duration, rate=rate,
                          extra_env=env, latency=True)
        self.check_clean(f"{SCENARIO_TITLES[name]} paced on {server}", result)
        return rate, result

    def login_storm(self, server):
        """Runs the login wrk and the read wrk together.

        Returns the median reads/s, the median login requests/s, and the successful logins
        per second over all rounds.
        """
        port = self.port_of(server)
        login_env = dict(os.environ)
        login_env["BENCH_DIR"] = BENCH_DIR
        login_env["BENCH_LOGIN_BODY"] = urllib.parse.urlencode(
            {"username": "bench-reseller-01", "password": PASSWORD, "instance": INSTANCE})
        # Four connections keep Numberline's hashing pool busy. With 50, each round left a
        # backlog of abandoned logins that the server still hashed, at about 2 per second on
        # the loaded 2-core test machine. The next round's logins waited behind that backlog,
        # and none of them completed within the round.
        login_args = ["wrk", "-t1", "-c4", f"-d{self.duration}s", "--timeout=10s",
                      "-s", os.path.join(BENCH_DIR, "login.lua")]
        api_key = None
        if server != "nginx":
            api_key = self.credentials(server)[0]
            login_args += ["-H", f"x-api-key: {api_key}"]
        login_args.append(f"http://127.0.0.1:{port}/v1/oauth2/authorize")
        shown = shlex.join(login_args).replace(BENCH_DIR, "bench").replace(str(port), "$PORT")
        if api_key:
            shown = shown.replace(api_key, "$KEY")
        self.record_command("BENCH_LOGIN_BODY='username=bench-reseller-01&password=...&instance=bench' "
                            + shown + "  # at the same time as the GET /v1/accounts wrk")
        reads, logins, ok_logins = [], [], []
        for _ in range(self.rounds):
            storm = subprocess.Popen(login_args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=login_env)
            try:
                time.sleep(0.5)
                read = self.wrk(server, port, "get.lua", "/v1/accounts", self.duration, record=False)
                storm_out, storm_err = storm.communicate(timeout=self.duration + 60)
            finally:
                if storm.poll() is None:
                    storm.kill()
                    storm.wait()
            if storm.returncode != 0:
                raise BenchError(f"the login wrk failed ({storm.returncode}): {storm_err.strip()}")
            storm_result = parse_wrk(storm_out)
            if server != "nginx":
                shares = ", ".join(f"{count} HTTP {status}" for status, count in sorted(storm_result["statuses"].items()))
                self.notes.append(f"Login storm round on {self.targets[server].label}: {shares or 'no responses'} "
                                  f"in {storm_result['requests']} requests.")
            self.check_clean(f"GET /v1/accounts during the login storm on {server}", read)
            reads.append(read["rps"])
            logins.append(storm_result["rps"])
            ok_logins.append(storm_result["statuses"].get(200, 0))
        self.log(f"storm {server}: reads {reads} logins/s {logins} successful logins per round {ok_logins}")
        # Logins complete a few per second, so the rate is summed over all rounds, not a median.
        return statistics.median(reads), statistics.median(logins), sum(ok_logins) / (self.rounds * self.duration)

    def startup_times(self, database):
        """Returns the median seconds from exec to the first 200 from /v1/health, and the method.

        This is a timed loop in this process, not hyperfine. hyperfine times a whole
        command, so each run needs a polling helper, and on a loaded 2-core machine that
        helper dominated the figure. Measured once there: about 1.4 s with curl in a loop,
        0.95 s with a spinning bash /dev/tcp loop, 0.4 s with this loop polling every 2 ms.
        """
        port = free_port()
        args = self.serve_args(port, database)
        self.record_command(self.shown(shlex.join(args)).replace(str(port), "$PORT")
                            + f"  # {self.startups} times, polling GET /v1/health every 2 ms, then SIGKILL")
        samples = []
        for _ in range(self.startups):
            process = self.processes.start(args, os.path.join(self.temp_dir, "startup.log"))
            try:
                samples.append(wait_for_health(port, process))
            finally:
                # SIGKILL: the sample ends at the first 200, and a graceful stop is not measured.
                process.kill()
                self.processes.stop(process)
        return statistics.median(samples), f"{self.startups} starts, socket polling every 2 ms"

    def soak(self, target, rate):
        """Drives GET /v1/accounts at `rate` for --soak seconds; returns the RSS samples in KiB."""
        env = dict(os.environ, BENCH_DIR=BENCH_DIR, BENCH_RATE=str(rate))
        api_key, token = self.credentials(target.name)
        args = ["wrk", "-t1", "-c50", f"-d{self.options.soak}s", "-s", os.path.join(BENCH_DIR, "get.lua"),
                "-H", f"x-api-key: {api_key}", "-H", f"x-access-token: {token}",
                f"http://127.0.0.1:{target.port}/v1/accounts"]
        shown = shlex.join(args).replace(BENCH_DIR, "bench").replace(str(target.port), "$PORT")
        self.record_command("BENCH_RATE=<half the max> " + shown.replace(api_key, "$KEY").replace(token, "$TOKEN"))
        samples = [(0, target.rss_kib())]
        soak = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        start = time.monotonic()
        try:
            while soak.poll() is None:
                time.sleep(1)
                elapsed = time.monotonic() - start
                if elapsed >= len(samples) * 10 and elapsed < self.options.soak + 1:
                    samples.append((round(elapsed), target.rss_kib()))
            output, errors = soak.communicate()
        finally:
            if soak.poll() is None:
                soak.kill()
                soak.wait()
        if soak.returncode != 0:
            raise BenchError(f"the soak wrk failed ({soak.returncode}): {errors.strip()}")
        result = parse_wrk(output)
        self.check_clean(f"soak GET /v1/accounts on {target.label}", result)
        samples.append((round(time.monotonic() - start), target.rss_kib()))
        return samples, result

    # MARK: Run

    def backends(self):
        return {"sqlite": ["sqlite"], "postgres": ["postgres"], "both": ["sqlite", "postgres"]}[self.options.backend]

    def run(self):
        self.rss_after = {}
        self.soak_texts = []
        self.log(f"temporary directory {self.temp_dir}")

        databases = {}
        for backend in self.backends():
            if backend == "postgres":
                databases[backend] = self.start_postgres()
            else:
                databases[backend] = os.path.join(self.temp_dir, "numberline.db")
        self.database = databases[self.backends()[0]]
        api_keys = {backend: self.create_instance(database) for backend, database in databases.items()}
        self.api_key, self.token = api_keys[self.backends()[0]], "(none yet)"

        startup = {}
        for backend, database in databases.items():
            startup[backend] = self.startup_times(database)
            self.log(f"start-up on {BACKEND_LABELS[backend]}: median {startup[backend][0] * 1000:.1f} ms "
                     f"({startup[backend][1]})")

        single = len(databases) == 1 and not self.options.two_nodes
        for backend, database in databases.items():
            process, port = self.start_server(database, f"numberline-{backend}.log")
            target = Target(backend, "Numberline" if single else BACKEND_LABELS[backend], port, [process], database)
            target.api_key = api_keys[backend]
            self.targets[backend] = target
        idle_rss = {name: target.rss_kib() for name, target in self.targets.items()}

        # Each server hashes its 2,020 passwords on its own hashing thread, so seeding both
        # backends at once takes about as long as seeding one on a 2-core machine.
        seed_start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(len(self.targets)) as pool:
            seeded = {name: pool.submit(seed, target.port, target.api_key, self.log)
                      for name, target in self.targets.items()}
            results = {name: future.result() for name, future in seeded.items()}
        self.log(f"seeded {', '.join(self.targets)} in {time.monotonic() - seed_start:.1f} s")
        caller_ids = {name: ids for name, (ids, _) in results.items()}
        for name, (_, conflicts) in results.items():
            if conflicts:
                self.notes.append(f"Seeding on {self.targets[name].label}: POST /v1/accounts returned HTTP 409 "
                                  f"(serialization conflict after the server's own retries) {conflicts} times "
                                  "with 8 parallel clients; the driver sent each request again.")
                self.log(f"seeding on {name}: {conflicts} HTTP 409 responses, each sent again")
        for name, target in self.targets.items():
            target.ids_file = os.path.join(self.temp_dir, f"caller-customer-ids-{name}.txt")
            with open(target.ids_file, "w") as ids_file:
                ids_file.write("".join(f"{account_id}\n" for account_id in caller_ids[name]))
            target.token = login(target.port, target.api_key, "bench-reseller-01")

        if self.options.two_nodes:
            self.start_two_nodes()

        body_sizes = None
        for name, target in self.targets.items():
            sizes = self.measure_bodies(target, caller_ids.get(name, caller_ids.get("postgres")))
            if body_sizes is None:
                body_sizes = sizes
            elif sizes != body_sizes:
                self.notes.append(f"{target.label} returned body sizes {sizes}, the first target {body_sizes}; "
                                  "nginx returns the first target's sizes.")
        self.start_nginx(body_sizes)
        nginx_idle_rss = tree_rss_kib(self.nginx.pid)

        throughput = {}
        for name in ["accounts", "account_by_id", "customers", "put"]:
            self.log(f"throughput: {name}")
            throughput[name] = self.throughput(name)[0]

        self.log("login storm")
        storm = {server: self.login_storm(server) for server in self.servers()}
        self.record_rss("storm")

        latency = {}
        for name in READ_SCENARIOS:
            self.log(f"latency at half the max rate: {name}")
            latency[name] = {server: self.paced_latency(name, server, throughput[name][server])
                             for server in self.servers()}

        soaks = {}
        if self.options.soak > 0:
            for name, target in self.targets.items():
                if name == TWO_NODES:
                    continue
                rate = max(1, int(throughput["accounts"][name] / 2))
                self.log(f"soak on {target.label}: {self.options.soak} s of GET /v1/accounts at {rate} req/s")
                soaks[name] = self.soak(target, rate)
                text = ", ".join(f"{seconds} s: {mib(rss)}" for seconds, rss in soaks[name][0])
                self.soak_texts.append(f"{target.label}: {text}")

        return self.report(body_sizes, throughput, storm, latency, startup, idle_rss, nginx_idle_rss, soaks)

    def start_two_nodes(self):
        """Adds a second server on the PostgreSQL database and nginx in front of both, as one target."""
        first = self.targets["postgres"]
        process, port = self.start_server(first.database, "numberline-postgres-node2.log")
        balancer_port = self.start_balancer([first.port, port])
        target = Target(TWO_NODES, "PostgreSQL, 2 nodes behind nginx", balancer_port, [first.processes[0], process],
                        first.database)
        target.api_key, target.token, target.ids_file = first.api_key, first.token, first.ids_file
        self.targets[TWO_NODES] = target

        # Both nodes must accept the token issued by the first, through the balancer.
        client = Client(balancer_port, {"x-api-key": target.api_key, "x-access-token": target.token})
        for _ in range(4):
            client.expect("GET", "/v1/accounts")
        client.close()
        self.log(f"two nodes on ports {first.port} and {port} behind nginx on {balancer_port}")

    def measure_bodies(self, target, caller_ids):
        client = Client(target.port, {"x-api-key": target.api_key, "x-access-token": target.token})
        sizes = {"accounts": len(client.expect("GET", "/v1/accounts"))}
        customers = client.expect("GET", "/v1/accounts/customers")
        if len(json.loads(customers)) != CALLER_CUSTOMER_COUNT:
            raise BenchError(f"the caller sees {len(json.loads(customers))} customers on {target.label}, "
                             f"expected {CALLER_CUSTOMER_COUNT}")
        sizes["customers"] = len(customers)
        by_id = {len(client.expect("GET", f"/v1/accounts/{account_id}")) for account_id in caller_ids}
        if len(by_id) != 1:
            self.notes.append(f"GET /v1/accounts/{{id}} bodies on {target.label} range from {min(by_id)} to "
                              f"{max(by_id)} bytes; nginx returns {max(by_id)}.")
        sizes["account_by_id"] = max(by_id)
        sizes["put"] = len(client.expect(
            "PUT", f"/v1/accounts/{caller_ids[0]}",
            {"accountType": "Customer", "customerAccount": {"agent": "agent-0000"}}))
        client.close()
        form = urllib.parse.urlencode({"username": "bench-reseller-01", "password": PASSWORD, "instance": INSTANCE})
        token_client = Client(target.port, {"x-api-key": target.api_key})
        sizes["token"] = len(token_client.expect(
            "POST", "/v1/oauth2/authorize", form, {"content-type": "application/x-www-form-urlencoded"}))
        token_client.close()
        self.log(f"body sizes in bytes on {target.label}: {sizes}")
        return sizes

    # MARK: Report

    def compared(self):
        """Returns True when the run measures SQLite and PostgreSQL single servers side by side."""
        return "sqlite" in self.targets and "postgres" in self.targets

    def report(self, body_sizes, throughput, storm, latency, startup, idle_rss, nginx_idle_rss, soaks):
        rows = []
        names = list(self.targets)

        def add(label, cells, ratios=None, cross=""):
            """Adds a row: `cells` maps each server to its text, `ratios` each target to its ratio to nginx."""
            ratios = ratios or {}
            line = [label] + [cells.get(server, "") for server in self.servers()]
            line += [ratios.get(name, "") for name in names]
            if self.compared():
                line.append(cross)
            rows.append("| " + " | ".join(line) + " |")

        def ratio_cells(values, text=ratio_text):
            return {name: text(values[name] / values["nginx"]) for name in names}

        def cross_ratio(values):
            return f"{values['postgres'] / values['sqlite']:.2f}" if self.compared() else ""

        for name in ["accounts", "account_by_id", "customers", "put"]:
            values = throughput[name]
            add(f"{SCENARIO_TITLES[name]}, req/s, body {body_sizes[name]} B",
                {server: f"{value:,.0f}" for server, value in values.items()}, ratio_cells(values),
                cross_ratio(values))
        reads = {server: result[0] for server, result in storm.items()}
        add("GET /v1/accounts during a login storm, req/s", {server: f"{value:,.0f}" for server, value in reads.items()},
            ratio_cells(reads), cross_ratio(reads))
        add("  same, as a share of the solo read rate",
            {server: f"{reads[server] / throughput['accounts'][server]:.0%}" for server in self.servers()})
        add("  POST /v1/oauth2/authorize meanwhile, req/s (median)",
            {server: f"{result[1]:,.1f}" if server != "nginx" else f"{result[1]:,.0f}"
             for server, result in storm.items()})
        add("  of which successful logins (HTTP 200), per s over all rounds",
            {server: f"{storm[server][2]:,.1f}" for server in names})
        for name in READ_SCENARIOS:
            rates = " / ".join(f"{latency[name][server][0]:,}" for server in self.servers())
            achieved = " / ".join(f"{latency[name][server][1]['rps']:,.0f}" for server in self.servers())
            p99 = {server: latency[name][server][1]["p99_ms"] for server in self.servers()}
            add(f"{SCENARIO_TITLES[name]}, p50 / p99 ms at half the max rate (target {rates} req/s, "
                f"achieved {achieved})",
                {server: f"{result['p50_ms']:.2f} / {result['p99_ms']:.2f}" for server, (_, result) in latency[name].items()},
                ratio_cells(p99, lambda value: f"{value:.1f} (p99)"),
                f"{p99['postgres'] / p99['sqlite']:.1f} (p99)" if self.compared() else "")
        methods = {method for _, method in startup.values()}
        add(f"start-up to the first 200 from /v1/health, median ms ({', '.join(sorted(methods))})",
            {backend: f"{seconds * 1000:.0f}" for backend, (seconds, _) in startup.items()})
        idle_cells = {name: mib(value) for name, value in idle_rss.items()}
        idle_cells["nginx"] = mib(nginx_idle_rss)
        add("idle RSS after start, MiB (nginx: master and 2 workers)", idle_cells)
        for name in ["accounts", "account_by_id", "customers", "put", "storm"]:
            title = "the login storm" if name == "storm" else SCENARIO_TITLES[name]
            add(f"RSS after {title}, MiB" + (" (2 nodes: the sum of both)" if TWO_NODES in self.targets else ""),
                {server: mib(value) for server, value in self.rss_after[name].items()})
        for name, (samples, result) in soaks.items():
            first, last = samples[0][1], samples[-1][1]
            peak = max(rss for _, rss in samples)
            add(f"RSS during a {self.options.soak} s soak of GET /v1/accounts at {result['rps']:,.0f} req/s, "
                f"MiB: start / end / max", {name: f"{mib(first)} / {mib(last)} / {mib(peak)}"})

        targets = []
        for name, target in self.targets.items():
            if name == TWO_NODES:
                continue
            prefix = "" if len(self.targets) == 1 else f"{target.label}: "
            targets += [(prefix + text, value, met) for text, value, met in
                        self.evaluate_targets(name, throughput, storm, latency, idle_rss[name], soaks.get(name))]
        return rows, targets

    def evaluate_targets(self, name, throughput, storm, latency, idle_rss, soak):
        targets = []
        ratio = throughput["accounts"][name] / throughput["accounts"]["nginx"]
        targets.append(("GET /v1/accounts ≥ 0.6 × nginx", f"{ratio:.2f} × nginx", ratio >= 0.6))
        share = storm[name][0] / throughput["accounts"][name]
        targets.append(("reads keep ≥ half their rate during a login storm", f"{share:.0%} of the solo rate",
                        share >= 0.5))
        worst = max(latency[scenario][name][1]["p99_ms"] for scenario in READ_SCENARIOS)
        targets.append(("p99 < 5 ms at half load, every read scenario", f"worst p99 {worst:.2f} ms", worst < 5.0))
        idle_bytes = idle_rss * 1024
        targets.append(("idle RSS < 30 MB", f"{idle_bytes / 1e6:.1f} MB ({idle_rss / 1024:.1f} MiB)", idle_bytes < 30e6))
        if soak:
            samples = soak[0]
            first = samples[1][1] if len(samples) > 2 else samples[0][1]
            last = samples[-1][1]
            growth = (last - first) / first
            # Growth after the first 10 s sample, which includes the warm-up of caches and pools.
            targets.append(("no unexplained soak growth", f"{growth:+.1%} from the 10 s sample to the end",
                            abs(growth) < 0.05))
        else:
            targets.append(("no unexplained soak growth", "not measured (--soak 0)", None))
        return targets

    def markdown(self, rows, targets):
        labels = [target.label for target in self.targets.values()]
        header = ["measurement"] + labels + ["nginx"] + [f"{label} / nginx" for label in labels]
        if self.compared():
            header.append("PostgreSQL / SQLite")
        lines = environment_lines(self.threads, self.backend_text()) + [
            f"- wrk `-t1 -c50 -d{self.duration}s`, {self.rounds} alternating rounds after a {self.warmup} s warm-up; "
            "medians of the rounds",
            "- latency: wrk `--latency` with -c50, paced to half of each server's median max rate by wrk's "
            "`delay()` hook (bench/pacing.lua); a connection waits for its response before its next slot",
            "",
            "| " + " | ".join(header) + " |",
            "|" + " --- |" * len(header),
        ] + rows + [
            "",
            "| target | measured | met |",
            "| --- | --- | --- |",
        ] + [f"| {name} | {value} | {'n/a' if met is None else ('met' if met else 'missed')} |"
             for name, value, met in targets]
        if self.soak_texts:
            lines += ["", "Numberline RSS during the soak, MiB every 10 s:"] + [f"- {text}" for text in self.soak_texts]
        if self.notes:
            lines += ["", "Notes:"] + [f"- {note}" for note in self.notes]
        lines += ["", "Commands (`$TMP` is the temporary directory, `$PORT` a free loopback port, `$PGPORT` the "
                  "cluster's port):", "", "```sh"]
        lines += self.commands + ["```"]
        return "\n".join(lines) + "\n"

    def backend_text(self):
        """Returns the database part of the report's Numberline line."""
        parts = [BACKEND_LABELS[backend] for backend in self.backends()]
        text = " and ".join(parts)
        if self.postgres_version:
            text += (f" ({self.postgres_version}, a throwaway cluster on 127.0.0.1 with fsync on, "
                     f"`--database-pool {self.options.database_pool}`)")
        if getattr(self.options, "two_nodes", False):
            text += "; two nodes on the PostgreSQL database behind nginx (bench/nginx-balancer.conf.template)"
        return text


def environment_lines(threads, backend="SQLite"):
    """Returns the report's first lines: date, machine and load, commit, database, nginx and wrk versions."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()
    commit = subprocess.run(["git", "-C", REPO_DIR, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", REPO_DIR, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    nginx_version = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    return [
        f"- date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- machine: {os.cpu_count()} CPUs (`nproc`), {cpu}; load average at the end "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1 / 5 / 15 min)",
        f"- Numberline: commit {commit}{' with local changes' if dirty else ''}, `swift build -c release`, "
        f"`--threads {threads} --no-access-log`, {backend}",
        f"- {nginx_version}, `return 200`, 2 workers, `access_log off`; {wrk_version}",
    ]


def nginx_return(name, size):
    """Builds a `return 200` whose body is a JSON object of exactly `size` bytes."""
    prefix, suffix = '{"pad":"', '"}'
    if size < len(prefix) + len(suffix):
        raise BenchError(f"cannot build a {size}-byte JSON body for nginx")
    body = prefix + "x" * (size - len(prefix) - len(suffix)) + suffix
    if size <= NGINX_CHUNK_BYTES:
        return f"return 200 '{body}';"
    chunks = [body[offset:offset + NGINX_CHUNK_BYTES] for offset in range(0, size, NGINX_CHUNK_BYTES)]
    directives = [f"set $bench_{name}_{index} '{chunk}';" for index, chunk in enumerate(chunks)]
    joined = "".join(f"${{bench_{name}_{index}}}" for index in range(len(chunks)))
    return " ".join(directives) + f' return 200 "{joined}";'


def add_backend_arguments(parser, choices=("sqlite", "postgres", "both")):
    """Adds --backend and --database-pool, which bench/run and bench/sections share."""
    help_text = ("database of the servers under test: a SQLite file (default) or a throwaway PostgreSQL "
                 "cluster started on 127.0.0.1")
    if "both" in choices:
        help_text += ", or both side by side in one run"
    parser.add_argument("--backend", choices=choices, default="sqlite", help=help_text)
    parser.add_argument("--database-pool", type=int, default=8,
                        help="PostgreSQL connections per server (the server's --database-pool; default 8)")


def ratio_text(value):
    """Formats a ratio with two decimals, or three below 0.1, so that small ratios do not show as 0.00."""
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def mib(kib):
    return f"{kib / 1024:.1f}"


def main():
    parser = argparse.ArgumentParser(prog="bench/run", description="Benchmark Numberline against nginx on loopback.")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per scenario (default 3)")
    parser.add_argument("--quick", action="store_true", help="2 s rounds, 1 round, 3 start-ups: a smoke check")
    parser.add_argument("--soak", type=int, default=180, help="soak seconds at half the max rate; 0 skips (default 180)")
    parser.add_argument("--output", help="also write the markdown report to this file")
    add_backend_arguments(parser)
    parser.add_argument("--two-nodes", action="store_true",
                        help="also measure two servers on the PostgreSQL database behind an nginx load balancer "
                             "(needs --backend postgres or both)")
    parser.add_argument("--temp-dir", required=True, help=argparse.SUPPRESS)
    parser.add_argument("--binary", required=True, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.duration < 1 or options.rounds < 1 or options.soak < 0:
        parser.error("--duration and --rounds must be at least 1 and --soak at least 0")
    if options.two_nodes and options.backend == "sqlite":
        parser.error("--two-nodes runs on PostgreSQL; give --backend postgres or --backend both")

    # bench/run's exit trap sends SIGTERM; raising SystemExit runs the `finally` below.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(143))
    bench = Bench(options, options.temp_dir, options.binary)
    try:
        rows, targets = bench.run()
        report = bench.markdown(rows, targets)
    except BenchError as error:
        print(f"bench/run: {error}", file=sys.stderr)
        return 1
    finally:
        bench.processes.stop_all()
        bench.stop_postgres()
    print(report, end="")
    if options.output:
        with open(options.output, "w") as output:
            output.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
