import NumberlineCore
import NumberlineHTTP
import NumberlineStore
import Synchronization

/// What an authenticated handler knows about its request.
struct RequestContext: Sendable {
    var request: HTTPRequest
    var caller: Caller
    var instance: Instance
    var login: Login
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

extension Application {
    /// Wraps a handler that needs a signed-in caller: checks `x-api-key` and `x-access-token`
    /// and that both belong to the request's instance.
    func authenticated(_ body: @escaping @Sendable (RequestContext) async throws -> HTTPResponse) -> Handler {
        handler { request in
            let context = try await self.authenticate(request)
            var response: HTTPResponse
            do {
                response = try await body(context)
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
        guard let apiKey = try await store.activeAPIKey(keyHash: Crypto.secretHash(key)) else {
            throw APIError.unauthorized("The API key is not valid; check x-api-key.")
        }
        guard let record = try await store.validToken(tokenHash: Crypto.secretHash(token), now: Application.now()),
            record.instanceID == apiKey.instanceID
        else {
            throw APIError.unauthorized("The access token is unknown, expired or revoked; request a new one from POST /v1/oauth2/authorize.")
        }

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
            guard named.id == record.instanceID else {
                throw APIError.unauthorized("The access token belongs to another instance than \(name); sign in to \(name).")
            }
            instance = named
        } else {
            guard let own = try await instances.instance(id: record.instanceID, store: store) else {
                throw APIError.unauthorized("The access token's instance no longer exists.")
            }
            instance = own
        }

        guard let login = try await store.login(id: record.loginID) else {
            throw APIError.unauthorized("The login of this access token no longer exists; sign in again.")
        }
        guard let accountID = login.accountID else {
            return RequestContext(request: request, caller: .platformAdmin(instanceID: instance.id, loginID: login.id), instance: instance, login: login)
        }
        guard let account = try await store.account(id: accountID, instanceID: instance.id) else {
            throw APIError.unauthorized("The account of this login no longer exists.")
        }
        var parent: Account?
        if account.kind == .user, let parentID = account.parentID {
            parent = try await store.account(id: parentID, instanceID: instance.id)
            guard parent != nil else {
                throw APIError.unauthorized("The parent account of this User login no longer exists.")
            }
        }
        let caller = Caller(instanceID: instance.id, loginID: login.id, account: account, parent: parent)
        return RequestContext(request: request, caller: caller, instance: instance, login: login)
    }
}
