import Foundation
import NumberlineJSON
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Kills the server with SIGKILL while calls are in flight and restarts it on the same
/// database. Every call must then have taken effect wholly or not at all, the audit trail must
/// match the data, and the database must pass its integrity check (`PRAGMA integrity_check` on
/// SQLite, amcheck on PostgreSQL).
@Suite("Crash safety", .serialized) struct CrashSafetyTests {
    /// A reseller with a customer on a fresh server, and a carrier.
    private struct Setup {
        let server: TestServer
        let resellerToken: String
        let customerID: String
        let customerToken: String
        let carrier: Int64

        init() throws {
            server = try TestServer()
            let admin = try server.token(username: TestServer.adminUsername)
            _ = try Tenants.create(server, token: admin, json: Tenants.reseller("Reseller A", login: "reseller-a"))
            resellerToken = try server.token(username: "reseller-a")
            customerID = try Tenants.create(server, token: resellerToken, json: Tenants.customer("Customer A1", login: "customer-a1"))
            customerToken = try server.token(username: "customer-a1")
            carrier = try server.makeCarrier("Carrier A")
        }

        /// Restarts the server and signs the customer in, which proves the restarted server serves requests.
        func restart() throws {
            try server.start()
            _ = try server.token(username: "customer-a1")
        }

        func integrityCheck() throws -> String {
            try server.database.integrityCheck()
        }
    }

    /// Statuses of calls made from several threads; nil for a call that got no response.
    private final class CallLog: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [(group: Int, target: String, status: Int?)] = []

        func add(group: Int, target: String, status: Int?) {
            lock.withLock { entries.append((group, target, status)) }
        }

