import Dispatch
import NumberlineAPI
import NumberlineHTTP
import NumberlineStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `numberline serve`: runs the server until SIGTERM or SIGINT.
enum ServeCommand {
    static let command = "numberline serve"

    static let specs: [OptionSpec] = [
        OptionSpec(name: "host", valueName: "HOST", help: "Address to listen on (default 127.0.0.1).", environment: "NUMBERLINE_HOST"),
        OptionSpec(name: "port", valueName: "PORT", help: "TCP port; 0 picks a free one (default 8080).", environment: "NUMBERLINE_PORT"),
        databaseOption,
        OptionSpec(
            name: "database-pool", valueName: "N",
            help: "PostgreSQL connections this node opens at most (default 8); SQLite ignores it.",
            environment: "NUMBERLINE_DATABASE_POOL"),
        OptionSpec(
            name: "threads", valueName: "N", help: "Event loops, one thread each (default: the number of CPU cores).",
            environment: "NUMBERLINE_THREADS"),
        OptionSpec(
            name: "demo", valueName: nil, help: "Seed the demo instance (idempotent) and print a curl walkthrough.",
            environment: "NUMBERLINE_DEMO"),
        OptionSpec(
            name: "default-instance", valueName: "NAME", help: "Instance for requests that name none (default demo).",
            environment: "NUMBERLINE_DEFAULT_INSTANCE"),
        OptionSpec(
            name: "token-ttl", valueName: "SECONDS", help: "Access token lifetime (default 86400).", environment: "NUMBERLINE_TOKEN_TTL"),
        OptionSpec(
            name: "max-body-bytes", valueName: "BYTES", help: "Body limit for ordinary routes (default 1048576).",
            environment: "NUMBERLINE_MAX_BODY_BYTES"),
        OptionSpec(
            name: "max-header-bytes", valueName: "BYTES", help: "Limit on all request header bytes (default 16384).",
            environment: "NUMBERLINE_MAX_HEADER_BYTES"),
        OptionSpec(
            name: "idle-timeout-ms", valueName: "MS", help: "Idle connection and request read timeout (default 10000).",
            environment: "NUMBERLINE_IDLE_TIMEOUT_MS"),
        OptionSpec(
            name: "request-timeout-ms", valueName: "MS", help: "Handler time limit before a 503 (default 30000).",
            environment: "NUMBERLINE_REQUEST_TIMEOUT_MS"),
        OptionSpec(
            name: "max-connections", valueName: "N", help: "Open connections across all loops (default 10000).",
            environment: "NUMBERLINE_MAX_CONNECTIONS"),
        OptionSpec(
            name: "blocking-threads", valueName: "N", help: "Threads for password hashing (default: half the cores, at least 1).",
            environment: "NUMBERLINE_BLOCKING_THREADS"),
        OptionSpec(
            name: "login-lock-after", valueName: "N", help: "Failed logins per username before a lock (default 10).",
            environment: "NUMBERLINE_LOGIN_LOCK_AFTER"),
        OptionSpec(
            name: "login-lock-address-after", valueName: "N", help: "Failed logins per client address before a lock (default 100).",
            environment: "NUMBERLINE_LOGIN_LOCK_ADDRESS_AFTER"),
        OptionSpec(
            name: "login-lock-seconds", valueName: "SECONDS", help: "How long a login lock lasts (default 900).",
            environment: "NUMBERLINE_LOGIN_LOCK_SECONDS"),
        OptionSpec(
            name: "credential-cache-ms", valueName: "MS",
            help: "Reuse resolved credentials this long; 0 reads them on every request (default 1000).",
            environment: "NUMBERLINE_CREDENTIAL_CACHE_MS"),
        OptionSpec(
            name: "rate-limit-address", valueName: "N",
            help: "Requests per second per client address, bursts of 2N; 0 is no limit (default 0).",
            environment: "NUMBERLINE_RATE_LIMIT_ADDRESS"),
        OptionSpec(
            name: "rate-limit-token", valueName: "N",
            help: "Requests per second per access token, bursts of 2N; 0 is no limit (default 0).",
            environment: "NUMBERLINE_RATE_LIMIT_TOKEN"),
        OptionSpec(
            name: "no-access-log", valueName: nil, help: "Do not write one log line per request.", environment: "NUMBERLINE_NO_ACCESS_LOG"),
        OptionSpec(
            name: "trust-forwarded-for", valueName: nil,
            help: "Take the client address from X-Forwarded-For (behind a load balancer only).",
            environment: "NUMBERLINE_TRUST_FORWARDED_FOR"),
        OptionSpec(
            name: "tls-certificate", valueName: "PATH", help: "PEM certificate chain; serves HTTPS with HTTP/2 when set with --tls-key.",
            environment: "NUMBERLINE_TLS_CERTIFICATE"),
        OptionSpec(name: "tls-key", valueName: "PATH", help: "PEM private key for --tls-certificate.", environment: "NUMBERLINE_TLS_KEY"),
    ]

