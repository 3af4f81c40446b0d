#!/usr/bin/env python3
"""Benchmark the number, call forwarding and Teams sections on loopback; started by bench/sections.

Python 3 standard library only. It reuses bench.py's processes, HTTP client, wrk runner
and nginx set-up. bench/sections checks the tools and makes the temporary directory, and
on any exit it stops every process listed in its pid file.

Seeded data (a fresh SQLite file in the temporary directory, or with --backend postgres a
database in a throwaway cluster as bench/run starts it; counts for the full run,
--quick uses the smaller ones in QUICK_COUNTS):
  1. With the CLI: instance `bench`, platform admin `bench-admin` and one API key.
  2. Over HTTP as the admin: reseller `bench-reseller` and its Teams-enabled customer
     `bench-teams` (each with one login and every module), and the carrier `Bench Carrier`.
  3. Over HTTP as the reseller, timed: 1,000,000 numbers as one JSON upload into the
     reseller's inventory (+1 212 200-0000 to +1 212 299-9999), then 100,000 numbers as
     one CSV upload to the Teams customer (+1 646 200-0000 up).
  4. Call forwarding on the first 100,000 uploaded JSON numbers, in timed bulk calls of
     1,000 numbers each, all forwarding to +1 919 555 0100.
The number lookups draw from the JSON numbers that have no forwarding, so every lookup
body has the same size. The forwarding lookups draw from the forwarded numbers.
"""

import argparse
import concurrent.futures
import json
import math
import os
import random
import re
import signal
import statistics
import sys
import time
import urllib.parse

from bench import (INSTANCE, PASSWORD, Bench, BenchError, Client, add_backend_arguments, environment_lines,
                   login, login_object, mib, rss_kib)

FULL_COUNTS = {"json": 1_000_000, "csv": 100_000, "pages": 500, "forwarded": 100_000, "sequential_users": 2000,
               "parallel_users": 4000}
QUICK_COUNTS = {"json": 20_000, "csv": 5000, "pages": 50, "forwarded": 5000, "sequential_users": 100,
                "parallel_users": 160}
BULK_SIZE = 1000
PARALLEL_CLIENTS = 8
LOOKUP_SAMPLE = 10_000
FORWARD_TARGET = "+19195550100"
TEAMS_TENANT_ID = "00000000-0000-4000-8000-000000000001"
ALL_MODULES = {"did": True, "msteam": True, "ucaas": True, "enhancedServices": True, "stats": True}

SCENARIO_TITLES = {
    "number": "GET /v1/numbers/{telephoneNumber} (random stored number)",
    "forwarding": "GET /v1/callforwarding/{telephoneNumber} (random forwarded number)",
    "teams_numbers": "GET /v1/msteams/{customerId}/numbers?limit=100",
}


def json_number(index):
    """Returns the index-th number of the JSON upload: +1 212, exchanges 200 to 299."""
    return f"+1212{200 + index // 10000:03d}{index % 10000:04d}"


def csv_number(index):
    """Returns the index-th number of the CSV upload: +1 646, exchanges from 200."""
    return f"+1646{200 + index // 10000:03d}{index % 10000:04d}"


