import CH2O
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Settings of the HTTP server; sizes in bytes, times in milliseconds.
public struct HTTPServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port.
    public var port: UInt16 = 8080
    /// Event loops, one thread and one SO_REUSEPORT listener each.
    public var loopCount = 1
    /// Body limit for routes that set none.
    public var maxBodyBytes = 1 << 20
    /// Hard body limit enforced by H2O before any handler runs; routes may allow up to this.
    public var maxBodyBytesAnyRoute = 64 << 20
    /// Limit on the sum of header name and value bytes.
    public var maxHeaderBytes = 16 << 10
    public var idleTimeoutMilliseconds: UInt64 = 10_000
    public var requestTimeoutMilliseconds: UInt64 = 30_000
    public var maxConnections = 10_000
    /// How long a graceful stop waits for requests in flight.
    public var shutdownGraceMilliseconds: UInt64 = 10_000
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// One log line per request.
    public var accessLog = true
    /// Take the client address from the last entry of `X-Forwarded-For`, as a load balancer in
    /// front of the server appends it. Only for servers that no client can reach directly,
    /// since a client could otherwise send any address.
    public var trustsForwardedFor = false

    public init() {}
}

/// Errors starting the server.
public struct HTTPServerError: Error, CustomStringConvertible {
    public var description: String
}

/// The HTTP server: H2O event loops that hand each request to the router as a Swift task.
public final class HTTPServer: Sendable {
    private let core: ServerCore
    private let server: OpaquePointerBox

    /// The port the listeners are bound to.
    public let port: UInt16

    /// Binds the listeners; call `start()` to begin serving.
    public init(configuration: HTTPServerConfiguration, router: Router, errorResponder: @escaping ErrorResponder) throws {
        let executors = (0..<configuration.loopCount).map { LoopExecutor(index: Int32($0)) }
        let core = ServerCore(configuration: configuration, router: router, errorResponder: errorResponder, executors: executors)
        let timeoutBody = errorResponder(
            503, "The request took longer than \(configuration.requestTimeoutMilliseconds) ms; retry it later.", []
        ).body

        var errorBuffer = [CChar](repeating: 0, count: 512)
        let context = Unmanaged.passRetained(core).toOpaque()
        let created: OpaquePointer? = configuration.host.withCString { host in
            (timeoutBody + [0]).withUnsafeBufferPointer { timeout in
                withOptionalCString(configuration.tlsCertificatePath) { certificate in
                    withOptionalCString(configuration.tlsKeyPath) { key in
                        var settings = nl_server_config()
                        settings.host = host
                        settings.port = configuration.port
                        settings.loop_count = Int32(configuration.loopCount)
                        settings.max_body_bytes = configuration.maxBodyBytesAnyRoute
                        settings.idle_timeout_ms = configuration.idleTimeoutMilliseconds
                        settings.request_timeout_ms = configuration.requestTimeoutMilliseconds
                        settings.timeout_body = UnsafeRawPointer(timeout.baseAddress!).assumingMemoryBound(to: CChar.self)
                        settings.max_connections = Int32(configuration.maxConnections)
                        settings.tls_certificate_path = certificate
                        settings.tls_key_path = key
                        settings.handler = handleRequest
                        settings.after_events = drainLoop
                        settings.handler_context = context
                        return nl_server_create(&settings, &errorBuffer, errorBuffer.count)
                    }
                }
            }
        }
        guard let created else {
            Unmanaged<ServerCore>.fromOpaque(context).release()
            let message = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw HTTPServerError(description: message)
        }
        for executor in executors {
            executor.server = created
        }
        self.core = core
        self.server = OpaquePointerBox(pointer: created)
        self.port = nl_server_port(created)
    }

    /// Starts the loop threads.
    public func start() throws {
        guard nl_server_start(server.pointer) == 0 else {
            throw HTTPServerError(description: "cannot start the event loop threads")
        }
    }

    /// Requests whose handlers have not returned a response yet.
    public var inFlight: Int { nl_server_in_flight(server.pointer) }

    /// Open client connections.
    public var openConnections: Int { nl_server_open_connections(server.pointer) }

    /// Stops accepting, waits up to the grace period for requests in flight, then stops the loops.
    /// Returns the number of requests abandoned because the grace period ran out.
    @discardableResult
    public func shutdown() -> Int {
        nl_server_stop_accepting(server.pointer)
        let deadline = ContinuousClock.now + .milliseconds(core.configuration.shutdownGraceMilliseconds)
        while inFlight > 0 && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        let abandoned = inFlight
        nl_server_destroy(server.pointer)
        return abandoned
    }
}

/// Keeps the C server pointer; set once in `init` and only passed to thread-safe shim calls.
struct OpaquePointerBox: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Keeps a pending-request pointer across the hop from the loop to a task. The shim allows
/// `nl_respond` from any thread, exactly once.
struct PendingRequest: @unchecked Sendable {
    let pointer: OpaquePointer
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}

private func makeString(_ slice: nl_slice) -> String {
    guard let base = slice.base, slice.len > 0 else { return "" }
    return String(decoding: UnsafeRawBufferPointer(start: base, count: slice.len), as: UTF8.self)
}

/// The C hook after each batch of loop events: runs the Swift jobs queued for that loop.
private let drainLoop: nl_loop_hook = { context, loopIndex in
    let core = Unmanaged<ServerCore>.fromOpaque(context!).takeUnretainedValue()
    core.executors[Int(loopIndex)].drain()
}

