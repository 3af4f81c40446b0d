import NumberlineCore

/// The carrier, holder and status given to newly uploaded numbers.
public struct NumberPlacement: Sendable, Equatable {
    public var instanceID: Int64
    public var carrierID: Int64
    /// The holding account: a reseller (its inventory) or a customer.
    public var accountID: Int64
    public var status: NumberStatus
    /// Unix seconds; set when the numbers go straight to a customer.
    public var activatedAt: Int64?
    /// Unix seconds, stored as `updated_at`.
    public var time: Int64

    public init(instanceID: Int64, carrierID: Int64, accountID: Int64, status: NumberStatus, activatedAt: Int64?, time: Int64) {
        self.instanceID = instanceID
        self.carrierID = carrierID
        self.accountID = accountID
        self.status = status
        self.activatedAt = activatedAt
        self.time = time
    }
}

/// Filters and keyset position of a number listing; results come ordered by telephone number.
public struct NumberQuery: Sendable, Equatable {
    public var instanceID: Int64
    /// Path of the caller's subtree; `/` for the whole instance.
    public var scopePath: String
    /// The reseller at the top of the scope, which lets the store use its per-reseller index.
    public var scopeResellerID: Int64?
    public var carrierID: Int64?
    /// Only numbers held by this account itself.
    public var accountID: Int64?
    public var status: NumberStatus?
    /// Only numbers whose digits start with these digits.
    public var prefix: String?
    /// Only numbers greater than this one: the last number of the previous page.
    public var after: String?
    public var limit: Int

    public init(
        instanceID: Int64, scopePath: String, scopeResellerID: Int64? = nil, carrierID: Int64? = nil, accountID: Int64? = nil,
        status: NumberStatus? = nil, prefix: String? = nil, after: String? = nil, limit: Int
    ) {
        self.instanceID = instanceID
        self.scopePath = scopePath
        self.scopeResellerID = scopeResellerID
        self.carrierID = carrierID
        self.accountID = accountID
        self.status = status
        self.prefix = prefix
        self.after = after
        self.limit = limit
    }
}

/// The storage contract for carriers and the telephone-number inventory.
///
/// Bulk methods are all-or-nothing: they return `.rejected` and change nothing when any
/// number fails, and they list every failing number up to `NumberRules.maxListedRejections`.
public protocol NumberInventoryStore: Sendable {
    // MARK: - Carriers

    /// Creates a carrier. Throws `.duplicate(field: "name", …)` when the instance has one of that name.
    func createCarrier(instanceID: Int64, name: String) async throws -> Carrier
    /// Returns the instance's carriers, ordered by id.
    func carriers(instanceID: Int64) async throws -> [Carrier]
    func carrier(id: Int64, instanceID: Int64) async throws -> Carrier?

    // MARK: - Validation mode

    func numberValidation(instanceID: Int64) async throws -> NumberValidation
    /// Throws `.notFound` for an unknown instance.
    func setNumberValidation(_ mode: NumberValidation, instanceID: Int64) async throws

    // MARK: - Numbers

    /// Inserts every number in one transaction, or none when any is already in the instance
    /// (reason `.alreadyPresent`). Throws `.notFound` when the carrier or holder is missing.
    func insertNumbers(_ numbers: [NewNumber], placement: NumberPlacement) async throws -> BulkOutcome
    /// Numbers matching `query`, ordered by telephone number, at most `query.limit`.
    func numbers(_ query: NumberQuery) async throws -> [NumberRecord]
    /// Returns one number of the instance regardless of its holder, so the caller must check visibility.
    func number(_ telephoneNumber: String, instanceID: Int64) async throws -> NumberRecord?
    /// Moves the numbers to the customer `customerID` with status `assigned`. Every number must
    /// be held inside `scopePath` and pass `NumberRules.assignmentBlocker`.
    func assignNumbers(_ telephoneNumbers: [String], instanceID: Int64, scopePath: String, customerID: Int64, time: Int64) async throws
        -> BulkOutcome
    /// Returns the numbers to their reseller's inventory with status `available`.
    func releaseNumbers(_ telephoneNumbers: [String], instanceID: Int64, scopePath: String, time: Int64) async throws -> BulkOutcome
    /// Removes the numbers of carrier `carrierID` held inside `scopePath` that pass
    /// `NumberRules.deletionBlocker`.
    func deleteNumbers(_ telephoneNumbers: [String], instanceID: Int64, carrierID: Int64, scopePath: String) async throws -> BulkOutcome
}
