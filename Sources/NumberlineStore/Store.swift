import NumberlineCore

/// Failures a storage backend reports, free of any backend's own types.
public enum StoreError: Error, Equatable, Sendable {
    /// A unique value is taken (`field` names it, e.g. `"username"`, `"instance"`).
    case duplicate(field: String, value: String)
    /// The object to change does not exist (or was removed meanwhile).
    case notFound
    /// The change would break a rule the data enforces; `reason` is for the operator.
    case conflict(reason: String)
    /// The database cannot be reached or returned an error; the request may be retried.
    case unavailable(reason: String)
}

/// An API key as stored: only the hash of the key is kept.
extension StoreError: CustomStringConvertible {
    /// One line for logs and command-line errors.
    public var description: String {
        switch self {
        case .duplicate(let field, let value): value.isEmpty ? "duplicate \(field)" : "duplicate \(field) \(value)"
        case .notFound: "not found"
        case .conflict(let reason): "conflict: \(reason)"
        case .unavailable(let reason): reason
        }
    }
}

public struct APIKeyRecord: Sendable, Equatable {
    public var id: Int64
    public var instanceID: Int64
    public var label: String?
    /// Hex of the BLAKE2b hash of the key.
    public var keyHash: String
    /// Unix seconds.
    public var createdAt: Int64
    public var revokedAt: Int64?

