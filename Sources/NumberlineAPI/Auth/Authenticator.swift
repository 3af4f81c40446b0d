import NumberlineCore
import NumberlineHTTP
import NumberlineStore
import Synchronization

/// The request and its resolved caller, as an authenticated handler receives them.
struct RequestContext: Sendable {
    var request: HTTPRequest
    var caller: Caller
    var instance: Instance
    var login: Login
    /// The login's own account as read at authentication; nil for a platform admin.
    var account: Account?
    /// The logins of `account` as read at authentication.
    var accountLogins: [Login] = []
}

/// Instances by name and id, reloaded from the store on a miss: instances are created by the
/// CLI, possibly while the server runs, and never renamed or removed.
final class InstanceDirectory: Sendable {
    private let byName = Mutex<[String: Instance]>([:])

    func instance(named name: String, store: any Store) async throws -> Instance? {
        if let cached = byName.withLock({ $0[name] }) {
            return cached
        }
        guard let found = try await store.instance(named: name) else { return nil }
        byName.withLock { $0[name] = found }
        return found
    }

    func instance(id: Int64, store: any Store) async throws -> Instance? {
        if let cached = byName.withLock({ $0.values.first { $0.id == id } }) {
            return cached
        }
        let all = try await store.instances()
        byName.withLock { cache in
            for instance in all { cache[instance.name] = instance }
        }
        return all.first { $0.id == id }
    }
}

extension AuditContext {
    /// Creates the audit context of an authenticated request: its login, account, request id and route.
    init(_ context: RequestContext) {
        self.init(
            loginID: context.login.id, username: context.login.username, accountID: context.caller.accountID,
            scopePath: context.caller.scopePath, requestID: context.request.requestID, method: context.request.method.description,
            route: context.request.route)
    }
}

extension Application {
    /// Wraps a handler that needs a signed-in caller: checks `x-api-key` and `x-access-token`
    /// and that both belong to the request's instance.
    func authenticated(_ body: @escaping @Sendable (RequestContext) async throws -> HTTPResponse) -> Handler {
        handler { request in
            let context = try await self.authenticate(request)
            if let wait = self.tokenLimiter.take(request.header("x-access-token") ?? "") {
                throw APIError.tooManyRequests(
                    "This access token sent more than \(Int(self.tokenLimiter.rate)) requests per second; retry after \(wait) seconds.",
                    retryAfterSeconds: wait)
            }
            var response: HTTPResponse
            do {
                response = try await AuditContext.$current.withValue(AuditContext(context)) {
                    try await body(context)
                }
            } catch let error as APIError {
                response = error.response
            }
            response.logAccountID = context.caller.accountID.map { String($0) } ?? "admin"
            return response
        }
    }

    func authenticate(_ request: HTTPRequest) async throws -> RequestContext {
        guard let key = request.header("x-api-key"), !key.isEmpty else {
            throw APIError.unauthorized("The x-api-key header is missing; send the API key the operator issued.")
        }
        guard let token = request.header("x-access-token"), !token.isEmpty else {
            throw APIError.unauthorized("The x-access-token header is missing; get a token from POST /v1/oauth2/authorize.")
        }
        let keyHash = Crypto.secretHash(key)
        let tokenHash = Crypto.secretHash(token)
        let cacheKey = keyHash + tokenHash
        let now = Application.now()
        let credentials: Credentials
        let (cached, generation) = credentialCache.lookup(cacheKey, now: now)
        if let cached {
            credentials = cached
        } else {
            switch try await store.credentials(keyHash: keyHash, tokenHash: tokenHash, now: now) {
            case .success(let found):
                credentials = found
                credentialCache.store(found, for: cacheKey, generation: generation)
            case .failure(.unknownAPIKey):
                throw APIError.unauthorized("The API key is not valid; check x-api-key.")
            case .failure(.invalidToken):
                throw APIError.unauthorized(
                    "The access token is unknown, expired or revoked; request a new one from POST /v1/oauth2/authorize.")
            case .failure(.missingLogin):
                throw APIError.unauthorized("The login of this access token no longer exists; sign in again.")
            }
        }
        let instanceID = credentials.token.instanceID

        // An explicit instance must exist and be the token's; without one the token's instance applies.
        let instance: Instance
        // Only a parameter named exactly `instance` counts; a malformed query string goes to
        // `instanceName`, which rejects it.
        let namesInstance = request.queryParameters?.contains { $0.name == "instance" } ?? request.queryString.contains("instance")
        if namesInstance {
            let name = try instanceName(request)
            guard let named = try await instances.instance(named: name, store: store) else {
                throw APIError.notFound("The instance \(name) does not exist; check the instance parameter.")
            }
            guard named.id == instanceID else {
                throw APIError.unauthorized("The access token belongs to another instance than \(name); sign in to \(name).")
            }
            instance = named
        } else {
            guard let own = try await instances.instance(id: instanceID, store: store) else {
                throw APIError.unauthorized("The access token's instance no longer exists.")
            }
            instance = own
        }

        let login = credentials.login
        guard let account = credentials.account else {
            return RequestContext(
                request: request, caller: .platformAdmin(instanceID: instance.id, loginID: login.id), instance: instance, login: login,
                account: nil)
        }
        let parent = credentials.parent
        let caller = Caller(instanceID: instance.id, loginID: login.id, account: account, parent: parent)
        return RequestContext(
            request: request, caller: caller, instance: instance, login: login, account: account, accountLogins: credentials.accountLogins)
    }
}
