import Foundation
import NumberlineCore

@testable import NumberlineStore

/// Runs `body` against a migrated store, then closes the store and deletes its database.
///
/// The store is a new temporary SQLite file, or, when `NUMBERLINE_TEST_POSTGRES_URL` names a
/// PostgreSQL server (the second pass of `ci/test.sh`), a new database on that server.
func withTemporaryStore<Result>(_ body: (SQLStore) async throws -> Result) async throws -> Result {
    if let server = TestPostgres.serverURL {
        let database = try TestPostgres.createDatabase(server)
        defer { TestPostgres.dropDatabase(server, database.name) }
        let store = try await SQLStore.open(postgresURL: database.url, poolSize: 4)
        return try await closing(store, body)
    }
    let path = temporaryDatabasePath()
    defer { removeDatabase(at: path) }
    return try await closing(try await SQLStore.open(path: path), body)
}

private func closing<Result>(_ store: SQLStore, _ body: (SQLStore) async throws -> Result) async throws -> Result {
    do {
        let result = try await body(store)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}

/// The PostgreSQL server of the test run, if any, and throwaway databases on it.
enum TestPostgres {
    /// The admin URL from `NUMBERLINE_TEST_POSTGRES_URL`, ending in `/postgres`.
    static var serverURL: String? {
        ProcessInfo.processInfo.environment["NUMBERLINE_TEST_POSTGRES_URL"]
    }

    static var isEnabled: Bool { serverURL != nil }

    /// Creates an empty database with a random name and returns its name and URL.
    static func createDatabase(_ server: String) throws -> (name: String, url: String) {
        let name = "nl_store_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try psql(server, "CREATE DATABASE \(name)")
        guard let slash = server.range(of: "/", options: .backwards) else {
            throw StoreTestError("NUMBERLINE_TEST_POSTGRES_URL \(server) has no database part")
        }
        return (name, server[..<slash.lowerBound] + "/" + name)
    }

    static func dropDatabase(_ server: String, _ name: String) {
        _ = try? psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs `sql` with psql and returns its unaligned output.
    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql]
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw StoreTestError("psql failed on \(sql): \(String(decoding: errorData, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

struct StoreTestError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
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
