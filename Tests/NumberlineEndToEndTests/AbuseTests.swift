import Foundation
import NumberlineJSON
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Hostile clients against one server with short timeouts, while a well-behaved client keeps
/// calling it. Oversized headers and bodies, a half-sent body's effect on other clients and
/// hang-ups are covered by the HTTP layer tests; these are the remaining cases.
@Suite("Abuse battery", .serialized)
struct AbuseTests {
    /// The idle and request read timeout the server runs with, in milliseconds.
    static let idleTimeoutMilliseconds = 1000
    /// How long past the idle timeout a case may take on a loaded 2-core machine, in seconds.
    static let slackSeconds = 4.0

    /// How one hostile request ended.
    enum Outcome: Equatable, CustomStringConvertible {
        /// A response, with the `detail` and first `errors` message of an error body (empty when there is none).
        case status(Int, detail: String = "")
        case closed
        /// Neither a response nor a close before the case gave up.
        case stillOpen

        var description: String {
            switch self {
            case .status(let status, _): return "status \(status)"
            case .closed: return "closed"
            case .stillOpen: return "still open"
            }
        }

        var detail: String {
            if case .status(_, let detail) = self { return detail }
            return ""
        }

        var isRejection: Bool {
            switch self {
            case .status(let status, _): return (400..<500).contains(status)
            case .closed: return true
            case .stillOpen: return false
            }
        }
    }

    @Test("hostile requests get 4xx or close")
    func battery() throws {
        let server = try TestServer(arguments: [
            "--idle-timeout-ms", String(Self.idleTimeoutMilliseconds), "--request-timeout-ms", "3000", "--max-body-bytes", "65536",
        ])
        let token = try server.token(username: TestServer.adminUsername)
        let rssBefore = try #require(server.residentKilobytes())
        let bystander = Bystander(server: server, token: token)
        bystander.start()

        // Each case with a word the error detail must contain, so a 4xx for an unrelated reason fails.
        let cases: [(String, String?, () throws -> Outcome)] = [
            ("header trickled byte by byte", nil, { try Self.trickleHeader(server) }),
            ("JSON nested 500,000 deep", "nest", { try Self.sendJSON(server, token: token, body: Self.nested(depth: 500_000)) }),
            (
                "JSON array of 140,000 numbers", "at most 10000",
                { try Self.sendJSON(server, token: token, body: Self.hugeArray(count: 140_000)) }
            ),
            (
                "JSON string of 1.9 MB", "callingName",
                { try Self.sendJSON(server, token: token, path: "/v1/cnam", method: "POST", body: Self.hugeString()) }
            ),
            ("invalid UTF-8 in a JSON string", "UTF-8", { try Self.sendJSON(server, token: token, body: Self.invalidUTF8()) }),
            ("duplicate JSON keys", "duplicate", { try Self.sendJSON(server, token: token, body: Self.duplicateKeys()) }),
            ("Content-Length above the bytes sent", nil, { try Self.shortBody(server) }),
            ("Content-Length below the bytes sent", "JSON", { try Self.longBody(server, token: token) }),
            ("chunked body past the limit", "65536", { try Self.chunkedPastLimit(server) }),
        ]

        var report: [String] = []
        for (name, word, run) in cases {
            let started = Date()
            let outcome = try run()
            let seconds = Date().timeIntervalSince(started)
            report.append("\(name): \(outcome) in \(String(format: "%.2f", seconds)) s \(outcome.detail)")
            #expect(outcome.isRejection, "\(name): \(outcome)")
            if let word {
                #expect(outcome.detail.contains(word), "\(name): \(outcome) \(outcome.detail)")
            }
            #expect(seconds < Double(Self.idleTimeoutMilliseconds) / 1000 + Self.slackSeconds, "\(name) took \(seconds) s")
            #expect(server.isRunning, "the server stopped after \(name)")
        }

        let served = bystander.stop()
        let rssAfter = try #require(server.residentKilobytes())
        print("abuse battery:\n  " + report.joined(separator: "\n  "))
        print(
            "abuse battery: bystander \(served.successes) calls, \(served.failures.count) failed, slowest \(String(format: "%.3f", served.slowest)) s; RSS \(rssBefore) kB -> \(rssAfter) kB"
        )
        #expect(served.failures.isEmpty, "the bystander failed: \(served.failures.prefix(5))")
        #expect(served.successes >= 20, "the bystander made only \(served.successes) calls")
        #expect(served.slowest < 5, "the bystander waited \(served.slowest) s for one call")
        // Bodies up to 2 MiB pass through the server; a leak per case would show as hundreds of MB.
        #expect(rssAfter - rssBefore < 256 * 1024, "RSS grew from \(rssBefore) kB to \(rssAfter) kB")
    }