    public init(id: Int64, instanceID: Int64, label: String?, keyHash: String, createdAt: Int64, revokedAt: Int64?) {
        self.id = id
        self.instanceID = instanceID
        self.label = label
        self.keyHash = keyHash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// An access token as stored: only the hash of the token is kept.
public struct AccessTokenRecord: Sendable, Equatable {
    /// Hex of the BLAKE2b hash of the token.
    public var tokenHash: String
    public var instanceID: Int64
    public var loginID: Int64
    /// Unix seconds.
    public var expiresAt: Int64

    public init(tokenHash: String, instanceID: Int64, loginID: Int64, expiresAt: Int64) {
        self.tokenHash = tokenHash
        self.instanceID = instanceID
        self.loginID = loginID
        self.expiresAt = expiresAt
    }
}

/// Everything a request's credentials resolve to, read in one transaction.
/// Failed logins counted under one throttle key (a username or a client address).
public struct ThrottleCount: Sendable, Equatable {
    public var failures: Int
    /// Unix seconds of the first failure still counted.
    public var firstFailureAt: Int64
    /// Unix seconds until which the key is locked; 0 when it is not locked.
    public var lockedUntil: Int64

    public init(failures: Int, firstFailureAt: Int64, lockedUntil: Int64) {
        self.failures = failures
        self.firstFailureAt = firstFailureAt
        self.lockedUntil = lockedUntil
    }
}

public struct Credentials: Sendable, Equatable {
    public var apiKey: APIKeyRecord
    public var token: AccessTokenRecord
    public var login: Login
    /// The login's account; nil for a platform admin.
    public var account: Account?
    /// The parent of a User account, whose scope its logins act in; nil otherwise.
    public var parent: Account?
    /// Every login of `account`, by id; empty for a platform admin.
    public var accountLogins: [Login]

    public init(apiKey: APIKeyRecord, token: AccessTokenRecord, login: Login, account: Account?, parent: Account?, accountLogins: [Login]) {
        self.apiKey = apiKey
        self.token = token
        self.login = login
        self.account = account
        self.parent = parent
        self.accountLogins = accountLogins
    }
}

/// The reason credentials did not resolve.
public enum CredentialsProblem: Error, Equatable, Sendable {
    case unknownAPIKey
    /// The token is unknown, expired, revoked, or of another instance than the key.
    case invalidToken
    /// The token's login or its account (or a User account's parent) is gone.
    case missingLogin
}

/// A login to create; the id is assigned by the store.
public struct NewLogin: Sendable, Equatable {
    public var username: String
    public var passwordHash: String
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var phoneNumber: String?

    public init(
        username: String, passwordHash: String, firstName: String? = nil, lastName: String? = nil, email: String? = nil,
        phoneNumber: String? = nil
    ) {
        self.username = username
        self.passwordHash = passwordHash
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phoneNumber = phoneNumber
    }
}

/// An account to create; the store assigns `id` and `path` from the parent.
public struct NewAccount: Sendable, Equatable {
    public var instanceID: Int64
    public var kind: AccountKind
    /// `nil` only for a reseller.
    public var parentID: Int64?
    public var modules: Modules
    public var profile: AccountProfile

    public init(instanceID: Int64, kind: AccountKind, parentID: Int64?, modules: Modules, profile: AccountProfile) {
        self.instanceID = instanceID
        self.kind = kind
        self.parentID = parentID
        self.modules = modules
        self.profile = profile
    }
}

/// The change an update makes to the account's logins.
public enum LoginUpdate: Sendable, Equatable {
    /// Leave the logins as they are.
    case keep
    /// Replace the whole set. Entries whose username matches an existing login keep that
    /// login's id; a `nil` password hash keeps its old hash. Logins that disappear, and
    /// logins whose hash changes, lose their access tokens in the same transaction.
    case replace([LoginChange])
}

/// One login in a `LoginUpdate.replace` set.
public struct LoginChange: Sendable, Equatable {
    public var username: String
    /// `nil` keeps the current hash of an existing login; required for a new login.
    public var passwordHash: String?
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var phoneNumber: String?

    public init(
        username: String, passwordHash: String?, firstName: String? = nil, lastName: String? = nil, email: String? = nil,
        phoneNumber: String? = nil
    ) {
        self.username = username
        self.passwordHash = passwordHash
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phoneNumber = phoneNumber
    }
}

/// The storage contract every backend (SQLite, PostgreSQL) implements.
///
/// Each method is one transaction. Implementations must be safe to call from many tasks at once.
public protocol Store: NumberInventoryStore, FeatureStore, ProvisioningStore, AuditStore {
    // MARK: - Schema

    /// Applies every migration not yet applied, each in its own transaction; returns the schema version.
    @discardableResult
    func migrate() async throws -> Int
    /// Closes connections; the store must not be used afterwards.
    func close() async

    // MARK: - Instances

    func createInstance(name: String) async throws -> Instance
    func instance(named name: String) async throws -> Instance?
    func instances() async throws -> [Instance]

    // MARK: - API keys

    func createAPIKey(instanceID: Int64, label: String?, keyHash: String, createdAt: Int64) async throws -> APIKeyRecord
    /// Returns the key with this hash unless it is revoked.
    func activeAPIKey(keyHash: String) async throws -> APIKeyRecord?
    func apiKeys(instanceID: Int64) async throws -> [APIKeyRecord]
    /// Throws `StoreError.notFound` for an unknown id.
    func revokeAPIKey(id: Int64, at time: Int64) async throws

    // MARK: - Logins and tokens

    /// Creates a platform admin login (no account). Throws `.duplicate(field: "username", …)`.
    func createAdminLogin(instanceID: Int64, login: NewLogin) async throws -> Login
    func login(instanceID: Int64, username: String) async throws -> Login?
    func login(id: Int64) async throws -> Login?
    func logins(accountID: Int64) async throws -> [Login]
    /// Logins of every account whose path starts with `pathPrefix`, ordered by id.
    func logins(instanceID: Int64, pathPrefix: String) async throws -> [Login]
    func storeToken(_ token: AccessTokenRecord) async throws
    /// Returns the token with this hash if it exists and `expiresAt > now`.
    func validToken(tokenHash: String, now: Int64) async throws -> AccessTokenRecord?
    /// Resolves an API key hash and an access token hash to the key, token, login and accounts.
    func credentials(keyHash: String, tokenHash: String, now: Int64) async throws -> Result<Credentials, CredentialsProblem>
    /// Removes expired tokens; returns how many.
    func purgeExpiredTokens(now: Int64) async throws -> Int

    /// Reads the login-throttle counts stored under `keys` (missing keys are absent from the
    /// dictionary), lets `update` decide, and stores what it returns, all in one write
    /// transaction, so that attempts on every node sharing the database count against one
    /// limit. A key `update` leaves out of its result is deleted. Counts with no lock whose
    /// first failure is before `forgetBefore` may be deleted as well. `update` may run more
    /// than once when the transaction is retried, so it must have no other effect.
    func updateThrottleCounts<Result>(
        keys: [String], forgetBefore: Int64, _ update: ([String: ThrottleCount]) -> (counts: [String: ThrottleCount], result: Result)
    ) async throws -> Result

    // MARK: - Accounts

    func account(id: Int64, instanceID: Int64) async throws -> Account?
    /// Accounts of `kind` whose path starts with `pathPrefix` (use `"/"` for the whole instance), by id.
    func accounts(instanceID: Int64, pathPrefix: String, kind: AccountKind?) async throws -> [Account]
    /// Creates the account and its logins. Throws `.duplicate(field: "username", …)` or `.notFound` for a missing parent.
    func createAccount(_ account: NewAccount, logins: [NewLogin]) async throws -> Account
    /// Writes `modules` and `profile` of `account` (tree fields are fixed) and applies `logins`.
    func updateAccount(_ account: Account, logins: LoginUpdate) async throws
    /// Deletes the account with its subtree, their logins and tokens. Throws
    /// `.conflict` while the account or its subtree holds telephone numbers, `.notFound` if absent.
    func deleteAccount(id: Int64, instanceID: Int64) async throws
    /// Telephone numbers held by the account or any account below it.
    func numbersHeld(instanceID: Int64, pathPrefix: String) async throws -> Int
}
