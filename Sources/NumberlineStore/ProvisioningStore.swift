import NumberlineCore

/// A provisioning change that a stored rule blocks; the transaction changed nothing.
public enum ProvisioningConflict: Error, Sendable, Equatable {
    /// The number cannot be provisioned to the user, for the reason given.
    case number(String, ProvisioningBlocker)
    /// The customer already has a user with this principal name, ignoring ASCII case.
    case duplicateUPN(String)
}

/// The storage contract for Microsoft Teams users and Zoom peerings.
///
/// Provisioning moves a number held by the customer itself from status `assigned` to
/// `provisioned`, and unprovisioning moves it back, in the same transaction as the user or
/// peering row. Callers check that the customer is visible to them before calling.
public protocol ProvisioningStore: Sendable {
    // MARK: - Microsoft Teams

    /// Returns the customer's users ordered by id, those with an id above `afterID`, at most `limit`.
    func teamsUsers(instanceID: Int64, customerID: Int64, afterID: Int64?, limit: Int) async throws -> [TeamsUser]
    func teamsUser(id: Int64, instanceID: Int64, customerID: Int64) async throws -> TeamsUser?
    /// Provisions the user to the number. Throws `ProvisioningConflict` when the customer does
    /// not hold the number with status `assigned`, or already has a user with this UPN.
    func createTeamsUser(_ user: NewTeamsUser, instanceID: Int64, customerID: Int64, time: Int64) async throws -> TeamsUser
    /// Writes the names, note and site of `user`. When its number differs from the stored one,
    /// the old number returns to the pool and the new one is provisioned. Throws
    /// `StoreError.notFound` for an unknown user and `ProvisioningConflict` for a blocked number.
    func updateTeamsUser(_ user: TeamsUser, instanceID: Int64, time: Int64) async throws
    /// Removes the user and returns its number to the pool with status `assigned`. Throws `StoreError.notFound`.
    func deleteTeamsUser(id: Int64, instanceID: Int64, customerID: Int64, time: Int64) async throws
    /// Returns the customer's numbers matching `filter`, ordered by telephone number, those
    /// after `after`, at most `limit`. Numbers peered to Zoom are left out.
    func teamsNumbers(instanceID: Int64, customerID: Int64, filter: TeamsNumberFilter, after: String?, limit: Int) async throws
        -> [TeamsNumber]

    // MARK: - Zoom

    /// Peers every number, or none when any is not held by the customer with status `assigned`.
    func peerZoomNumbers(_ telephoneNumbers: [String], instanceID: Int64, customerID: Int64, time: Int64) async throws -> PeeringOutcome
    /// Un-peers every number, or none when any is not peered to this customer.
    func unpeerZoomNumbers(_ telephoneNumbers: [String], instanceID: Int64, customerID: Int64, time: Int64) async throws -> PeeringOutcome
    /// Returns the customer's peerings ordered by telephone number, those after `after`, at most `limit`.
    func zoomPeerings(instanceID: Int64, customerID: Int64, after: String?, limit: Int) async throws -> [ZoomPeering]
}
