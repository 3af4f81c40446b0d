import Foundation
import NumberlineCore
import Testing

@testable import NumberlineStore

@Suite struct SQLiteStoreProvisioningTests {
    @Test func migrateSkipsMissingVersion() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }

        // A database migrated by a build that has version 3 but not yet version 4.
        let store = try SQLStore(path: path)
        try await store.migrate()
        try await store.executeInTransaction("DROP TABLE teams_users; DROP TABLE zoom_peerings; DROP INDEX numbers_account_number")
        try await store.executeInTransaction("DELETE FROM schema_migrations WHERE version = 4")

        #expect(try await store.migrate() == 6)
        #expect(try await store.appliedMigrationVersions() == [1, 2, 3, 4, 5, 6])
        #expect(try await store.teamsUsers(instanceID: 1, customerID: 1, afterID: nil, limit: 10) == [])
        await store.close()
    }

    @Test func provisioningMovesNumberStatus() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "acme")
            let reseller = try await store.makeReseller(instanceID: instance.id, username: "reseller")
            let customer = try await store.makeChild(of: reseller, username: "customer")
            try await store.insertHeldNumber("19195550100", instanceID: instance.id, accountID: customer.id)
            try await store.insertHeldNumber("19195550101", instanceID: instance.id, accountID: customer.id)

            // The store provisions only for a customer linked to a Microsoft 365 tenant.
            await #expect(throws: StoreError.self) {
                _ = try await store.createTeamsUser(
                    NewTeamsUser(
                        upn: "x@example.com", firstName: nil, lastName: nil, note: nil, siteID: nil, telephoneNumber: "19195550100"),
                    instanceID: instance.id, customerID: customer.id, time: 1)
            }
            try await store.executeInTransaction(
                "UPDATE accounts SET ms_teams_tenant_id = '0f8fad5b-d9cb-469f-a165-70867728950e' WHERE id = \(customer.id)")

            let user = try await store.createTeamsUser(
                NewTeamsUser(upn: "a.b@example.com", firstName: "A", lastName: "B", note: nil, siteID: 7, telephoneNumber: "19195550100"),
                instanceID: instance.id, customerID: customer.id, time: 1)
            #expect(try await store.number("19195550100", instanceID: instance.id)?.status == .provisioned)

            await #expect(throws: ProvisioningConflict.number("19195550100", .teamsUser)) {
                _ = try await store.createTeamsUser(
                    NewTeamsUser(
                        upn: "c@example.com", firstName: nil, lastName: nil, note: nil, siteID: nil, telephoneNumber: "19195550100"),
                    instanceID: instance.id, customerID: customer.id, time: 2)
            }
            await #expect(throws: ProvisioningConflict.duplicateUPN("A.B@EXAMPLE.COM")) {
                _ = try await store.createTeamsUser(
                    NewTeamsUser(
                        upn: "A.B@EXAMPLE.COM", firstName: nil, lastName: nil, note: nil, siteID: nil, telephoneNumber: "19195550101"),
                    instanceID: instance.id, customerID: customer.id, time: 2)
            }
            // The failed call rolled back its number change.
            #expect(try await store.number("19195550101", instanceID: instance.id)?.status == .assigned)

            var moved = user
            moved.telephoneNumber = "19195550101"
            try await store.updateTeamsUser(moved, instanceID: instance.id, time: 3)
            #expect(try await store.number("19195550100", instanceID: instance.id)?.status == .assigned)
            #expect(try await store.number("19195550101", instanceID: instance.id)?.status == .provisioned)

            try await store.deleteTeamsUser(id: user.id, instanceID: instance.id, customerID: customer.id, time: 4)
            #expect(try await store.number("19195550101", instanceID: instance.id)?.status == .assigned)
            #expect(try await store.teamsUser(id: user.id, instanceID: instance.id, customerID: customer.id) == nil)
        }
    }

    @Test func teamsListingUsesIndexes() async throws {
        try await withTemporaryStore { store in
            let plans = try await store.read { db in
                try ["z.id IS NULL", "n.status = 'assigned'"].map { condition in
                    let select = """
                        SELECT n.telephone_number FROM numbers n
                        LEFT JOIN teams_users u ON u.number_id = n.id LEFT JOIN zoom_peerings z ON z.number_id = n.id
                        WHERE n.account_id = 1 AND n.instance_id = 1 AND n.telephone_number > '' AND \(condition)
                        ORDER BY n.telephone_number LIMIT 10
                        """
                    switch db.dialect {
                    case .sqlite:
                        return try db.query("EXPLAIN QUERY PLAN " + select) { $0.text(3) ?? "" }.joined(separator: "\n")
                    case .postgres:
                        // The tables are empty, so without this the planner reads them whole and
                        // sorts, whatever the indexes offer.
                        try db.execute("SET LOCAL enable_seqscan = off")
                        return try db.query("EXPLAIN (COSTS OFF) " + select) { $0.text(0) ?? "" }.joined(separator: "\n")
                    }
                }
            }
            for plan in plans {
                #expect(
                    !plan.contains("TEMP B-TREE") && !plan.contains("Sort"),
                    "the listing sorts instead of reading an index in order:\n\(plan)")
            }
        }
    }
}
