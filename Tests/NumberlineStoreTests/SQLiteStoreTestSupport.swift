import Foundation
import NumberlineCore

@testable import NumberlineStore

/// Runs `body` against a migrated store on a new temporary file, then closes the store
/// and deletes the file with its WAL and shared-memory files.
func withTemporaryStore<Result>(_ body: (SQLStore) async throws -> Result) async throws -> Result {
    let path = temporaryDatabasePath()
    defer { removeDatabase(at: path) }

    let store = try await SQLStore.open(path: path)
    do {
        let result = try await body(store)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}

func temporaryDatabasePath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("numberline-store-\(UUID().uuidString).db").path
}

func removeDatabase(at path: String) {
    for suffix in ["", "-wal", "-shm"] {
        try? FileManager.default.removeItem(atPath: path + suffix)
    }
}

/// Returns a profile with a distinct value in every field, so that a column mix-up shows.
func fullProfile(tag: String = "p") -> AccountProfile {
    AccountProfile(
        companyName: "\(tag)-company",
        address: PostalAddress(
            streetNumber: "\(tag)-a-number", streetName: "\(tag)-a-street", zipCode: "\(tag)-a-zip",
            city: "\(tag)-a-city", country: "\(tag)-a-country", state: "\(tag)-a-state"
        ),
        notificationEmail: "\(tag)-notify@example.com",
        agent: "\(tag)-agent",
        agentEmail: "\(tag)-agent@example.com",
        customerContractingEntity: "\(tag)-entity",
        endCustomerName: "\(tag)-end-customer",
        fqdnId: "\(tag)-fqdn",
        serviceId: "\(tag)-service",
        plan: "\(tag)-plan",
        orderType: "\(tag)-order-type",
        role: "\(tag)-role",
        vendorInfo: VendorInfo(
            accountId: "\(tag)-vendor-account", productCode: "\(tag)-product", profileName: "\(tag)-profile",
            fields: (1...9).map { "\(tag)-vendor-field-\($0)" }
        ),
        billingInfo: ContactPerson(
            firstName: "\(tag)-b-first", lastName: "\(tag)-b-last", email: "\(tag)-b@example.com", phone: "\(tag)-b-phone"
        ),
        technicalContactInfo: ContactPerson(
            firstName: "\(tag)-t-first", lastName: "\(tag)-t-last", email: "\(tag)-t@example.com", phone: "\(tag)-t-phone"
        ),
        primaryServiceAddress: PostalAddress(
            streetNumber: "\(tag)-s-number", streetName: "\(tag)-s-street", zipCode: "\(tag)-s-zip",
            city: "\(tag)-s-city", country: "\(tag)-s-country", state: "\(tag)-s-state"
        ),
        routingProfileAccountId: "\(tag)-routing",
        domesticDIDProviders: [
            DIDProvider(providerName: "\(tag)-d1-name", didCarrier: "\(tag)-d1-carrier", e911Provider: "\(tag)-d1-e911"),
            DIDProvider(providerName: "\(tag)-d2-name", didCarrier: nil, e911Provider: ""),
        ],
        internationalDIDProviders: [
            DIDProvider(providerName: "\(tag)-i1-name", didCarrier: "\(tag)-i1-carrier", e911Provider: "\(tag)-i1-e911", country: "GB")
        ],
        msTeamsTenantId: "\(tag)-tenant",
        zoomAccountId: "\(tag)-zoom"
    )
}

extension SQLStore {
    /// Creates a reseller with one login named `username`.
    func makeReseller(instanceID: Int64, username: String, modules: Modules = .all) async throws -> Account {
        try await createAccount(
            NewAccount(instanceID: instanceID, kind: .reseller, parentID: nil, modules: modules, profile: AccountProfile()),
            logins: [NewLogin(username: username, passwordHash: "hash-\(username)")]
        )
    }

    /// Creates a customer (or user) under `parent` with one login named `username`.
    func makeChild(
        of parent: Account, kind: AccountKind = .customer, username: String, modules: Modules = .all
    ) async throws -> Account {
        try await createAccount(
            NewAccount(instanceID: parent.instanceID, kind: kind, parentID: parent.id, modules: modules, profile: AccountProfile()),
            logins: [NewLogin(username: username, passwordHash: "hash-\(username)")]
        )
    }

    /// Inserts a telephone number held by `accountID` with raw SQL, because the store has no
    /// number methods yet. `telephoneNumber` must be digits only.
    func insertHeldNumber(_ telephoneNumber: String, instanceID: Int64, accountID: Int64) async throws {
        precondition(telephoneNumber.allSatisfy(\.isNumber), "test numbers are digits only")
        try await executeInTransaction(
            """
            INSERT INTO numbers (instance_id, telephone_number, country, account_id, status)
            VALUES (\(instanceID), '\(telephoneNumber)', 'US', \(accountID), 'assigned')
            """
        )
    }
}
