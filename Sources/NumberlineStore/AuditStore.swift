import NumberlineCore

/// The actor and request behind a change, which every audit record stores.
///
/// The API layer binds ``current`` once per authenticated request, so each store write made
/// while the request runs files its audit record under that request. Writes made with no
/// context bound (the command-line tools, demo seeding) are recorded with no actor and no route.
public struct AuditContext: Sendable, Equatable {
    /// The acting login; nil outside a request.
    public var loginID: Int64?
    public var username: String?
    /// The acting login's own account; nil for a platform admin.
    public var accountID: Int64?
    /// Path of the subtree the actor acts in. A record whose objects belong to no account
    /// (a carrier) is filed under this path.
    public var scopePath: String
    /// The `x-request-id` the server returns with the response.
    public var requestID: String?
    /// The HTTP method, e.g. `POST`.
    public var method: String?
    /// The route pattern, e.g. `/v1/accounts/{accountId}`.
    public var route: String?

    public init(
        loginID: Int64?, username: String?, accountID: Int64?, scopePath: String, requestID: String?, method: String?, route: String?
    ) {
        self.loginID = loginID
        self.username = username
        self.accountID = accountID
        self.scopePath = scopePath
        self.requestID = requestID
        self.method = method
        self.route = route
    }

    /// The context of the running task, read by every store write.
    @TaskLocal public static var current: AuditContext?
}

/// One stored audit record: one successful mutation.
public struct AuditRecord: Sendable, Equatable {
    public var id: Int64
    public var instanceID: Int64
    /// Unix milliseconds of the change.
    public var time: Int64
    /// The acting login, its username and its account. A listing leaves the three nil when the
    /// acting account is outside the caller's subtree or the actor is a platform admin.
    public var loginID: Int64?
    public var username: String?
    public var accountID: Int64?
    public var requestID: String?
    public var method: String?
    public var route: String?
    /// Path of the account subtree the record is filed under: the closest account that
    /// contains every changed object. Callers see records filed inside their own subtree.
    public var path: String
    /// JSON array of `{"object", "id", "before", "after"}`; `before` is null for a created
    /// object and `after` is null for a removed one.
    public var changes: String
    /// JSON object describing a bulk change too large to list per object; nil otherwise.
    public var summary: String?

    public init(
        id: Int64, instanceID: Int64, time: Int64, loginID: Int64?, username: String?, accountID: Int64?, requestID: String?,
        method: String?, route: String?, path: String, changes: String, summary: String?
    ) {
        self.id = id
        self.instanceID = instanceID
        self.time = time
        self.loginID = loginID
        self.username = username
        self.accountID = accountID
        self.requestID = requestID
        self.method = method
        self.route = route
        self.path = path
        self.changes = changes
        self.summary = summary
    }
}

/// Filters and keyset position of an audit listing; results come newest first.
public struct AuditQuery: Sendable, Equatable {
    public var instanceID: Int64
    /// Path of the caller's subtree; `/` for the whole instance.
    public var scopePath: String
    /// Unix milliseconds, inclusive.
    public var from: Int64?
    /// Unix milliseconds, inclusive.
    public var to: Int64?
    /// Only records that change this number.
    public var telephoneNumber: String?
    /// Only records that change this account or an object it holds.
    public var accountID: Int64?
    /// Only records of this route pattern.
    public var route: String?
    /// Only records with a smaller id: the last record of the previous page.
    public var beforeID: Int64?
    public var limit: Int

    public init(
        instanceID: Int64, scopePath: String, from: Int64? = nil, to: Int64? = nil, telephoneNumber: String? = nil,
        accountID: Int64? = nil, route: String? = nil, beforeID: Int64? = nil, limit: Int
    ) {
        self.instanceID = instanceID
        self.scopePath = scopePath
        self.from = from
        self.to = to
        self.telephoneNumber = telephoneNumber
        self.accountID = accountID
        self.route = route
        self.beforeID = beforeID
        self.limit = limit
    }
}

/// The storage contract for reading the audit trail. Writes are part of each mutating
/// method of the other store protocols, in the same transaction as the change.
public protocol AuditStore: Sendable {
    /// Records filed inside `query.scopePath` that match the filters, newest first.
    func auditRecords(_ query: AuditQuery) async throws -> [AuditRecord]
}