        var all: [(group: Int, target: String, status: Int?)] {
            lock.withLock { entries }
        }
    }

    // MARK: - Bulk upload

    @Test("upload killed midway is all or nothing")
    func uploadKilledMidway() throws {
        let setup = try Setup()
        let server = setup.server
        let count = 200_000
        // The first round lets the upload finish and measures it; later rounds kill at a share of that time.
        let shares: [Double?] = [nil, 0.3, 0.7, 0.95]
        var duration = 0.0
        var storedCounts: [Int] = []

        for (round, share) in shares.enumerated() {
            let first = 16_462_000_000 + Int64(round) * Int64(count)
            let numbers = numberRange(from: first, count: count)
            let status = Locked<Int?>(nil)
            let done = DispatchGroup()
            let started = Date()
            done.enter()
            DispatchQueue.global().async {
                defer { done.leave() }
                let response = try? server.uploadJSON(
                    carrier: setup.carrier, token: setup.resellerToken, numbers: numbers, extra: #","customerId":"\#(setup.customerID)""#)
                status.set(response?.status)
            }
            if let share {
                usleep(useconds_t(duration * share * 1_000_000))
            } else {
                done.wait()
                duration = Date().timeIntervalSince(started)
                #expect(status.get() == 200, "the uncut upload answered \(String(describing: status.get()))")
            }
            server.stop(signal: SIGKILL)
            done.wait()
            try setup.restart()

            let last = String(first + Int64(count) - 1)
            let stored =
                Int(
                    try server.sql(
                        "SELECT count(*) FROM numbers WHERE telephone_number BETWEEN '\(first)' AND '\(last)'"
                    ).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            // The JSON functions differ: json_extract on SQLite, the jsonb operators on PostgreSQL.
            let uploadSummaryMatches =
                switch server.database.backend {
                case .sqlite:
                    "json_extract(summary, '$.firstTelephoneNumber') = '\(first)' AND json_extract(summary, '$.count') = \(count)"
                case .postgres:
                    "CAST(summary AS jsonb) ->> 'firstTelephoneNumber' = '\(first)' AND CAST(summary AS jsonb) ->> 'count' = '\(count)'"
                }
            let audited =
                Int(
                    try server.sql(
                        "SELECT count(*) FROM audit_records WHERE route = '/v1/carriers/{carrierId}/numbers' AND \(uploadSummaryMatches)"
                    ).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            let answered = status.get()
            let context =
                "round \(round), killed at \(share.map { "\(Int($0 * 100)) %" } ?? "after the answer") of \(duration) s, answered \(String(describing: answered))"
            #expect(stored == 0 || stored == count, "\(context): \(stored) of \(count) numbers stored")
            if answered == 200 {
                #expect(stored == count, "\(context): an answered upload must survive")
            }
            #expect(audited == (stored == count ? 1 : 0), "\(context): \(audited) audit records for \(stored) numbers")
            #expect(try setup.integrityCheck() == "ok", "\(context)")
            storedCounts.append(stored)
        }
        // A kill at 30 % of the upload's time lands before the commit, so the kills did cut calls.
        #expect(storedCounts.dropFirst().contains(0), "no kill cut an upload: \(storedCounts)")
    }

    // MARK: - Concurrent feature updates

    @Test("feature updates killed midway match the trail")
    func featureUpdatesKilledMidway() throws {
        let setup = try Setup()
        let server = setup.server
        let groupCount = 16
        let groupSize = 3
        let numbers = numberRange(from: 19_195_551_000, count: groupCount * groupSize)
        let upload = try server.uploadJSON(
            carrier: setup.carrier, token: setup.resellerToken, numbers: numbers, extra: #","customerId":"\#(setup.customerID)""#)
        #expect(upload.status == 200, "\(upload.text)")
        @Sendable func group(_ index: Int) -> [String] {
            Array(numbers[index * groupSize..<(index + 1) * groupSize])
        }

        var hasForwarding = [Bool](repeating: false, count: groupCount)
        let delays: [useconds_t] = [300_000, 600_000, 1_000_000]

        for (round, delay) in delays.enumerated() {
            let log = CallLog()
            let stop = Locked(false)
            let token = try server.token(username: "customer-a1")
            let done = DispatchGroup()
            for index in 0..<groupCount {
                let add = !hasForwarding[index]
                done.enter()
                // One thread per group, because Dispatch started only a few of these blocking loops in the first 150 ms.
                let thread = Thread {
                    defer { done.leave() }
                    var call = 0
                    while !stop.get() {
                        // Targets are unique per call, so a stored target names the call that wrote it.
                        let target = "1919" + String(2_000_000 + round * 100_000 + index * 5_000 + call)
                        let body =
                            #"{"telephoneNumbers":\#(FeatureFixture.list(group(index))),"callForwardNumber":"\#(target)","countryCode":"US"}"#
                        let method = add && call == 0 ? "POST" : "PUT"
                        let response = try? server.call(method, "/v1/callforwarding", token: token, json: body)
                        log.add(group: index, target: target, status: response?.status)
                        guard response != nil else { return }
                        call += 1
                    }
                }
                thread.start()
            }
            usleep(delay)
            server.stop(signal: SIGKILL)
            stop.set(true)
            done.wait()
            try setup.restart()

            // The stored forwarding target of every number, and every audited forwarding change.
            var stored: [String: String] = [:]
            for line in try server.sql(
                """
                SELECT n.telephone_number, c.forward_to FROM numbers n JOIN call_forwardings c ON c.number_id = n.id
                WHERE n.telephone_number BETWEEN '\(numbers.first!)' AND '\(numbers.last!)'
                """
            ).split(separator: "\n") {
                let parts = line.split(separator: "|").map(String.init)
                stored[parts[0]] = parts[1]
            }
            var latest: [String: (id: Int64, target: String)] = [:]
            var recordsOfTarget: [String: Set<Int64>] = [:]
            var numbersOfTarget: [String: Set<String>] = [:]
            let changesQuery =
                switch server.database.backend {
                case .sqlite:
                    """
                    SELECT r.id, json_extract(j.value, '$.id'), coalesce(json_extract(j.value, '$.after.call_forwarding.forward_to'), '')
                    FROM audit_records r, json_each(r.changes) j WHERE r.route = '/v1/callforwarding'
                    """
                case .postgres:
                    """
                    SELECT r.id, j.value ->> 'id', coalesce(j.value #>> '{after,call_forwarding,forward_to}', '')
                    FROM audit_records r, jsonb_array_elements(CAST(r.changes AS jsonb)) AS j(value) WHERE r.route = '/v1/callforwarding'
                    """
                }
            for line in try server.sql(changesQuery).split(separator: "\n") {
                let parts = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                let id = Int64(parts[0]) ?? 0
                if (latest[parts[1]]?.id ?? 0) < id {
                    latest[parts[1]] = (id, parts[2])
                }
                recordsOfTarget[parts[2], default: []].insert(id)
                numbersOfTarget[parts[2], default: []].insert(parts[1])
            }

            let calls = log.all
            let context = "round \(round), killed after \(delay / 1000) ms with \(calls.count) calls made"
            #expect(calls.contains { $0.status == 200 }, "\(context): no call finished before the kill")
            #expect(calls.contains { $0.status == nil }, "\(context): no call was cut by the kill")
            #expect(Set(calls.map(\.group)).count == groupCount, "\(context): some groups made no call")
            for call in calls {
                let records = recordsOfTarget[call.target] ?? []
                // One record per call that took effect, listing every number of its group.
                #expect(records.count <= 1, "\(context): \(call.target) has \(records.count) records")
                if !records.isEmpty {
                    #expect(numbersOfTarget[call.target] == Set(group(call.group)), "\(context): \(call.target) is partial")
                }
                if call.status == 200 {
                    #expect(records.count == 1, "\(context): the answered call \(call.target) has no record")
                }
            }
            for index in 0..<groupCount {
                let targets = Set(group(index).map { stored[$0] ?? "" })
                #expect(targets.count == 1, "\(context): group \(index) is split across \(targets)")
                for number in group(index) {
                    // The data equals the after value of the latest record that touched the number.
                    #expect((stored[number] ?? "") == (latest[number]?.target ?? ""), "\(context): \(number)")
                }
                hasForwarding[index] = stored[group(index)[0]] != nil
            }
            #expect(try setup.integrityCheck() == "ok", "\(context)")
        }
    }
}

/// A value shared between the test thread and the threads it starts.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func get() -> Value {
        lock.withLock { value }
    }

    func set(_ newValue: Value) {
        lock.withLock { value = newValue }
    }
}