    // MARK: - Cases

    /// Sends a request head one byte every 250 ms, up to three idle timeouts long.
    static func trickleHeader(_ server: TestServer) throws -> Outcome {
        let connection = try server.connection()
        let head = Array("GET /v1/health HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: \(String(repeating: "s", count: 200))".utf8)
        let deadline = Date().addingTimeInterval(3 * Double(idleTimeoutMilliseconds) / 1000)
        for byte in head {
            if Date() > deadline { break }
            if (try? connection.send([byte])) == nil {
                return .closed
            }
            if let outcome = poll(connection, seconds: 0.25) {
                return outcome
            }
        }
        return poll(connection, seconds: 0.5) ?? .stillOpen
    }

    /// Sends a JSON body with the admin's token; the call forwarding update route takes bodies of up to 2 MiB.
    static func sendJSON(_ server: TestServer, token: String, path: String = "/v1/callforwarding", method: String = "PUT", body: [UInt8])
        throws -> Outcome
    {
        let connection = try server.connection()
        let head =
            "\(method) \(path) HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: \(server.apiKey)\r\nx-access-token: \(token)\r\ncontent-type: application/json\r\ncontent-length: \(body.count)\r\n\r\n"
        guard (try? connection.send(Array(head.utf8) + body)) != nil else { return .closed }
        return read(connection)
    }