    static func run(_ arguments: [String]) async throws {
        let options = try ParsedOptions(arguments, specs: specs, command: command)
        if options.wantsHelp {
            print(
                helpText(usage: "\(command) [OPTIONS]", summary: "Runs the iPilot v1 API server until SIGTERM or SIGINT.", specs: specs),
                terminator: "")
            return
        }
        _ = try options.requirePositionals([], command: command)
        let stopSignal = StopSignal()

        // Configuration.
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        var http = HTTPServerConfiguration()
        http.host = options.string("host") ?? "127.0.0.1"
        http.port = UInt16(try options.integer("port", in: 0...65535, command: command) ?? 8080)
        http.loopCount = try options.integer("threads", in: 1...256, command: command) ?? cores
        http.maxBodyBytes = try options.integer("max-body-bytes", in: 1024...(64 << 20), command: command) ?? http.maxBodyBytes
        http.maxHeaderBytes = try options.integer("max-header-bytes", in: 1024...(1 << 20), command: command) ?? http.maxHeaderBytes
        http.idleTimeoutMilliseconds = UInt64(try options.integer("idle-timeout-ms", in: 100...3_600_000, command: command) ?? 10_000)
        http.requestTimeoutMilliseconds = UInt64(try options.integer("request-timeout-ms", in: 100...3_600_000, command: command) ?? 30_000)
        http.maxConnections = try options.integer("max-connections", in: 1...1_000_000, command: command) ?? http.maxConnections
        http.accessLog = !options.flag("no-access-log")
        http.trustsForwardedFor = options.flag("trust-forwarded-for")
        http.tlsCertificatePath = options.string("tls-certificate")
        http.tlsKeyPath = options.string("tls-key")
        if (http.tlsCertificatePath == nil) != (http.tlsKeyPath == nil) {
            throw UsageError(message: "\(command): --tls-certificate and --tls-key go together; give both or neither")
        }

        var api = APIConfiguration()
        api.defaultInstance = options.string("default-instance") ?? "demo"
        guard InstanceName.isValid(api.defaultInstance) else {
            throw UsageError(message: "\(command): --default-instance \"\(api.defaultInstance)\" is not a valid instance name")
        }
        api.tokenLifetimeSeconds = Int64(try options.integer("token-ttl", in: 1...31_536_000, command: command) ?? 86_400)
        api.blockingThreads = try options.integer("blocking-threads", in: 1...256, command: command) ?? max(1, cores / 2)
        api.loginThrottle.lockUsernameAfter = try options.integer("login-lock-after", in: 1...1_000_000, command: command) ?? 10
        api.loginThrottle.lockAddressAfter = try options.integer("login-lock-address-after", in: 1...1_000_000, command: command) ?? 100
        api.loginThrottle.lockSeconds = Int64(try options.integer("login-lock-seconds", in: 1...86_400, command: command) ?? 900)
        api.credentialCacheMilliseconds = try options.integer("credential-cache-ms", in: 0...3_600_000, command: command) ?? 1000
        api.rateLimitPerAddress = try options.integer("rate-limit-address", in: 0...1_000_000, command: command) ?? 0
        api.rateLimitPerToken = try options.integer("rate-limit-token", in: 0...1_000_000, command: command) ?? 0
        api.loginThrottle.slowAfter = min(api.loginThrottle.slowAfter, api.loginThrottle.lockUsernameAfter)

        // Storage.
        let database = options.string("database") ?? "./numberline.db"
        let location = SQLStore.redactedLocation(database)
        let poolSize = try options.integer("database-pool", in: 1...1_000, command: command) ?? 8
        let store: SQLStore
        do {
            store = try await SQLStore.open(database: database, poolSize: poolSize) { change in
                switch change {
                case .unreachable(let reason):
                    Log.error("database unreachable", ["database": location, "error": reason])
                case .reachable:
                    Log.info("database reachable again", ["database": location])
                }
            }
            Log.info("database ready", ["database": location, "schema_version": String(store.schemaVersion)])
        } catch {
            throw CommandError(message: "\(command): cannot open database \(location): \(error)")
        }
        if options.flag("demo") {
            try await DemoData.seed(store)
        }

        // Server.
        let application = Application(store: store, configuration: api)
        let server: HTTPServer
        do {
            server = try HTTPServer(configuration: http, router: application.makeRouter(), errorResponder: Application.errorResponder)
            try server.start()
        } catch {
            await store.close()
            throw CommandError(message: "\(command): \(error)")
        }
        let scheme = http.tlsCertificatePath == nil ? "http" : "https"
        Log.info(
            "listening",
            [
                "url": "\(scheme)://\(http.host):\(server.port)", "loops": String(http.loopCount), "database": location,
                "default_instance": api.defaultInstance,
            ])
        if options.flag("demo") {
            print(DemoData.walkthrough(baseURL: "\(scheme)://\(http.host == "0.0.0.0" ? "127.0.0.1" : http.host):\(server.port)"))
            fflush(nil)
        }

        // Wait for a stop signal, then drain.
        let signalName = await stopSignal.wait()
        Log.info("stopping", ["signal": signalName, "in_flight": String(server.inFlight)])
        let abandoned = server.shutdown()
        await store.close()
        Log.info("stopped", ["abandoned_requests": String(abandoned)])
    }
}

/// Catches SIGTERM and SIGINT from the moment it is made, so a signal sent while the server
/// is still starting is kept, not lost, and ends the wait as soon as the wait begins.
final class StopSignal: @unchecked Sendable {
    // `received` and `waiter` are only touched on `queue`.
    private let queue = DispatchQueue(label: "numberline.signals")
    private var sources: [DispatchSourceSignal] = []
    private var received: String?
    private var waiter: CheckedContinuation<String, Never>?

    init() {
        for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            // The dispatch source receives the signal only once its default action is off.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                self.deliver(name)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Suspends until the first stop signal, returning at once if one came already; returns its name.
    func wait() async -> String {
        await withCheckedContinuation { continuation in
            queue.async {
                if let received = self.received {
                    continuation.resume(returning: received)
                } else {
                    self.waiter = continuation
                }
            }
        }
    }

    private func deliver(_ name: String) {
        guard received == nil else { return }
        received = name
        waiter?.resume(returning: name)
        waiter = nil
    }
}
