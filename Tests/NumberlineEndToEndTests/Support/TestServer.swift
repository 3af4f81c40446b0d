import Foundation
import NumberlineJSON

#if canImport(Glibc)
    import Glibc
#endif

/// A real `numberline serve` process on an ephemeral loopback port with its own database,
/// plus the CLI calls an operator would make to prepare it. The database is a SQLite file, or a
/// fresh PostgreSQL database when `NUMBERLINE_TEST_POSTGRES_URL` is set (see `TestDatabase`).
final class TestServer: @unchecked Sendable {
    // Mutated only by the test that owns the server, one step at a time.
    let directory: URL
    /// Shared with the other nodes started by `init(sharing:)`, and dropped after the last of them.
    let database: TestDatabase
    let logPath: String
    let instance: String
    private(set) var port: UInt16 = 0
    private(set) var apiKey = ""
    private var process: Process?
    private var arguments: [String]

    static let adminUsername = "root-admin"
    static let password = "correct-horse-battery"

    /// The `numberline` binary: `NUMBERLINE_BINARY`, else next to the test executable, else `.build/debug`.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["NUMBERLINE_BINARY"] {
            return path
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let sibling = executable.deletingLastPathComponent().appendingPathComponent("numberline").path
        if FileManager.default.isExecutableFile(atPath: sibling) {
            return sibling
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/numberline").path
    }

    /// Prepares an instance with a platform admin and an API key, then starts the server.
    /// `postgresAdminURL` picks the PostgreSQL cluster to create the database on, and nil picks SQLite.
    init(instance: String = "acme", arguments: [String] = [], postgresAdminURL: String? = TestDatabase.postgresAdminURL) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("numberline-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = try TestDatabase(directory: directory, postgresAdminURL: postgresAdminURL)
        logPath = directory.appendingPathComponent("server.log").path
        self.instance = instance
        self.arguments = arguments

        try checkedCLI(["instance", "create", instance])
        try checkedCLI(
            ["admin", "create", "--instance", instance, "--username", Self.adminUsername, "--password-stdin"], input: Self.password + "\n")
        apiKey = try checkedCLI(["apikey", "create", "--instance", instance, "--label", "tests"]).trimmingCharacters(
            in: .whitespacesAndNewlines)
        try start()
    }

    /// Starts another `serve` process on `other`'s database, with the same instance and API key,
    /// as a second node behind a load balancer would run. Its log goes to its own directory.
    init(sharing other: TestServer, arguments: [String]? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("numberline-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = other.database
        logPath = directory.appendingPathComponent("server.log").path
        instance = other.instance
        apiKey = other.apiKey
        self.arguments = arguments ?? other.arguments
        try start()
    }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: - Process control

    /// Starts `serve` and waits for its "listening" log line.
    func start() throws {
        let log = FileManager.default.fileExists(atPath: logPath) ? try String(contentsOfFile: logPath, encoding: .utf8) : ""
        let offset = log.utf8.count
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments =
            ["serve", "--port", "0", "--threads", "2", "--database", database.location, "--default-instance", instance] + arguments
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NUMBERLINE_") }
        try process.run()
        self.process = process

        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            let fresh = String(text.utf8.dropFirst(offset)) ?? ""
            if let range = fresh.range(of: #"url=https?://127\.0\.0\.1:([0-9]+)"#, options: .regularExpression) {
                let url = fresh[range]
                port = UInt16(url.split(separator: ":").last!)!
                return
            }
            guard process.isRunning else {
                let how = process.terminationReason == .uncaughtSignal ? "was killed by signal" : "exited with status"
                throw TestError("the server \(how) \(process.terminationStatus) before listening:\n\(fresh)")
            }
            usleep(20_000)
        }
        throw TestError("the server did not report listening within 30 s")
    }

    /// Sends `signal` and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        guard let process else { return -1 }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    var isRunning: Bool { process?.isRunning ?? false }

    /// The server's process id while it runs.
    var processIdentifier: Int32? { process?.processIdentifier }

    /// Returns the server's resident set size in kB (`VmRSS` of /proc/PID/status), or nil when it is not running.
    func residentKilobytes() -> Int? {
        guard let pid = processIdentifier, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else {
            return nil
        }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
    }

    /// Returns the server's log so far.
    func log() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    // MARK: - CLI

    /// Runs a `numberline` subcommand against this server's database.
    @discardableResult
    func cli(_ arguments: [String], input: String? = nil, database: Bool = true) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments + (database ? ["--database", self.database.location] : [])
        let output = Pipe()
        let error = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = inputPipe
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NUMBERLINE_") }
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
        }
        try inputPipe.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    @discardableResult
    private func checkedCLI(_ arguments: [String], input: String? = nil) throws -> String {
        let result = try cli(arguments, input: input)
        guard result.status == 0 else {
            throw TestError("numberline \(arguments.joined(separator: " ")) failed with \(result.status): \(result.error)")
        }
        return result.output
    }

    // MARK: - HTTP

    func connection() throws -> TestConnection {
        try TestConnection(port: port)
    }

    /// Sends one request on a fresh connection.
    func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> TestResponse {
        try connection().request(method, target, headers: headers, body: body)
    }

    /// Makes the token call with form-encoded credentials.
    func authorize(username: String, password: String, apiKey: String? = nil, instance: String? = nil) throws -> TestResponse {
        var form = "username=\(formEncode(username))&password=\(formEncode(password))"
        if let instance { form += "&instance=\(formEncode(instance))" }
        return try request(
            "POST", "/v1/oauth2/authorize",
            headers: [("x-api-key", apiKey ?? self.apiKey), ("content-type", "application/x-www-form-urlencoded")],
            body: Array(form.utf8))
    }

    /// Signs in and returns the access token, failing when the call does not return 200.
    func token(username: String, password: String = TestServer.password) throws -> String {
        let response = try authorize(username: username, password: password)
        guard response.status == 200, let token = response.field("access_token") else {
            throw TestError("sign-in as \(username) answered \(response.status): \(response.text)")
        }
        return token
    }

    /// Sends an authenticated request with the server's API key and `token`.
    func call(_ method: String, _ target: String, token: String, json: String? = nil, headers: [(String, String)] = []) throws
        -> TestResponse
    {
        var all = [("x-api-key", apiKey), ("x-access-token", token)] + headers
        if json != nil { all.append(("content-type", "application/json")) }
        return try request(method, target, headers: all, body: Array((json ?? "").utf8))
    }
}

func formEncode(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}
