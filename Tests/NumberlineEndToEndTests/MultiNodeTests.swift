import Foundation
import NumberlineJSON
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Two `serve` processes on one PostgreSQL database, as two nodes behind a load balancer: what
/// one node writes, the other must read at once, and races between the nodes must end as the
/// same race inside one node does.
///
/// Running several nodes on one database is what the PostgreSQL backend is for, so the suite
/// runs only in the PostgreSQL pass of ci/test.sh, when NUMBERLINE_TEST_POSTGRES_URL is set.
/// Serialized because the uploads of 100,000 numbers would otherwise compete for the machine's cores.
@Suite("Multi-node", .serialized, .enabled(if: TestDatabase.runsOnPostgres))
struct MultiNodeTests {
    // MARK: - Shared state

    @Test("token from one node works on the other")
    func tokenOnOtherNode() throws {
        let nodeA = try TestServer()
        let nodeB = try TestServer(sharing: nodeA)
        let tenants = try Tenants(server: nodeA)

        let tokenFromA = try nodeA.token(username: Tenants.Username.resellerA)
        let readOnB = try nodeB.call("GET", "/v1/accounts/\(tenants.customerA1)", token: tokenFromA)
        #expect(readOnB.status == 200, "\(readOnB.text)")

        let tokenFromB = try nodeB.token(username: Tenants.Username.customerB1)
        let readOnA = try nodeA.call("GET", "/v1/accounts/\(tenants.customerB1)", token: tokenFromB)
        #expect(readOnA.status == 200, "\(readOnA.text)")

        // The tenancy rules hold across nodes too.
        let foreign = try nodeA.call("GET", "/v1/accounts/\(tenants.customerA1)", token: tokenFromB)
        #expect(foreign.status == 404, "\(foreign.text)")
    }

    @Test("failed logins on both nodes count against one lock")
    func lockoutAcrossNodes() throws {
        let arguments = ["--login-lock-after", "4"]
        let nodeA = try TestServer(arguments: arguments)
        let nodeB = try TestServer(sharing: nodeA, arguments: arguments)

        // Two wrong passwords on each node: four in all, which locks the username. Each node
        // alone saw only two, so a per-node count would still let the next guess through.
        for node in [nodeA, nodeB, nodeA, nodeB] {
            #expect(try node.authorize(username: TestServer.adminUsername, password: "wrong-password").status == 401)
        }
        for node in [nodeA, nodeB] {
            let locked = try node.authorize(username: TestServer.adminUsername, password: TestServer.password)
            #expect(locked.status == 429, "\(locked.text)")
            #expect(locked.headers["retry-after"] != nil)
        }
    }