def percentile(samples, fraction):
    """Returns the nearest-rank percentile of `samples` (fraction 0.99 for p99)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class SectionBench(Bench):
    def __init__(self, options, temp_dir, binary):
        super().__init__(options, temp_dir, binary)
        self.counts = dict(QUICK_COUNTS if options.quick else FULL_COUNTS)
        if options.numbers is not None:
            self.counts["json"] = options.numbers
        self.page_size = options.page_size
        if self.counts["forwarded"] > self.counts["json"] // 2:
            raise BenchError(f"--numbers {self.counts['json']} is too small: the run forwards "
                             f"{self.counts['forwarded']:,} of them and looks up the others; give at least "
                             f"{2 * self.counts['forwarded']}")
        if self.counts["pages"] * self.page_size >= self.counts["json"] + self.counts["csv"]:
            raise BenchError(f"{self.counts['pages']} pages of {self.page_size} need more than "
                             f"{self.counts['json'] + self.counts['csv']:,} stored numbers; give a smaller --page-size "
                             "or a larger --numbers")
        if self.counts["sequential_users"] + self.counts["parallel_users"] > self.counts["csv"]:
            raise BenchError("the Teams customer has fewer numbers than the run provisions")

    # MARK: Servers and checks

    def serve_args(self, port, database=None):
        # The 1,000,000-number upload can take longer than the default 30 s handler limit on a
        # loaded machine. Past that limit the server returns 503, but the transaction may still commit.
        return super().serve_args(port, database) + ["--request-timeout-ms", "900000"]

    def scenario_title(self, name):
        return SCENARIO_TITLES[name]

    def scenario(self, name, server=None):
        if name == "number":
            return ("get_number.lua", "/", "/", {"BENCH_IDS": self.lookup_file, "BENCH_PREFIX": "/v1/numbers/"})
        if name == "forwarding":
            return ("get_number.lua", "/", "/",
                    {"BENCH_IDS": self.forwarded_file, "BENCH_PREFIX": "/v1/callforwarding/"})
        path = f"/v1/msteams/{self.teams_id}/numbers?limit=100"
        return ("get.lua", path, path, {})

    def check_clean(self, what, result):
        """Raises on any non-2xx response or socket error from Numberline.

        nginx is only the reference, so its socket errors become a note in the report. On the
        loaded test machine, wrk once counted 36 socket errors against nginx in a 10-second
        round of 216,000 requests.
        """
        if not (result["non_2xx"] or result["errors"]):
            return
        detail = (f"{result['non_2xx']} non-2xx responses and {result['errors']} socket errors "
                  f"({result.get('error_kinds', 'none')}) in {result['requests']} requests")
        if what.endswith("on nginx") and not result["non_2xx"]:
            self.notes.append(f"{what}: {detail}.")
            return
        raise BenchError(f"{what}: {detail}; the server log is in {self.temp_dir}")

    def reseller_client(self, timeout=30):
        client = Client(self.nl_port, {"x-api-key": self.api_key, "x-access-token": self.token})
        client.connection.timeout = timeout
        return client

    # MARK: Set-up

    def create_accounts(self):
        """Creates the reseller, its Teams customer and the carrier over HTTP as the admin."""
        admin_token = login(self.nl_port, self.api_key, "bench-admin")
        admin = Client(self.nl_port, {"x-api-key": self.api_key, "x-access-token": admin_token})
        reseller = {
            "companyName": "Bench Reseller", "country": "US", "state": "NC", "city": "Raleigh", "zipCode": "27601",
            "modulesAccess": ALL_MODULES, "loginInformation": [login_object("bench-reseller")],
        }
        data = admin.expect("POST", "/v1/accounts", {"accountType": "Reseller", "resellerAccount": reseller})
        reseller_id = int(json.loads(data)["accountId"])
        customer = {
            "resellerId": str(reseller_id), "companyName": "Bench Teams Customer", "country": "US", "state": "NC",
            "city": "Durham", "zipCode": "27701", "msTeamsTenantId": TEAMS_TENANT_ID, "modulesAccess": ALL_MODULES,
            "loginInformation": [login_object("bench-teams")],
        }
        data = admin.expect("POST", "/v1/accounts", {"accountType": "Customer", "customerAccount": customer})
        self.teams_id = int(json.loads(data)["accountId"])
        data = admin.expect("POST", "/v1/carriers", {"name": "Bench Carrier"})
        self.carrier_id = int(json.loads(data)["id"])
        admin.close()
        self.token = login(self.nl_port, self.api_key, "bench-reseller")
        self.log(f"reseller {reseller_id}, Teams customer {self.teams_id}, carrier {self.carrier_id}")

    def upload(self, body, content_type, query, expected):
        """Sends one upload and returns its seconds; the response must count `expected` numbers."""
        client = self.reseller_client(timeout=900)
        path = f"/v1/carriers/{self.carrier_id}/numbers{query}"
        start = time.monotonic()
        data = client.expect("POST", path, body, {"content-type": content_type})
        seconds = time.monotonic() - start
        client.close()
        added = json.loads(data).get("numbersAdded")
        if added != expected:
            raise BenchError(f"POST {path} reported numbersAdded {added!r}, expected {expected}: {data[:300]!r}")
        return seconds

    def upload_split(self, count):
        """Returns the parse and store milliseconds that the server logged for the upload of `count` numbers."""
        with open(os.path.join(self.temp_dir, "numberline.log"), errors="replace") as log:
            for line in log:
                if "numbers uploaded" in line and re.search(rf"\bcount\W+{count}\b", line):
                    parse = re.search(r"parse_ms\W+(\d+)", line)
                    store = re.search(r"store_ms\W+(\d+)", line)
                    if parse and store:
                        return int(parse.group(1)), int(store.group(1))
        return None

    def upload_json(self):
        count = self.counts["json"]
        body = json.dumps({"telephoneNumbers": [json_number(index) for index in range(count)]},
                          separators=(",", ":")).encode()
        self.log(f"JSON upload: {count:,} numbers, {len(body):,} bytes")
        # The logins hashed during set-up already raised VmHWM, because Argon2id at libsodium's
        # interactive limit takes 64 MiB. Writing 5 to clear_refs resets it to the current RSS
        # (Linux 4.0 and later).
        with open(f"/proc/{self.numberline.pid}/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        before = rss_kib(self.numberline.pid)
        seconds = self.upload(body, "application/json", "", count)
        peak = self.peak_rss()
        self.log(f"JSON upload took {seconds:.1f} s; RSS {mib(before)} MiB before, VmHWM {mib(peak)} MiB after")
        return {"seconds": seconds, "bytes": len(body), "before_kib": before, "peak_kib": peak,
                "split": self.upload_split(count)}

    def upload_csv(self):
        count = self.counts["csv"]
        body = ("telephoneNumber\n" + "".join(f"{csv_number(index)}\n" for index in range(count))).encode()
        self.log(f"CSV upload: {count:,} numbers to customer {self.teams_id}, {len(body):,} bytes")
        seconds = self.upload(body, "text/csv", f"?customerId={self.teams_id}", count)
        self.log(f"CSV upload took {seconds:.1f} s")
        return {"seconds": seconds, "bytes": len(body), "split": self.upload_split(count)}

    def peak_rss(self):
        """Returns VmHWM, the server's peak resident set size so far, in KiB."""
        with open(f"/proc/{self.numberline.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise BenchError(f"/proc/{self.numberline.pid}/status has no VmHWM line")

    def forward_numbers(self):
        """Forwards the first numbers of the JSON upload in bulk calls; returns each call's seconds."""
        client = self.reseller_client(timeout=120)
        seconds = []
        for offset in range(0, self.counts["forwarded"], BULK_SIZE):
            numbers = [json_number(index) for index in range(offset, min(offset + BULK_SIZE, self.counts["forwarded"]))]
            start = time.monotonic()
            client.expect("POST", "/v1/callforwarding",
                          {"telephoneNumbers": numbers, "callForwardNumber": FORWARD_TARGET})
            seconds.append(time.monotonic() - start)
        client.close()
        self.log(f"forwarded {self.counts['forwarded']:,} numbers in {len(seconds)} calls of {BULK_SIZE}")
        return seconds

    def write_number_files(self):
        """Writes the wrk samples: numbers without forwarding, and forwarded numbers."""
        rng = random.Random(20260102)
        forwarded, total = self.counts["forwarded"], self.counts["json"]
        lookups = rng.sample(range(forwarded, total), min(LOOKUP_SAMPLE, total - forwarded))
        targets = rng.sample(range(forwarded), min(LOOKUP_SAMPLE, forwarded))
        self.lookup_file = os.path.join(self.temp_dir, "lookup-numbers.txt")
        self.forwarded_file = os.path.join(self.temp_dir, "forwarded-numbers.txt")
        for path, indexes in [(self.lookup_file, lookups), (self.forwarded_file, targets)]:
            with open(path, "w") as numbers_file:
                numbers_file.write("".join(f"{json_number(index)[1:]}\n" for index in indexes))
        return [json_number(index)[1:] for index in lookups[:100]], [json_number(index)[1:] for index in targets[:100]]

    # MARK: Measuring

    def page_numbers(self):
        """Pages through GET /v1/numbers with the cursor; returns the milliseconds of each page."""
        client = self.reseller_client()
        samples, previous_last, cursor = [], "", None
        for page in range(self.counts["pages"]):
            query = {"limit": self.page_size}
            if cursor:
                query["cursor"] = cursor
            path = "/v1/numbers?" + urllib.parse.urlencode(query)
            start = time.perf_counter()
            data = client.expect("GET", path)
            samples.append((time.perf_counter() - start) * 1000)
            body = json.loads(data)
            numbers = [number["telephoneNumber"] for number in body["numbers"]]
            if len(numbers) != self.page_size or not body["nextCursor"]:
                raise BenchError(f"page {page + 1} of GET /v1/numbers had {len(numbers)} numbers and nextCursor "
                                 f"{body['nextCursor']!r}, expected {self.page_size} numbers and a cursor")
            if numbers != sorted(numbers) or numbers[0] <= previous_last:
                raise BenchError(f"page {page + 1} of GET /v1/numbers is out of order after {previous_last!r}")
            previous_last, cursor = numbers[-1], body["nextCursor"]
        client.close()
        self.log(f"paged {len(samples)} pages of {self.page_size}")
        return samples

    def measure_bodies(self, lookups, forwarded):
        """Returns the body size of each wrk scenario; every sampled body must have the same size."""
        client = self.reseller_client()
        sizes = {}
        for name, prefix, sample in [("number", "/v1/numbers/", lookups),
                                     ("forwarding", "/v1/callforwarding/", forwarded)]:
            lengths = {len(client.expect("GET", prefix + number)) for number in sample}
            if len(lengths) != 1:
                raise BenchError(f"GET {prefix}{{telephoneNumber}} bodies range from {min(lengths)} to "
                                 f"{max(lengths)} bytes, so nginx cannot return the same size")
            sizes[name] = lengths.pop()
        forwarding = json.loads(client.expect("GET", "/v1/callforwarding/" + forwarded[0]))
        if json.dumps(forwarding).count(FORWARD_TARGET[1:]) == 0:
            raise BenchError(f"GET /v1/callforwarding/{forwarded[0]} does not show {FORWARD_TARGET}: {forwarding}")
        _, _, path, _ = self.scenario("teams_numbers")
        page = client.expect("GET", path)
        if len(json.loads(page)) != 100:
            raise BenchError(f"GET {path} returned {len(json.loads(page))} numbers, expected 100")
        sizes["teams_numbers"] = len(page)
        client.close()
        self.log(f"body sizes in bytes: {sizes}")
        return sizes

    def provision(self, first, count, clients):
        """Provisions `count` Teams users on `clients` connections; returns (users/s, each call's ms)."""
        path = f"/v1/msteams/{self.teams_id}/users"

        def create(indexes):
            client = self.reseller_client()
            samples = []
            for index in indexes:
                body = {"upn": f"user{index:06d}@bench.example", "firstName": "Bench", "lastName": "User",
                        "telephoneNumber": csv_number(index)}
                start = time.perf_counter()
                status, data = client.request("POST", path, body)
                samples.append((time.perf_counter() - start) * 1000)
                if status not in (200, 201):
                    raise BenchError(f"POST {path} for {csv_number(index)} returned HTTP {status}: {data[:300]!r}")
            client.close()
            return samples

        indexes = list(range(first, first + count))
        start = time.monotonic()
        if clients == 1:
            samples = create(indexes)
        else:
            samples = []
            with concurrent.futures.ThreadPoolExecutor(clients) as pool:
                for part in pool.map(create, [indexes[offset::clients] for offset in range(clients)]):
                    samples += part
        elapsed = time.monotonic() - start
        self.log(f"provisioned {count} users on {clients} connections in {elapsed:.1f} s")
        return count / elapsed, samples

    # MARK: Run

    def run(self):
        if self.options.backend == "postgres":
            self.database = self.start_postgres()
        else:
            self.database = os.path.join(self.temp_dir, "numberline.db")
        self.rss_after = {}
        self.log(f"temporary directory {self.temp_dir}")

        self.cli(["instance", "create", INSTANCE])
        self.cli(["admin", "create", "--instance", INSTANCE, "--username", "bench-admin", "--password-stdin"],
                 stdin=PASSWORD + "\n")
        self.api_key = self.cli(["apikey", "create", "--instance", INSTANCE, "--label", "bench"]).strip()
        self.token = "(none yet)"
        self.start_numberline()
        self.create_accounts()

        json_upload = self.upload_json()
        csv_upload = self.upload_csv()
        pages = self.page_numbers()
        forwarding_calls = self.forward_numbers()
        lookups, forwarded = self.write_number_files()

        body_sizes = self.measure_bodies(lookups, forwarded)
        self.start_nginx_from(
            "nginx-sections.conf.template",
            {"@BODY_NUMBER@": ("number", body_sizes["number"]),
             "@BODY_FORWARDING@": ("forwarding", body_sizes["forwarding"]),
             "@BODY_TEAMS_NUMBERS@": ("teams_numbers", body_sizes["teams_numbers"])},
            [("GET", "/v1/numbers/" + lookups[0], body_sizes["number"]),
             ("GET", "/v1/callforwarding/" + forwarded[0], body_sizes["forwarding"]),
             ("GET", self.scenario("teams_numbers")[2], body_sizes["teams_numbers"])])

        throughput = {}
        for name in SCENARIO_TITLES:
            self.log(f"throughput: {name}")
            throughput[name] = self.throughput(name)[0]

        sequential = self.provision(0, self.counts["sequential_users"], 1)
        parallel = self.provision(self.counts["sequential_users"], self.counts["parallel_users"], PARALLEL_CLIENTS)

        return self.report(json_upload, csv_upload, pages, forwarding_calls, body_sizes, throughput, sequential,
                           parallel)

    # MARK: Report

    def report(self, json_upload, csv_upload, pages, forwarding_calls, body_sizes, throughput, sequential, parallel):
        rows, targets = [], []

        def add(label, numberline, nginx="", ratio=""):
            rows.append(f"| {label} | {numberline} | {nginx} | {ratio} |")

        def split_text(split):
            return f" (parse {split[0] / 1000:.1f} s, store {split[1] / 1000:.1f} s)" if split else ""

        full_upload = self.counts["json"] == FULL_COUNTS["json"]
        add(f"POST /v1/carriers/{{id}}/numbers, {self.counts['json']:,} numbers as JSON "
            f"({json_upload['bytes'] / 1e6:.1f} MB), end to end",
            f"{json_upload['seconds']:.1f} s{split_text(json_upload['split'])}, "
            f"peak RSS (VmHWM) {mib(json_upload['peak_kib'])} MiB, from {mib(json_upload['before_kib'])} MiB before")
        targets.append((f"{FULL_COUNTS['json']:,}-number JSON upload < 5 s end to end",
                        f"{json_upload['seconds']:.1f} s for {self.counts['json']:,} numbers",
                        json_upload["seconds"] < 5 if full_upload else None))
        add(f"POST /v1/carriers/{{id}}/numbers, {self.counts['csv']:,} numbers as CSV to a customer, end to end",
            f"{csv_upload['seconds']:.1f} s{split_text(csv_upload['split'])}")

        p50, p99 = percentile(pages, 0.5), percentile(pages, 0.99)
        total = self.counts["json"] + self.counts["csv"]
        add(f"GET /v1/numbers with the cursor, {len(pages)} pages of {self.page_size} over {total:,} numbers, "
            "ms per page p50 / p99", f"{p50:.2f} / {p99:.2f}")
        targets.append(("GET /v1/numbers p99 < 20 ms per page", f"p99 {p99:.2f} ms (pages of {self.page_size})",
                        p99 < 20))

        for name in SCENARIO_TITLES:
            nl, ng = throughput[name]["numberline"], throughput[name]["nginx"]
            title = SCENARIO_TITLES[name]
            if name == "number":
                title += f", {total:,} numbers stored"
            elif name == "forwarding":
                title += f", {self.counts['forwarded']:,} forwarded"
            else:
                title += f", customer with {self.counts['csv']:,} numbers"
            add(f"{title}, req/s, body {body_sizes[name]} B", f"{nl:,.0f}", f"{ng:,.0f}", f"{nl / ng:.2f}")
            if name in ("number", "forwarding"):
                targets.append((f"{SCENARIO_TITLES[name].split(' (')[0]} ≥ 0.5 × nginx", f"{nl / ng:.2f} × nginx",
                                nl / ng >= 0.5))

        add(f"POST /v1/callforwarding, {BULK_SIZE:,} numbers per call, ms p50 / max over {len(forwarding_calls)} "
            "calls", f"{statistics.median(forwarding_calls) * 1000:.0f} / {max(forwarding_calls) * 1000:.0f}")
        for label, (rate, samples) in [("sequential (1 client)", sequential),
                                       (f"parallel ({PARALLEL_CLIENTS} clients)", parallel)]:
            add(f"Teams provisioning, POST /v1/msteams/{{customerId}}/users, {label}, {len(samples):,} users: "
                "users/s, ms p50 / p99", f"{rate:,.0f} users/s, {percentile(samples, 0.5):.2f} / "
                f"{percentile(samples, 0.99):.2f}")
        add("server RSS at the end, MiB (VmRSS)", mib(rss_kib(self.numberline.pid)))
        return rows, targets

    def markdown(self, rows, targets):
        lines = environment_lines(self.threads, self.backend_text()) + [
            f"- wrk `-t1 -c50 -d{self.duration}s`, {self.rounds} alternating rounds after a {self.warmup} s warm-up; "
            "medians of the rounds",
            f"- uploads, paging, bulk calls and provisioning: Python `http.client` on keep-alive loopback "
            "connections, timed from sending the request to reading the whole response",
            "",
            "| measurement | Numberline | nginx | Numberline / nginx |",
            "| --- | --- | --- | --- |",
        ] + rows + [
            "",
            "| target | measured | met |",
            "| --- | --- | --- |",
        ] + [f"| {name} | {value} | {'n/a (smaller run)' if met is None else ('met' if met else 'missed')} |"
             for name, value, met in targets]
        if self.notes:
            lines += ["", "Notes:"] + [f"- {note}" for note in self.notes]
        lines += ["", "Commands (`$TMP` is the temporary directory, `$PORT` a free loopback port):", "", "```sh"]
        lines += self.commands + ["```"]
        return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(
        prog="bench/sections",
        description="Benchmark the number, call forwarding and Teams sections against nginx on loopback.")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per scenario (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke check: 20,000 JSON and 5,000 CSV numbers, 50 pages, 2 s rounds, 1 round")
    parser.add_argument("--numbers", type=int,
                        help="numbers in the JSON upload (default 1,000,000; 20,000 with --quick)")
    parser.add_argument("--page-size", type=int, default=100, help="limit of each GET /v1/numbers page (default 100)")
    parser.add_argument("--output", help="also write the markdown report to this file")
    add_backend_arguments(parser, choices=("sqlite", "postgres"))
    parser.add_argument("--temp-dir", required=True, help=argparse.SUPPRESS)
    parser.add_argument("--binary", required=True, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.duration < 1 or options.rounds < 1:
        parser.error("--duration and --rounds must be at least 1")
    if not 1 <= options.page_size <= 1000:
        parser.error(f"--page-size {options.page_size} must be from 1 to 1000, the server's page limit")
    if options.numbers is not None and not 2 <= options.numbers <= 1_000_000:
        parser.error(f"--numbers {options.numbers} must be from 2 to 1000000, the server's limit per upload")

    # bench/sections' exit trap sends SIGTERM; raising SystemExit runs the `finally` below.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(143))
    try:
        bench = SectionBench(options, options.temp_dir, options.binary)
    except BenchError as error:
        print(f"bench/sections: {error}", file=sys.stderr)
        return 1
    try:
        rows, targets = bench.run()
        report = bench.markdown(rows, targets)
    except BenchError as error:
        print(f"bench/sections: {error}", file=sys.stderr)
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
