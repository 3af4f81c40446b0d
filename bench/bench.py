#!/usr/bin/env python3
"""Benchmark Numberline against nginx on loopback; started by bench/run.

Python 3 standard library only. bench/run checks the tools and makes the temporary
directory. On any exit it stops every process listed in its pid file, and this
script also stops what it started in a `finally` block.

Seeded data (a fresh SQLite file in the temporary directory):
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
import random
import re
import shlex
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

    def create_range(chunk):
        client = Client(port, headers)
        created = []
        for index, position in chunk:
            body = customer_body(index, reseller_ids[position])
            data = client.expect("POST", "/v1/accounts", body)
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
    return caller_ids


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


class Bench:
    def __init__(self, options, temp_dir, binary):
        self.options = options
        self.temp_dir = temp_dir
        self.binary = binary
        self.processes = Processes(os.path.join(temp_dir, "pids"))
        self.commands = []
        self.notes = []
        self.rows = []
        self.targets = []
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

    def cli(self, args, stdin=None):
        command = [self.binary] + args + ["--database", self.database]
        self.record_command(shlex.join(command).replace(self.temp_dir, "$TMP"))
        completed = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120)
        if completed.returncode != 0:
            raise BenchError(f"{shlex.join(command)} failed ({completed.returncode}): {completed.stderr.strip()}")
        return completed.stdout

    # MARK: Servers

    def serve_args(self, port):
        # The login throttle counts every attempt as a failure until it succeeds, so with the
        # defaults (lock at 10 per username, 100 per address) a storm of valid logins from one
        # loopback address is locked within a second and turns into cheap 429 responses. The
        # raised limits keep the storm doing Argon2id work, which is what it measures.
        return [self.binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--database", self.database,
                "--default-instance", INSTANCE, "--threads", str(self.threads), "--no-access-log",
                "--login-lock-after", "1000000", "--login-lock-address-after", "1000000"]

    def start_numberline(self):
        self.nl_port = free_port()
        args = self.serve_args(self.nl_port)
        self.record_command(shlex.join(args).replace(self.temp_dir, "$TMP").replace(str(self.nl_port), "$PORT"))
        self.numberline = self.processes.start(args, os.path.join(self.temp_dir, "numberline.log"))
        wait_for_health(self.nl_port, self.numberline)

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
        if server == "numberline":
            args += ["-H", f"x-api-key: {self.api_key}", "-H", f"x-access-token: {self.token}"]
        args.append(f"http://127.0.0.1:{port}{path}")
        if record:
            shown = shlex.join(args).replace(BENCH_DIR, "bench").replace(str(port), "$PORT")
            shown = shown.replace(self.api_key, "$KEY").replace(self.token, "$TOKEN")
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
        """Raises with the end of the server's log when Numberline or nginx has exited."""
        for name, process, log_name in [("Numberline", self.numberline, "numberline.log"),
                                        ("nginx", self.nginx, "nginx-error.log")]:
            if process.poll() is None:
                continue
            with open(os.path.join(self.temp_dir, log_name), errors="replace") as log:
                tail = "".join(log.readlines()[-15:])
            raise BenchError(f"{name} exited with status {process.returncode} during the run; "
                             f"the end of its log:\n{tail}")

    def scenario(self, name):
        """Returns (script, Numberline path, nginx path, extra environment) for a scenario."""
        ids_env = {"BENCH_IDS": self.ids_file}
        return {
            "accounts": ("get.lua", "/v1/accounts", "/v1/accounts", {}),
            "account_by_id": ("get_account.lua", "/", "/", ids_env),
            "customers": ("get.lua", "/v1/accounts/customers", "/v1/accounts/customers", {}),
            "put": ("put_account.lua", "/", "/", ids_env),
        }[name]

    def scenario_title(self, name):
        return SCENARIO_TITLES[name]

    def port_of(self, server):
        return self.nl_port if server == "numberline" else self.nginx_port

    def throughput(self, name):
        script, nl_path, nginx_path, env = self.scenario(name)
        paths = {"numberline": nl_path, "nginx": nginx_path}
        results = {"numberline": [], "nginx": []}
        for server in ("numberline", "nginx"):
            self.wrk(server, self.port_of(server), script, paths[server], self.warmup, extra_env=env, record=False)
        for round_number in range(self.rounds):
            for server in ("numberline", "nginx"):
                result = self.wrk(server, self.port_of(server), script, paths[server], self.duration, extra_env=env)
                self.check_clean(f"{self.scenario_title(name)} on {server}", result)
                results[server].append(result["rps"])
        medians = {server: statistics.median(values) for server, values in results.items()}
        self.log(f"{name}: numberline {results['numberline']} nginx {results['nginx']}")
        self.rss_after[name] = (rss_kib(self.numberline.pid), tree_rss_kib(self.nginx.pid))
        return medians, results

    def check_clean(self, what, result):
        if result["non_2xx"] or result["errors"]:
            self.notes.append(f"{what}: {result['non_2xx']} non-2xx responses and {result['errors']} socket errors "
                              f"in {result['requests']} requests.")

    def paced_latency(self, name, server, max_rps):
        script, nl_path, nginx_path, env = self.scenario(name)
        path = nl_path if server == "numberline" else nginx_path
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
        if server == "numberline":
            login_args += ["-H", f"x-api-key: {self.api_key}"]
        login_args.append(f"http://127.0.0.1:{port}/v1/oauth2/authorize")
        shown = shlex.join(login_args).replace(BENCH_DIR, "bench").replace(str(port), "$PORT")
        self.record_command("BENCH_LOGIN_BODY='username=bench-reseller-01&password=...&instance=bench' "
                            + shown.replace(self.api_key, "$KEY") + "  # at the same time as the GET /v1/accounts wrk")
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
            if server == "numberline":
                shares = ", ".join(f"{count} HTTP {status}" for status, count in sorted(storm_result["statuses"].items()))
                self.notes.append(f"Login storm round on Numberline: {shares or 'no responses'} "
                                  f"in {storm_result['requests']} requests.")
            self.check_clean(f"GET /v1/accounts during the login storm on {server}", read)
            reads.append(read["rps"])
            logins.append(storm_result["rps"])
            ok_logins.append(storm_result["statuses"].get(200, 0))
        self.log(f"storm {server}: reads {reads} logins/s {logins} successful logins per round {ok_logins}")
        # Logins complete a few per second, so the rate is summed over all rounds, not a median.
        return statistics.median(reads), statistics.median(logins), sum(ok_logins) / (self.rounds * self.duration)

    def startup_times(self):
        """Returns the median seconds from exec to the first 200 from /v1/health, and the method.

        This is a timed loop in this process, not hyperfine. hyperfine times a whole
        command, so each run needs a polling helper, and on a loaded 2-core machine that
        helper dominated the figure. Measured once there: about 1.4 s with curl in a loop,
        0.95 s with a spinning bash /dev/tcp loop, 0.4 s with this loop polling every 2 ms.
        """
        port = free_port()
        args = self.serve_args(port)
        self.record_command(shlex.join(args).replace(self.temp_dir, "$TMP").replace(str(port), "$PORT")
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

    def soak(self, rate):
        """Drives GET /v1/accounts at `rate` for --soak seconds; returns the RSS samples in KiB."""
        env = dict(os.environ, BENCH_DIR=BENCH_DIR, BENCH_RATE=str(rate))
        args = ["wrk", "-t1", "-c50", f"-d{self.options.soak}s", "-s", os.path.join(BENCH_DIR, "get.lua"),
                "-H", f"x-api-key: {self.api_key}", "-H", f"x-access-token: {self.token}",
                f"http://127.0.0.1:{self.nl_port}/v1/accounts"]
        shown = shlex.join(args).replace(BENCH_DIR, "bench").replace(str(self.nl_port), "$PORT")
        self.record_command("BENCH_RATE=<half the max> " + shown.replace(self.api_key, "$KEY").replace(self.token, "$TOKEN"))
        samples = [(0, rss_kib(self.numberline.pid))]
        soak = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        start = time.monotonic()
        try:
            while soak.poll() is None:
                time.sleep(1)
                elapsed = time.monotonic() - start
                if elapsed >= len(samples) * 10 and elapsed < self.options.soak + 1:
                    samples.append((round(elapsed), rss_kib(self.numberline.pid)))
            output, errors = soak.communicate()
        finally:
            if soak.poll() is None:
                soak.kill()
                soak.wait()
        if soak.returncode != 0:
            raise BenchError(f"the soak wrk failed ({soak.returncode}): {errors.strip()}")
        result = parse_wrk(output)
        self.check_clean("soak GET /v1/accounts", result)
        samples.append((round(time.monotonic() - start), rss_kib(self.numberline.pid)))
        return samples, result

    # MARK: Run

    def run(self):
        self.database = os.path.join(self.temp_dir, "numberline.db")
        self.rss_after = {}
        self.soak_text = ""
        self.log(f"temporary directory {self.temp_dir}")

        self.cli(["instance", "create", INSTANCE])
        self.cli(["admin", "create", "--instance", INSTANCE, "--username", "bench-admin", "--password-stdin"],
                 stdin=PASSWORD + "\n")
        self.api_key = self.cli(["apikey", "create", "--instance", INSTANCE, "--label", "bench"]).strip()
        self.token = "(none yet)"

        startup_seconds, startup_method = self.startup_times()
        self.log(f"start-up median {startup_seconds * 1000:.1f} ms ({startup_method})")

        self.start_numberline()
        idle_rss = rss_kib(self.numberline.pid)
        seed_start = time.monotonic()
        caller_ids = seed(self.nl_port, self.api_key, self.log)
        self.log(f"seeded in {time.monotonic() - seed_start:.1f} s")
        self.ids_file = os.path.join(self.temp_dir, "caller-customer-ids.txt")
        with open(self.ids_file, "w") as ids_file:
            ids_file.write("".join(f"{account_id}\n" for account_id in caller_ids))
        self.token = login(self.nl_port, self.api_key, "bench-reseller-01")

        body_sizes = self.measure_bodies(caller_ids)
        self.start_nginx(body_sizes)
        nginx_idle_rss = tree_rss_kib(self.nginx.pid)

        throughput = {}
        for name in ["accounts", "account_by_id", "customers", "put"]:
            self.log(f"throughput: {name}")
            throughput[name] = self.throughput(name)[0]

        self.log("login storm")
        storm = {server: self.login_storm(server) for server in ("numberline", "nginx")}
        self.rss_after["storm"] = (rss_kib(self.numberline.pid), tree_rss_kib(self.nginx.pid))

        latency = {}
        for name in READ_SCENARIOS:
            self.log(f"latency at half the max rate: {name}")
            latency[name] = {server: self.paced_latency(name, server, throughput[name][server])
                             for server in ("numberline", "nginx")}

        soak_samples, soak_result = None, None
        if self.options.soak > 0:
            rate = max(1, int(throughput["accounts"]["numberline"] / 2))
            self.log(f"soak: {self.options.soak} s of GET /v1/accounts at {rate} req/s")
            soak_samples, soak_result = self.soak(rate)
            self.soak_text = ", ".join(f"{seconds} s: {mib(rss)}" for seconds, rss in soak_samples)

        return self.report(body_sizes, throughput, storm, latency, startup_seconds, startup_method, idle_rss,
                           nginx_idle_rss, soak_samples, soak_result)

    def measure_bodies(self, caller_ids):
        client = Client(self.nl_port, {"x-api-key": self.api_key, "x-access-token": self.token})
        sizes = {"accounts": len(client.expect("GET", "/v1/accounts"))}
        customers = client.expect("GET", "/v1/accounts/customers")
        if len(json.loads(customers)) != CALLER_CUSTOMER_COUNT:
            raise BenchError(f"the caller sees {len(json.loads(customers))} customers, expected {CALLER_CUSTOMER_COUNT}")
        sizes["customers"] = len(customers)
        by_id = {len(client.expect("GET", f"/v1/accounts/{account_id}")) for account_id in caller_ids}
        if len(by_id) != 1:
            self.notes.append(f"GET /v1/accounts/{{id}} bodies range from {min(by_id)} to {max(by_id)} bytes; "
                              f"nginx returns {max(by_id)}.")
        sizes["account_by_id"] = max(by_id)
        sizes["put"] = len(client.expect(
            "PUT", f"/v1/accounts/{caller_ids[0]}",
            {"accountType": "Customer", "customerAccount": {"agent": "agent-0000"}}))
        client.close()
        form = urllib.parse.urlencode({"username": "bench-reseller-01", "password": PASSWORD, "instance": INSTANCE})
        token_client = Client(self.nl_port, {"x-api-key": self.api_key})
        sizes["token"] = len(token_client.expect(
            "POST", "/v1/oauth2/authorize", form, {"content-type": "application/x-www-form-urlencoded"}))
        token_client.close()
        self.log(f"body sizes in bytes: {sizes}")
        return sizes

    # MARK: Report

    def report(self, body_sizes, throughput, storm, latency, startup_seconds, startup_method, idle_rss,
               nginx_idle_rss, soak_samples, soak_result):
        rows = []

        def add(label, numberline, nginx, ratio=""):
            rows.append(f"| {label} | {numberline} | {nginx} | {ratio} |")

        for name in ["accounts", "account_by_id", "customers", "put"]:
            nl, ng = throughput[name]["numberline"], throughput[name]["nginx"]
            add(f"{SCENARIO_TITLES[name]}, req/s, body {body_sizes[name]} B", f"{nl:,.0f}", f"{ng:,.0f}",
                f"{nl / ng:.2f}")
        nl_reads, nl_logins, nl_ok_logins = storm["numberline"]
        ng_reads, ng_logins, _ = storm["nginx"]
        solo_nl, solo_ng = throughput["accounts"]["numberline"], throughput["accounts"]["nginx"]
        add("GET /v1/accounts during a login storm, req/s", f"{nl_reads:,.0f}", f"{ng_reads:,.0f}",
            f"{nl_reads / ng_reads:.2f}")
        add("  same, as a share of the solo read rate", f"{nl_reads / solo_nl:.0%}", f"{ng_reads / solo_ng:.0%}", "")
        add("  POST /v1/oauth2/authorize meanwhile, req/s (median)", f"{nl_logins:,.1f}", f"{ng_logins:,.0f}", "")
        add("  of which successful logins (HTTP 200), per s over all rounds", f"{nl_ok_logins:,.1f}", "", "")
        for name in READ_SCENARIOS:
            nl_rate, nl_result = latency[name]["numberline"]
            ng_rate, ng_result = latency[name]["nginx"]
            add(f"{SCENARIO_TITLES[name]}, p50 / p99 ms at half the max rate "
                f"(target {nl_rate:,} and {ng_rate:,} req/s, achieved {nl_result['rps']:,.0f} and {ng_result['rps']:,.0f})",
                f"{nl_result['p50_ms']:.2f} / {nl_result['p99_ms']:.2f}",
                f"{ng_result['p50_ms']:.2f} / {ng_result['p99_ms']:.2f}",
                f"{nl_result['p99_ms'] / ng_result['p99_ms']:.1f} (p99)")
        add(f"start-up to the first 200 from /v1/health, median ms ({startup_method})",
            f"{startup_seconds * 1000:.0f}", "", "")
        add("idle RSS after start, MiB (nginx: master and 2 workers)", mib(idle_rss), mib(nginx_idle_rss), "")
        for name in ["accounts", "account_by_id", "customers", "put", "storm"]:
            title = "the login storm" if name == "storm" else SCENARIO_TITLES[name]
            nl_rss, ng_rss = self.rss_after[name]
            add(f"RSS after {title}, MiB", mib(nl_rss), mib(ng_rss), "")
        if soak_samples:
            first, last = soak_samples[0][1], soak_samples[-1][1]
            peak = max(rss for _, rss in soak_samples)
            add(f"RSS during a {self.options.soak} s soak of GET /v1/accounts at {soak_result['rps']:,.0f} req/s, "
                f"MiB: start / end / max", f"{mib(first)} / {mib(last)} / {mib(peak)}", "", "")

        targets = self.evaluate_targets(throughput, storm, latency, idle_rss, soak_samples)
        return rows, targets

    def evaluate_targets(self, throughput, storm, latency, idle_rss, soak_samples):
        targets = []
        ratio = throughput["accounts"]["numberline"] / throughput["accounts"]["nginx"]
        targets.append(("GET /v1/accounts ≥ 0.6 × nginx", f"{ratio:.2f} × nginx", ratio >= 0.6))
        share = storm["numberline"][0] / throughput["accounts"]["numberline"]
        targets.append(("reads keep ≥ half their rate during a login storm", f"{share:.0%} of the solo rate",
                        share >= 0.5))
        worst = max(latency[name]["numberline"][1]["p99_ms"] for name in READ_SCENARIOS)
        targets.append(("p99 < 5 ms at half load, every read scenario", f"worst p99 {worst:.2f} ms", worst < 5.0))
        idle_bytes = idle_rss * 1024
        targets.append(("idle RSS < 30 MB", f"{idle_bytes / 1e6:.1f} MB ({idle_rss / 1024:.1f} MiB)", idle_bytes < 30e6))
        if soak_samples:
            first = soak_samples[1][1] if len(soak_samples) > 2 else soak_samples[0][1]
            last = soak_samples[-1][1]
            growth = (last - first) / first
            # Growth after the first 10 s sample, which includes the warm-up of caches and pools.
            targets.append(("no unexplained soak growth", f"{growth:+.1%} from the 10 s sample to the end",
                            abs(growth) < 0.05))
        else:
            targets.append(("no unexplained soak growth", "not measured (--soak 0)", None))
        return targets

    def markdown(self, rows, targets, soak_samples_text):
        lines = environment_lines(self.threads) + [
            f"- wrk `-t1 -c50 -d{self.duration}s`, {self.rounds} alternating rounds after a {self.warmup} s warm-up; "
            "medians of the rounds",
            "- latency: wrk `--latency` with -c50, paced to half of each server's median max rate by wrk's "
            "`delay()` hook (bench/pacing.lua); a connection waits for its response before its next slot",
            "",
            "| measurement | Numberline | nginx | Numberline / nginx |",
            "| --- | --- | --- | --- |",
        ] + rows + [
            "",
            "| target | measured | met |",
            "| --- | --- | --- |",
        ] + [f"| {name} | {value} | {'n/a' if met is None else ('met' if met else 'missed')} |"
             for name, value, met in targets]
        if soak_samples_text:
            lines += ["", f"Numberline RSS during the soak, MiB every 10 s: {soak_samples_text}"]
        if self.notes:
            lines += ["", "Notes:"] + [f"- {note}" for note in self.notes]
        lines += ["", "Commands (`$TMP` is the temporary directory, `$PORT` a free loopback port):", "", "```sh"]
        lines += self.commands + ["```"]
        return "\n".join(lines) + "\n"


def environment_lines(threads):
    """Returns the report's first lines: date, machine and load, commit, nginx and wrk versions."""
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
        f"`--threads {threads} --no-access-log`, SQLite",
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


def mib(kib):
    return f"{kib / 1024:.1f}"


def main():
    parser = argparse.ArgumentParser(prog="bench/run", description="Benchmark Numberline against nginx on loopback.")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per scenario (default 3)")
    parser.add_argument("--quick", action="store_true", help="2 s rounds, 1 round, 3 start-ups: a smoke check")
    parser.add_argument("--soak", type=int, default=180, help="soak seconds at half the max rate; 0 skips (default 180)")
    parser.add_argument("--output", help="also write the markdown report to this file")
    parser.add_argument("--temp-dir", required=True, help=argparse.SUPPRESS)
    parser.add_argument("--binary", required=True, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.duration < 1 or options.rounds < 1 or options.soak < 0:
        parser.error("--duration and --rounds must be at least 1 and --soak at least 0")

    # bench/run's exit trap sends SIGTERM; raising SystemExit runs the `finally` below.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(143))
    bench = Bench(options, options.temp_dir, options.binary)
    try:
        rows, targets = bench.run()
        report = bench.markdown(rows, targets, bench.soak_text)
    except BenchError as error:
        print(f"bench/run: {error}", file=sys.stderr)
        return 1
    finally:
        bench.processes.stop_all()
    print(report, end="")
    if options.output:
        with open(options.output, "w") as output:
            output.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