    @Test("account written on one node reads on the other")
    func accountOnOtherNode() throws {
        let nodeA = try TestServer()
        let nodeB = try TestServer(sharing: nodeA)
        let tenants = try Tenants(server: nodeA)
        let tokenA = try nodeA.token(username: Tenants.Username.resellerA)

        let created = try Tenants.create(nodeA, token: tokenA, json: Tenants.customer("Customer A3", login: "customer-a3"))
        let read = try nodeB.call("GET", "/v1/accounts/\(created)", token: tokenA)
        #expect(read.status == 200, "\(read.text)")
        #expect(try read.json()["customerAccount"]?["companyName"]?.string == "Customer A3")

        // The new account's login signs in on the other node.
        #expect(try nodeB.authorize(username: "customer-a3", password: TestServer.password).status == 200)

        // An update on B reads back on A.
        let renamed = try nodeB.call(
            "PUT", "/v1/accounts/\(created)", token: tokenA,
            json: #"{"accountType":"Customer","customerAccount":{"companyName":"Customer A3 Renamed"}}"#)
        #expect(renamed.status == 200, "\(renamed.text)")
        let reread = try nodeA.call("GET", "/v1/accounts/\(created)", token: tokenA)
        #expect(try reread.json()["customerAccount"]?["companyName"]?.string == "Customer A3 Renamed")

        // A deletion on A is seen by B.
        let deleted = try nodeA.call("DELETE", "/v1/accounts/\(tenants.customerA2)", token: tokenA)
        #expect(deleted.status == 200, "\(deleted.text)")
        #expect(try nodeB.call("GET", "/v1/accounts/\(tenants.customerA2)", token: tokenA).status == 404)
    }

    // MARK: - Races between nodes

    @Test("overlapping uploads on two nodes: one wins")
    func overlappingUploads() throws {
        let nodeA = try TestServer()
        let nodeB = try TestServer(sharing: nodeA)
        _ = try Tenants(server: nodeA)
        let carrier = try nodeA.makeCarrier("Carrier A")
        let token = try nodeA.token(username: Tenants.Username.resellerA)
        let count = 100_000
        let overlap = 50_000
        // B's range starts where A's second half starts, so the two share 50,000 numbers.
        let rangeA = numberRange(from: 16_462_000_000, count: count)
        let rangeB = numberRange(from: 16_462_000_000 + Int64(count - overlap), count: count)
        let shared = Set(rangeA).intersection(rangeB)
        #expect(shared.count == overlap)

        let results = simultaneously([
            { @Sendable in try slowUpload(nodeA, carrier: carrier, token: token, numbers: rangeA) },
            { @Sendable in try slowUpload(nodeB, carrier: carrier, token: token, numbers: rangeB) },
        ])
        let responses = try results.map { try $0.get() }
        let statuses = responses.map { $0.status }
        let winners = statuses.indices.filter { (200..<300).contains(statuses[$0]) }
        #expect(winners.count == 1, "statuses: \(statuses), bodies: \(responses.map { $0.text.prefix(300) })")
        #expect(statuses.filter { $0 == 409 }.count == 1, "statuses: \(statuses)")
        guard winners.count == 1, let winner = winners.first else { return }
        let loser = responses[1 - winner]
        let rejected = loser.rejectedNumbers()
        #expect(!rejected.isEmpty, "the rejected upload lists no number: \(loser.text.prefix(300))")
        #expect(rejected.allSatisfy { shared.contains($0) }, "a rejected number lies outside the overlap")

        // Exactly the accepted range is stored, seen through the API of both nodes and in the table.
        let accepted = winner == 0 ? rangeA : rangeB
        #expect(try nodeA.listAll("/v1/carriers/\(carrier)/numbers", token: token) == accepted)
        #expect(try nodeB.listAll("/v1/carriers/\(carrier)/numbers", token: token) == accepted)
        let counts = try nodeA.sql("SELECT count(*), count(DISTINCT telephone_number) FROM numbers")
        #expect(counts.trimmingCharacters(in: .whitespacesAndNewlines) == "\(count)|\(count)")
        let bounds = try nodeA.sql("SELECT min(telephone_number), max(telephone_number) FROM numbers")
        #expect(bounds.trimmingCharacters(in: .whitespacesAndNewlines) == "\(accepted.first!)|\(accepted.last!)")
    }

    @Test("reads go on while writes wait for the write lock")
    func readsDuringQueuedWrites() throws {
        // Four connections, and more writers than that, so that writers holding connections
        // while they wait would leave none for reads.
        let node = try TestServer(arguments: ["--database-pool", "4"])
        let tenants = try Tenants(server: node)
        let token = try node.token(username: Tenants.Username.resellerA)

        // Another node's long write, played by psql holding the nodes' write lock (the advisory
        // lock key 0x6E6D6277 of SQLStore.writeLockKey) for eight seconds.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        holder.arguments = ["-X", "-q", node.database.location, "-c", "SELECT pg_advisory_lock(1852662391), pg_sleep(8)"]
        holder.standardOutput = FileHandle.nullDevice
        try holder.run()
        defer { holder.waitUntilExit() }
        usleep(1_000_000)

        let writers = (0..<6).map { index in
            { @Sendable in
                try node.call(
                    "PUT", "/v1/accounts/\(tenants.customerA1)", token: token,
                    json: #"{"accountType":"Customer","customerAccount":{"agent":"agent \#(index)"}}"#)
            }
        }
        let reads = Locked<[Double]>([])
        let results = simultaneously(
            writers + [
                { @Sendable in
                    // Started after the writers have queued.
                    usleep(500_000)
                    let started = Date()
                    let response = try node.call("GET", "/v1/accounts/\(tenants.customerA1)", token: token)
                    reads.set([Date().timeIntervalSince(started)])
                    return response
                }
            ])
        let statuses = try results.map { try $0.get().status }
        #expect(statuses == Array(repeating: 200, count: 7), "\(statuses)")
        let readSeconds = reads.get().first ?? .infinity
        #expect(readSeconds < 3, "the read waited \(readSeconds) s for a connection held by a queued write")
    }

    @Test("Teams provisioning race across nodes")
    func teamsRaceAcrossNodes() throws {
        let rounds = 10
        let numbers = numberRange(from: 19_195_550_100, count: rounds)
        let fixture = try ProvisioningFixture(numbersA1: numbers)
        let nodeB = try TestServer(sharing: fixture.server)

        for (round, number) in numbers.enumerated() {
            let results = simultaneously([
                { @Sendable in try fixture.provision(upn: "a\(round)@example.com", number: number) },
                { @Sendable in try fixture.provision(upn: "b\(round)@example.com", number: number, on: nodeB) },
            ])
            let statuses = try results.map { try $0.get().status }
            #expect(statuses.filter { (200..<300).contains($0) }.count == 1, "round \(round): \(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == 1, "round \(round): \(statuses)")
            let rows = try fixture.server.sql(
                "SELECT count(*) FROM teams_users t JOIN numbers n ON n.id = t.number_id WHERE n.telephone_number = '\(number)'")
            #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "round \(round)")
        }

        let users = try nodeB.call("GET", "/v1/msteams/\(fixture.tenants.customerA1)/users?limit=1000", token: fixture.tokenA1).json()
        #expect(users.array?.count == rounds)
    }

    @Test("Teams and Zoom race across nodes")
    func teamsZoomRaceAcrossNodes() throws {
        let rounds = 10
        let numbers = numberRange(from: 19_195_550_200, count: rounds)
        let fixture = try ProvisioningFixture(numbersA1: numbers)
        let nodeB = try TestServer(sharing: fixture.server)
        let zoomPath = "/v1/zoom/\(fixture.tenants.customerA1)/numbers"

        for (round, number) in numbers.enumerated() {
            let results = simultaneously([
                { @Sendable in try fixture.provision(upn: "t\(round)@example.com", number: number) },
                { @Sendable in try nodeB.call("POST", zoomPath, token: fixture.tokenA1, json: #"{"telephoneNumbers":["\#(number)"]}"#) },
            ])
            let statuses = try results.map { try $0.get().status }
            #expect(statuses.filter { (200..<300).contains($0) }.count == 1, "round \(round): \(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == 1, "round \(round): \(statuses)")
            // One number is either a Teams user's or peered with Zoom, never both.
            let rows = try fixture.server.sql(
                """
                SELECT (SELECT count(*) FROM teams_users t JOIN numbers n ON n.id = t.number_id WHERE n.telephone_number = '\(number)')
                + (SELECT count(*) FROM zoom_peerings z JOIN numbers n ON n.id = z.number_id WHERE n.telephone_number = '\(number)')
                """)
            #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "round \(round)")
        }
    }

    // MARK: - Database outage

    @Test("database outage returns 503, then recovers")
    func databaseOutage() throws {
        // A cluster of its own, because stopping the shared one would fail every other test.
        let cluster = try ThrowawayCluster()
        let server = try TestServer(postgresAdminURL: cluster.adminURL)
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.resellerA)
        let carrier = try server.makeCarrier("Carrier A")
        #expect(try server.call("GET", "/v1/accounts/\(tenants.customerA1)", token: token).status == 200)

        // An upload is in flight when the database stops, as a crash would stop it.
        let uploaded = numberRange(from: 16_462_000_000, count: 100_000)
        let inFlight = Locked<Result<TestResponse, any Error>?>(nil)
        let uploadDone = DispatchGroup()
        uploadDone.enter()
        Thread {
            inFlight.set(Result { try slowUpload(server, carrier: carrier, token: token, numbers: uploaded) })
            uploadDone.leave()
        }.start()
        usleep(300_000)
        try cluster.crash()
        uploadDone.wait()
        let upload = try #require(inFlight.get()).get()
        #expect(upload.status == 200 || upload.status == 503, "the upload answered \(upload.status): \(upload.text.prefix(300))")
        if upload.status == 503 {
            expectError(upload, 503, StatusText.serviceUnavailable)
        }

        // While the database is down, every call that needs it returns 503 with the error shape.
        let read = try server.call("GET", "/v1/accounts/\(tenants.customerA1)", token: token)
        expectError(read, 503, StatusText.serviceUnavailable)
        let signIn = try server.authorize(username: Tenants.Username.customerA1, password: TestServer.password)
        expectError(signIn, 503, StatusText.serviceUnavailable)
        let create = try server.call("POST", "/v1/accounts", token: token, json: Tenants.customer("Customer A9", login: "customer-a9"))
        expectError(create, 503, StatusText.serviceUnavailable)
        #expect(server.isRunning, "the server exited when the database stopped")

        // Once the database is back, calls succeed again within 15 s without a restart of the server.
        try cluster.resume()
        let deadline = Date().addingTimeInterval(15)
        var recovered = try server.call("GET", "/v1/accounts/\(tenants.customerA1)", token: token)
        while recovered.status != 200 && Date() < deadline {
            usleep(200_000)
            recovered = try server.call("GET", "/v1/accounts/\(tenants.customerA1)", token: token)
        }
        #expect(recovered.status == 200, "still \(recovered.status) 15 s after the database came back: \(recovered.text)")
        #expect(try server.authorize(username: Tenants.Username.customerA1, password: TestServer.password).status == 200)
        let created = try server.call("POST", "/v1/accounts", token: token, json: Tenants.customer("Customer A9", login: "customer-a9"))
        #expect(created.status == 200, "\(created.text)")
        #expect(server.isRunning)

        // The log reports once that the database went away and once that it came back.
        let log = server.log()
        let lost = log.components(separatedBy: "database unreachable").count - 1
        let back = log.components(separatedBy: "database reachable again").count - 1
        #expect(lost == 1 && back == 1, "\(lost) unreachable and \(back) reachable lines in: \(log.suffix(2000))")

        // The upload cut by the outage took effect wholly or not at all.
        let stored = try server.sql(
            "SELECT count(*) FROM numbers WHERE telephone_number BETWEEN '\(uploaded.first!)' AND '\(uploaded.last!)'"
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(stored == "0" || stored == String(uploaded.count), "\(stored) of \(uploaded.count) numbers stored")
        if upload.status == 200 {
            #expect(stored == String(uploaded.count), "an answered upload must survive the outage")
        }
    }
}

// MARK: - Helpers

/// Uploads numbers as JSON and waits up to 120 s for the response instead of the usual 20 s. An
/// upload of 100,000 numbers can take longer under load, and the losing upload of a race may also
/// wait for the winner's transaction.
private func slowUpload(_ server: TestServer, carrier: Int64, token: String, numbers: [String]) throws -> TestResponse {
    let list = numbers.map { "\"\($0)\"" }.joined(separator: ",")
    let headers = [("x-api-key", server.apiKey), ("x-access-token", token), ("content-type", "application/json")]
    return try TestConnection(port: server.port, receiveTimeout: 120).request(
        "POST", "/v1/carriers/\(carrier)/numbers", headers: headers, body: Array(#"{"telephoneNumbers":[\#(list)]}"#.utf8))
}

/// Runs each body on its own thread, releases them together, and returns their results in order.
private func simultaneously<Value: Sendable>(_ bodies: [@Sendable () throws -> Value]) -> [Result<Value, any Error>] {
    let results = bodies.map { _ in Locked<Result<Value, any Error>?>(nil) }
    let start = DispatchSemaphore(value: 0)
    let done = DispatchGroup()
    for (body, result) in zip(bodies, results) {
        done.enter()
        // Threads rather than tasks, because the cooperative pool has one thread per core and the
        // blocking calls of other suites may hold all of them.
        Thread {
            start.wait()
            result.set(Result { try body() })
            done.leave()
        }.start()
    }
    for _ in bodies {
        start.signal()
    }
    done.wait()
    return results.map { $0.get()! }
}

/// A PostgreSQL cluster made with `ci/postgres.sh` for one test, removed when the value is released.
private final class ThrowawayCluster {
    let directory: String
    let adminURL: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("numberline-postgres-\(UUID().uuidString)").path
        adminURL = try Self.script(["start", directory, String(try freeLoopbackPort())])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // ci/postgres.sh turns synchronous_commit off for speed, so a crash loses the last
        // commits the server confirmed. This cluster is crashed on purpose, and what was
        // confirmed before the crash must survive it, so commits wait for their WAL again.
        let settings = try TestDatabase.run(
            "/usr/bin/psql",
            [
                "-X", "-q", "-v", "ON_ERROR_STOP=1", adminURL, "-c", "ALTER SYSTEM SET synchronous_commit = on", "-c",
                "SELECT pg_reload_conf()",
            ])
        guard settings.status == 0 else {
            throw TestError("turning synchronous_commit on failed with \(settings.status): \(settings.error)")
        }
    }

    deinit {
        _ = try? Self.script(["stop", directory])
    }

    /// Stops the cluster with `pg_ctl stop -m immediate`, which ends every session without a checkpoint.
    func crash() throws {
        try Self.script(["crash", directory])
    }

    /// Starts the cluster again after `crash()` and waits until it accepts connections.
    func resume() throws {
        try Self.script(["resume", directory])
    }

    @discardableResult
    private static func script(_ arguments: [String]) throws -> String {
        let path = TestDatabase.repositoryRoot.appendingPathComponent("ci/postgres.sh").path
        let result = try TestDatabase.run(path, arguments)
        guard result.status == 0 else {
            throw TestError("ci/postgres.sh \(arguments.joined(separator: " ")) failed with \(result.status): \(result.error)")
        }
        return result.output
    }
}

/// Returns a TCP port on 127.0.0.1 that was free a moment ago. Another process can take it
/// before the caller binds it, which then fails with the caller's own error.
private func freeLoopbackPort() throws -> UInt16 {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw TestError("socket() failed: errno \(errno)") }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
            bind(socket, address, length) == 0 && getsockname(socket, address, &length) == 0
        }
    }
    guard bound else { throw TestError("binding a loopback port failed: errno \(errno)") }
    return UInt16(bigEndian: address.sin_port)
}
