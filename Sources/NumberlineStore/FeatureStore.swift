import NumberlineCore

/// The reach of a feature change: the instance, the subtree whose numbers it may touch, and the time.
public struct FeatureScope: Sendable, Equatable {
    public var instanceID: Int64
    /// Only numbers held by accounts whose path starts with this one are found; `/` for the whole instance.
    public var scopePath: String
    /// Unix seconds, stored as `updated_at`.
    public var time: Int64

    public init(instanceID: Int64, scopePath: String, time: Int64) {
        self.instanceID = instanceID
        self.scopePath = scopePath
        self.time = time
    }
}

/// The rule a bulk write applies to numbers that already have the feature.
public enum FeatureWriteMode: Sendable, Equatable {
    /// Every number must lack the feature (409 otherwise).
    case add
    /// Every number must already have the feature (404 otherwise).
    case update
}

/// The storage contract for per-number features, sites and emergency addresses.
///
/// Every bulk method is one transaction and all-or-nothing: it returns `.rejected` and changes
/// nothing when any number fails. A number outside the scope is rejected exactly like a missing one.
///
/// NOTE: features stay on a number that is released back to its reseller's inventory or moved
/// to another customer, and they are deleted with the number. Neither move checks them yet.
public protocol FeatureStore: Sendable {
    // MARK: - Per-number features

    /// Sets `feature` on every number (E.164 digits) in one transaction.
    func setFeature(_ feature: NumberFeature, on telephoneNumbers: [String], mode: FeatureWriteMode, scope: FeatureScope) async throws
        -> FeatureOutcome
    /// Returns the feature of `kind` on a number inside `scope`.
    func feature(_ kind: NumberFeatureKind, of telephoneNumber: String, scope: FeatureScope) async throws -> FeatureLookup<NumberFeature>
    /// Removes the feature of `kind` from a number inside `scope`; `.found` carries the removed value.
    func removeFeature(_ kind: NumberFeatureKind, from telephoneNumber: String, scope: FeatureScope) async throws -> FeatureLookup<
        NumberFeature
    >
    /// Returns one number of the instance and every feature of it, read together, or `nil` when
    /// the number does not exist. There is no visibility check, so the caller must check the holder.
    func numberWithFeatures(_ telephoneNumber: String, instanceID: Int64) async throws -> (
        number: NumberRecord, features: NumberFeatures
    )?

    // MARK: - Disaster plans

    /// Creates an inactive plan with a new `DAS-` id for numbers that have no plan yet.
    func createDisasterPlan(
        telephoneNumbers: [String], forwardTo: String, countryCode: String?, scope: FeatureScope
    ) async throws -> Result<DisasterPlan, FeatureRejections>
    /// Changes the target of every plan that contains one of the numbers. With `planID`, every
    /// number must belong to that plan.
    func updateDisasterPlans(
        telephoneNumbers: [String], planID: DisasterPlanID?, forwardTo: String, countryCode: String?, scope: FeatureScope
    ) async throws -> FeatureOutcome
    /// Returns the plan that contains a number inside `scope`.
    func disasterPlan(of telephoneNumber: String, scope: FeatureScope) async throws -> FeatureLookup<DisasterPlan>
    /// Takes a number out of its plan; a plan left without numbers is deleted.
    func removeDisasterPlan(from telephoneNumber: String, scope: FeatureScope) async throws -> FeatureLookup<DisasterPlan>
    /// Activates or deactivates a plan whose numbers all lie inside `scope`; `nil` when there is no such plan.
    func setDisasterPlanActive(_ planID: DisasterPlanID, isActive: Bool, scope: FeatureScope) async throws -> DisasterPlan?

    // MARK: - Sites

    /// Sites of one customer, ordered by id.
    func sites(customerID: Int64, instanceID: Int64) async throws -> [Site]
    func site(id: Int64, instanceID: Int64) async throws -> Site?
    /// Throws `.duplicate(field: "departmentName", …)` when the customer has a site of that name in any letter case.
    func createSite(customerID: Int64, instanceID: Int64, departmentName: String) async throws -> Site
    /// Throws `.duplicate` like `createSite`, `.notFound` for an unknown site.
    func renameSite(id: Int64, instanceID: Int64, departmentName: String) async throws
    /// Throws `.conflict` while users are assigned to the site, `.notFound` for an unknown site.
    func deleteSite(id: Int64, instanceID: Int64) async throws
    /// Microsoft Teams users assigned to the site.
    func siteAssignmentCount(siteID: Int64) async throws -> Int

    // MARK: - Emergency addresses

    /// Addresses of one customer with their numbers, ordered by id.
    func emergencyAddresses(customerID: Int64, instanceID: Int64) async throws -> [EmergencyAddress]
    func emergencyAddress(id: Int64, instanceID: Int64) async throws -> EmergencyAddress?
    /// Creates an address for the customer and attaches the numbers, which must be held inside
    /// the customer's subtree (`scope.scopePath`) and have no other address.
    func createEmergencyAddress(
        _ address: CivicAddress, customerID: Int64, telephoneNumbers: [String], scope: FeatureScope
    ) async throws -> Result<EmergencyAddress, FeatureRejections>
    /// Rewrites an address; a non-nil `telephoneNumbers` replaces the set of attached numbers.
    /// Throws `.notFound` for an unknown address.
    func updateEmergencyAddress(
        id: Int64, _ address: CivicAddress, telephoneNumbers: [String]?, scope: FeatureScope
    ) async throws -> Result<EmergencyAddress, FeatureRejections>
    /// Throws `.conflict` while numbers use the address, `.notFound` for an unknown address.
    func deleteEmergencyAddress(id: Int64, instanceID: Int64) async throws
}

/// The rejected numbers of a bulk call that returns a value on success.
public struct FeatureRejections: Error, Sendable, Equatable {
    public var rejections: [FeatureRejection]

    public init(_ rejections: [FeatureRejection]) {
        self.rejections = rejections
    }
}