    /// Declares 1000 bytes and sends 10, then waits for the server's read timeout.
    static func shortBody(_ server: TestServer) throws -> Outcome {
        let connection = try server.connection()
        let head = "POST /v1/carriers HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n"
        try connection.send(Array((head + #"{"name":"x"#).utf8))
        return poll(connection, seconds: 3 * Double(idleTimeoutMilliseconds) / 1000) ?? .stillOpen
    }

    /// Declares 5 bytes of a longer body: the first response rejects the cut JSON, and the
    /// rest of the bytes, read as a next request, are rejected or end the connection.
    static func longBody(_ server: TestServer, token: String) throws -> Outcome {
        let connection = try server.connection()
        let head =
            "POST /v1/carriers HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: \(server.apiKey)\r\nx-access-token: \(token)\r\ncontent-type: application/json\r\ncontent-length: 5\r\n\r\n"
        try connection.send(Array((head + #"{"name":"Smuggled"} GET /v1/health HTTP/1.1"#).utf8))
        let first = read(connection)
        guard case .status(let status, _) = first, (400..<500).contains(status) else { return first }
        let second = poll(connection, seconds: 3 * Double(idleTimeoutMilliseconds) / 1000) ?? .stillOpen
        return second.isRejection ? first : second
    }

    /// Streams 200 chunks of 1 KiB to a route that accepts 64 KiB.
    static func chunkedPastLimit(_ server: TestServer) throws -> Outcome {
        let connection = try server.connection()
        let head = "POST /v1/accounts HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
        try connection.send(Array(head.utf8))
        let chunk = Array("400\r\n".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 1024) + Array("\r\n".utf8)
        for _ in 0..<200 {
            if (try? connection.send(chunk)) == nil {
                return poll(connection, seconds: 0.5) ?? .closed
            }
            if let outcome = poll(connection, seconds: 0) {
                return outcome
            }
        }
        guard (try? connection.send(Array("0\r\n\r\n".utf8))) != nil else { return .closed }
        return read(connection)
    }

    // MARK: - Bodies

    static func nested(depth: Int) -> [UInt8] {
        Array(#"{"telephoneNumbers":"#.utf8) + [UInt8](repeating: UInt8(ascii: "["), count: depth)
            + [UInt8](repeating: UInt8(ascii: "]"), count: depth) + Array("}".utf8)
    }

    static func hugeArray(count: Int) -> [UInt8] {
        let items = (0..<count).map { "\"1919\(String(format: "%07d", $0))\"" }.joined(separator: ",")
        return Array(#"{"telephoneNumbers":[\#(items)],"callForwardNumber":"19195551234"}"#.utf8)
    }

    static func hugeString() -> [UInt8] {
        Array(#"{"telephoneNumbers":["19195550100"],"callingName":"\#(String(repeating: "A", count: 1_900_000))"}"#.utf8)
    }

    static func invalidUTF8() -> [UInt8] {
        Array(#"{"telephoneNumbers":["19195550100"],"callForwardNumber":"1919555"#.utf8) + [0xC3, 0x28, 0xFF] + Array(#""}"#.utf8)
    }

    static func duplicateKeys() -> [UInt8] {
        Array(#"{"telephoneNumbers":["19195550100"],"callForwardNumber":"19195551234","callForwardNumber":"19195559999"}"#.utf8)
    }

    // MARK: - Reading

    /// Reads one response, or reports a close.
    static func read(_ connection: TestConnection) -> Outcome {
        do {
            let response = try connection.readResponse()
            // The first `errors` message joins the detail, where a field's problem is named.
            let texts = [response.field("detail") ?? ""] + response.errorMessages().prefix(1)
            return .status(response.status, detail: texts.joined(separator: " "))
        } catch {
            return .closed
        }
    }

    /// Waits up to `seconds` for the server to respond or close, and returns nil when it did neither.
    static func poll(_ connection: TestConnection, seconds: Double) -> Outcome? {
        var descriptor = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
        let ready = Glibc.poll(&descriptor, 1, Int32(seconds * 1000))
        guard ready > 0 else { return nil }
        return read(connection)
    }
}

/// A well-behaved client that calls the server in a loop on its own thread and records
/// every failure, so a test can check that others were served while it misbehaved.
final class Bystander: @unchecked Sendable {
    // Fields below `lock` are read and written only while holding it.
    private let lock = NSLock()
    private var running = false
    private var successes = 0
    private var failures: [String] = []
    private var slowest = 0.0
    private let finished = DispatchSemaphore(value: 0)
    private let server: TestServer
    private let token: String

    init(server: TestServer, token: String) {
        self.server = server
        self.token = token
    }

    func start() {
        lock.withLock { running = true }
        Thread.detachNewThread { [self] in
            var round = 0
            while lock.withLock({ running }) {
                round += 1
                let started = Date()
                let outcome: String?
                do {
                    let response =
                        round % 2 == 0
                        ? try server.request("GET", "/v1/health")
                        : try server.call("GET", "/v1/accounts", token: token)
                    outcome = response.status == 200 ? nil : "status \(response.status)"
                } catch {
                    outcome = "\(error)"
                }
                let seconds = Date().timeIntervalSince(started)
                lock.withLock {
                    if let outcome { failures.append(outcome) } else { successes += 1 }
                    slowest = max(slowest, seconds)
                }
                usleep(20_000)
            }
            finished.signal()
        }
    }

    /// Stops the loop and returns what it saw.
    func stop() -> (successes: Int, failures: [String], slowest: Double) {
        lock.withLock { running = false }
        finished.wait()
        return lock.withLock { (successes, failures, slowest) }
    }
}