/// The C callback: runs on a loop thread, copies the request and starts its task.
private let handleRequest: nl_handler = { context, pending, request in
    let core = Unmanaged<ServerCore>.fromOpaque(context!).takeUnretainedValue()
    core.accept(PendingRequest(pointer: pending!), request!.pointee)
}

final class ServerCore: Sendable {
    let configuration: HTTPServerConfiguration
    let router: Router
    let errorResponder: ErrorResponder
    let executors: [LoopExecutor]

    init(configuration: HTTPServerConfiguration, router: Router, errorResponder: @escaping ErrorResponder, executors: [LoopExecutor]) {
        self.configuration = configuration
        self.router = router
        self.errorResponder = errorResponder
        self.executors = executors
    }

    func accept(_ pending: PendingRequest, _ raw: nl_request) {
        let started = ContinuousClock.now
        let target = makeString(raw.path)
        var path = target
        var queryString = ""
        if raw.query_at != Int.max, let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = String(target[..<mark])
            queryString = String(target[target.utf8.index(after: mark)...])
        }
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(raw.header_count)
        for index in 0..<raw.header_count {
            headers.append((makeString(raw.header_names[index]), makeString(raw.header_values[index])))
        }
        var body: [UInt8] = []
        if let base = raw.body.base, raw.body.len > 0 {
            body = Array(UnsafeRawBufferPointer(start: base, count: raw.body.len))
        }
        var remoteAddress = makeString(raw.peer)
        if configuration.trustsForwardedFor, let forwarded = Self.lastForwardedAddress(headers) {
            remoteAddress = forwarded
        }
        let request = HTTPRequest(
            method: HTTPMethod(makeString(raw.method)), path: path, queryString: queryString, headers: headers,
            body: body, remoteAddress: remoteAddress, requestID: makeString(raw.request_id),
            headerBytes: raw.header_bytes)

        Task(executorPreference: executors[Int(raw.loop_index)]) {
            let response = await self.respond(to: request)
            self.send(response, for: pending)
            if self.configuration.accessLog {
                self.logAccess(request, response, since: started)
            }
        }
    }

    /// Applies the limits and the router, then runs the handler.
    func respond(to request: HTTPRequest) async -> HTTPResponse {
        if request.headerBytes > configuration.maxHeaderBytes {
            return errorResponder(
                413, "The request headers total \(request.headerBytes) bytes; the limit is \(configuration.maxHeaderBytes) bytes.", [])
        }
        switch router.match(request.method, path: request.path) {
        case .notFound:
            return errorResponder(404, "No route matches \(request.path); see /v1/openapi.json for the available paths.", [])
        case .methodNotAllowed(let allowed):
            let list = allowed.map(\.description).joined(separator: ", ")
            return errorResponder(405, "\(request.method) is not allowed on \(request.path); use \(list).", [("allow", list)])
        case .found(let handler, let parameters, let maxBodyBytes):
            let limit = maxBodyBytes ?? configuration.maxBodyBytes
            if request.body.count > limit {
                return errorResponder(
                    413, "The request body has \(request.body.count) bytes; this route accepts at most \(limit) bytes.", [])
            }
            var request = request
            request.pathParameters = parameters
            return await handler(request)
        }
    }

    private func send(_ response: HTTPResponse, for pending: PendingRequest) {
        var names: [nl_slice] = []
        var values: [nl_slice] = []
        var storage: [UInt8] = []
        var offsets: [(Int, Int, Int, Int)] = []
        for header in response.headers {
            let nameStart = storage.count
            storage.append(contentsOf: header.name.utf8)
            let valueStart = storage.count
            storage.append(contentsOf: header.value.utf8)
            offsets.append((nameStart, valueStart - nameStart, valueStart, storage.count - valueStart))
        }
        storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
            for (nameStart, nameLength, valueStart, valueLength) in offsets {
                names.append(nl_slice(base: base + nameStart, len: nameLength))
                values.append(nl_slice(base: base + valueStart, len: valueLength))
            }
            response.body.withUnsafeBufferPointer { body in
                let bodyBase = UnsafeRawPointer(body.baseAddress)?.assumingMemoryBound(to: CChar.self)
                nl_respond(pending.pointer, Int32(response.status), names, values, names.count, bodyBase, body.count)
            }
        }
    }

    /// Returns the last address of the last `X-Forwarded-For` header, which the nearest proxy
    /// added, or `nil` when that entry is not an IPv4 or IPv6 address. The caller then keeps
    /// the peer address, so a made-up entry reaches neither the log nor counters of its own.
    static func lastForwardedAddress(_ headers: [(name: String, value: String)]) -> String? {
        guard let value = headers.last(where: { $0.name.lowercased() == "x-forwarded-for" })?.value,
            let last = value.split(separator: ",", omittingEmptySubsequences: false).last
        else {
            return nil
        }
        let address = String(last.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
        return isIPAddress(address) ? address : nil
    }

    static func isIPAddress(_ text: String) -> Bool {
        var buffer = in6_addr()
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }

    private func logAccess(_ request: HTTPRequest, _ response: HTTPResponse, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let microseconds = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        let milliseconds =
            "\(microseconds / 1000).\(String(repeating: "0", count: 3 - String(microseconds % 1000).count))\(microseconds % 1000)"
        var line = "time=" + Log.timestamp() + " level=info msg=request method=" + request.method.description
        line += " path=" + Log.quoted(request.path) + " status=" + String(response.status)
        line += " duration_ms=" + milliseconds + " request_id=" + request.requestID
        line += " remote=" + Log.quoted(request.remoteAddress)
        if let account = response.logAccountID {
            line += " account_id=" + account
        }
        Log.emit(line + "\n")
    }
}
