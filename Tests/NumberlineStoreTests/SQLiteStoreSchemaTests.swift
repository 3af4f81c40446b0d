import Foundation
import NumberlineCore
import Testing

@testable import NumberlineStore

@Suite struct SQLiteStoreSchemaTests {
    @Test func migrateIsVersionedAndIdempotent() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }

        let store = try SQLStore(path: path)
        #expect(try await store.migrate() == 6)
        #expect(try await store.migrate() == 6)
        #expect(try await store.appliedMigrationVersions() == [1, 2, 3, 4, 5, 6])
        await store.close()

        let reopened = try SQLStore(path: path)
        #expect(try await reopened.migrate() == 6)
        #expect(try await reopened.appliedMigrationVersions() == [1, 2, 3, 4, 5, 6])
        #expect(try await reopened.instances() == [])
        await reopened.close()
    }

    @Test func initDoesNotMigrate() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }

        let store = try SQLStore(path: path)
        await #expect(throws: StoreError.self) {
            try await store.instances()
        }
        await store.close()
    }

    @Test func initRejectsNonDatabaseFile() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))

        #expect {
            _ = try SQLStore(path: path)
        } throws: { error in
            guard case .unavailable(let reason) = error as? StoreError else {
                return false
            }
            return reason.contains("not a database")
        }
    }

    @Test func migrateRejectsNewerSchema() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }

        let store = try await SQLStore.open(path: path)
        try await store.executeInTransaction("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)")
        await #expect(throws: StoreError.self) {
            try await store.migrate()
        }
        await store.close()
    }

    @Test func closedStoreRejectsCalls() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }

        let store = try await SQLStore.open(path: path)
        await store.close()
        await #expect(throws: StoreError.unavailable(reason: "the store is closed")) {
            try await store.instances()
        }
    }
}
