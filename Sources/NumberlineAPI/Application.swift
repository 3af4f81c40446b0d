import NumberlineCore
import NumberlineHTTP
import NumberlineStore

#if canImport(Glibc)
    import Glibc
#endif

/// Settings of the API layer.
public struct APIConfiguration: Sendable {
    /// The instance used when a request names none.
    public var defaultInstance = "demo"
    /// Lifetime of an access token, in seconds.
    public var tokenLifetimeSeconds: Int64 = 86_400
    public var loginThrottle = LoginThrottle.Policy()
    /// Threads for password hashing and other slow work.
    public var blockingThreads = 1
    /// Jobs that may wait for a blocking thread before logins get 503.
    public var blockingQueueLimit = 256
    /// How long resolved credentials are reused, in milliseconds; 0 reads them on every request.
    /// Changes made through another process or node (an API key revoked with the CLI) take
    /// effect within this time; changes made through this server take effect at once.
    public var credentialCacheMilliseconds = 1000
    /// Requests per second one client address may make (bursts of twice that); 0 is no limit.
    public var rateLimitPerAddress = 0
    /// Requests per second one access token may make (bursts of twice that); 0 is no limit.
    public var rateLimitPerToken = 0

    public init() {}
}

/// The iPilot v1 API: builds the router and owns what the handlers share.
public final class Application: Sendable {
    public let store: any Store
    public let configuration: APIConfiguration
    let pool: BlockingPool
    let throttle: LoginThrottle
    let instances = InstanceDirectory()
    let credentialCache: CredentialCache
    let addressLimiter: RateLimiter
    let tokenLimiter: RateLimiter
    /// A real Argon2id hash of a random password, checked when a username is unknown so that
    /// an unknown user costs as much time as a wrong password.
    let decoyPasswordHash: String

    public init(store: any Store, configuration: APIConfiguration) {
        Crypto.initialize()
        self.store = store
        self.configuration = configuration
        self.pool = BlockingPool(threadCount: configuration.blockingThreads, maxQueued: configuration.blockingQueueLimit)
        self.throttle = LoginThrottle(policy: configuration.loginThrottle, store: store)
        self.credentialCache = CredentialCache(lifetimeMilliseconds: configuration.credentialCacheMilliseconds)
        self.addressLimiter = RateLimiter(rate: configuration.rateLimitPerAddress)
        self.tokenLimiter = RateLimiter(rate: configuration.rateLimitPerToken)
        self.decoyPasswordHash = Crypto.hashPassword(Crypto.randomHex(byteCount: 16))
    }

    /// Builds the router with every section's routes.
    public func makeRouter() -> Router {
        var router = Router()
        registerSystem(&router)
        registerAuthorization(&router)
        registerAccounts(&router)
        registerCarriers(&router)
        registerNumbers(&router)
        registerCallForwarding(&router)
        registerCallingPartyNumber(&router)
        registerCNAM(&router)
        registerDisasterPlans(&router)
        registerInternationalCalling(&router)
        registerSites(&router)
        registerEmergencyAddresses(&router)
        registerMicrosoftTeams(&router)
        registerZoom(&router)
        registerAudit(&router)
        return router
    }

    /// Renders the errors the HTTP layer raises itself in the API's error shape.
    public static let errorResponder: ErrorResponder = { status, detail, headers in
        APIError.errorResponse(status: status, detail: detail, headers: headers)
    }

    /// Seconds since the Unix epoch.
    static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }
}

// MARK: - Handler plumbing

extension Application {
    /// Wraps a throwing handler: API errors become their responses, storage errors are mapped,
    /// and anything else is logged and returned as a 500.
    func handler(_ body: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) -> Handler {
        return { request in
            do {
                if let wait = self.addressLimiter.take(request.remoteAddress) {
                    throw APIError.tooManyRequests(
                        "This address sent more than \(Int(self.addressLimiter.rate)) requests per second; retry after \(wait) seconds.",
                        retryAfterSeconds: wait)
                }
                return try await body(request)
            } catch let error as APIError {
                return error.response
            } catch let error as StoreError {
                if case .unavailable(let reason) = error {
                    Log.error("database unavailable", ["request_id": request.requestID, "error": reason])
                }
                return APIError.from(error, what: "object").response
            } catch {
                Log.error(
                    "unexpected error", ["request_id": request.requestID, "path": request.path, "error": String(describing: error)])
                return APIError.errorResponse(status: 500, detail: "An unexpected error occurred; the request id is \(request.requestID).")
            }
        }
    }

    /// Resolves the `instance` of a request: the query parameter, else `fallback`, else the default.
    func instanceName(_ request: HTTPRequest, fallback: String? = nil) throws -> String {
        guard let parameters = request.queryParameters else {
            throw APIError.badRequest("The query string is not valid percent-encoding; encode it per RFC 3986.")
        }
        let values = parameters.filter { $0.name == "instance" }.map(\.value)
        if values.count > 1 {
            throw APIError.badRequest("The query parameter instance is given \(values.count) times; give it once.")
        }
        let name = values.first ?? fallback ?? configuration.defaultInstance
        guard InstanceName.isValid(name) else {
            throw APIError.badRequest(
                "The instance \"\(name.prefix(80))\" is not a valid instance name; use lower-case letters, digits and hyphens.")
        }
        return name
    }
}

/// The spelling of instance names.
public enum InstanceName {
    /// 1 to 63 characters of `a-z`, `0-9` and `-`, starting with a letter or digit.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        for (index, byte) in bytes.enumerated() {
            let isAlphanumeric =
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            if !(isAlphanumeric || (index > 0 && byte == UInt8(ascii: "-"))) {
                return false
            }
        }
        return true
    }
}
