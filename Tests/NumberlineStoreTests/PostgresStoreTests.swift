import Foundation
import NumberlineCore
import Testing

@testable import NumberlineStore

/// What only the PostgreSQL backend has: a schema translated from the SQLite migrations and
/// nodes that migrate one database at the same time. These run in the PostgreSQL pass of
/// `ci/test.sh`, which sets `NUMBERLINE_TEST_POSTGRES_URL`; the rest of the store suites run
/// on PostgreSQL in that pass through `withTemporaryStore`.
@Suite(.enabled(if: TestPostgres.isEnabled, "needs NUMBERLINE_TEST_POSTGRES_URL (the PostgreSQL pass of ci/test.sh)"))
struct PostgresStoreTests {
    @Test func nodesStartingTogetherMigrateOnce() async throws {
        let server = try #require(TestPostgres.serverURL)
        let database = try TestPostgres.createDatabase(server)
        defer { TestPostgres.dropDatabase(server, database.name) }

        let versions = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let store = try await SQLStore.open(postgresURL: database.url, poolSize: 1)
                    await store.close()
                    return store.schemaVersion
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(versions == Array(repeating: migrations.count, count: 6))
        let recorded = try TestPostgres.psql(database.url, "SELECT version FROM schema_migrations ORDER BY version")
        #expect(recorded.split(separator: "\n").map(String.init) == migrations.map { String($0.version) })
    }

    @Test func schemaMatchesSQLite() async throws {
        let server = try #require(TestPostgres.serverURL)
        let database = try TestPostgres.createDatabase(server)
        defer { TestPostgres.dropDatabase(server, database.name) }
        let postgres = try await SQLStore.open(postgresURL: database.url, poolSize: 1)
        await postgres.close()
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let sqlite = try await SQLStore.open(path: path)

        // Tables with their columns, in order, and the indexes of each table.
        let sqliteColumns = try await sqlite.read { db in
            try db.query(
                """
                SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid
                """
            ) { "\($0.text(0) ?? "").\($0.text(1) ?? "")" }
        }
        let sqliteIndexes = try await sqlite.read { db in
            try db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name") { $0.text(0) ?? "" }
        }
        await sqlite.close()
        let postgresColumns = try TestPostgres.psql(
            database.url,
            """
            SELECT table_name || '.' || column_name FROM information_schema.columns
            WHERE table_schema = 'public' ORDER BY table_name, ordinal_position
            """
        ).split(separator: "\n").map(String.init)
        // Constraint indexes (primary keys, UNIQUE) have generated names in both; compare the named ones.
        let postgresIndexes = try TestPostgres.psql(
            database.url,
            """
            SELECT indexname FROM pg_indexes WHERE schemaname = 'public'
            AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' ORDER BY indexname
            """
        ).split(separator: "\n").map(String.init)

        #expect(!sqliteColumns.isEmpty)
        #expect(postgresColumns == sqliteColumns)
        #expect(postgresIndexes == sqliteIndexes)
    }

    @Test func integerColumnsHoldSixtyFourBits() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "wide")
            let key = try await store.createAPIKey(instanceID: instance.id, label: nil, keyHash: "h", createdAt: Int64.max - 1)
            #expect(try await store.apiKeys(instanceID: instance.id).first?.createdAt == Int64.max - 1)
            #expect(key.id > 0)
        }
    }
}

@Suite struct DatabaseLocationTests {
    @Test func urlsSelectPostgreSQL() {
        #expect(SQLStore.isPostgresURL("postgres://numberline@db/numberline"))
        #expect(SQLStore.isPostgresURL("postgresql://db/numberline"))
        #expect(!SQLStore.isPostgresURL("./numberline.db"))
        #expect(!SQLStore.isPostgresURL("/var/lib/postgres/numberline.db"))
    }

    @Test func otherURLSchemesAreRejected() async {
        await #expect {
            _ = try await SQLStore.open(database: "mysql://nl:s3cret@db/nl", poolSize: 1)
        } throws: { error in
            "\(error)".contains("mysql:// is not a supported database URL; give a postgres:// or postgresql:// URL")
        }
        #expect(SQLStore.redactedLocation("mysql://nl:s3cret@db/nl") == "mysql://nl:***@db/nl")
    }

    @Test func logsNeverShowThePassword() {
        #expect(SQLStore.redactedLocation("postgres://numberline:s3cret@db:5432/nl") == "postgres://numberline:***@db:5432/nl")
        #expect(SQLStore.redactedLocation("postgresql://numberline@db/nl") == "postgresql://numberline@db/nl")
        #expect(SQLStore.redactedLocation("postgres://db/nl?sslmode=require") == "postgres://db/nl?sslmode=require")
        #expect(SQLStore.redactedLocation("./with:colon@at.db") == "./with:colon@at.db")
        #expect(
            SQLStore.redactedLocation("postgres://app@db/nl?sslmode=require&password=q-secret&x=1")
                == "postgres://app@db/nl?sslmode=require&password=***&x=1")
        #expect(SQLStore.redactedLocation("postgres://app:a@db/nl?PASSWORD=b") == "postgres://app:***@db/nl?password=***")
    }
}

/// One PostgreSQL connection used directly, for what the pool would hide.
@Suite(.enabled(if: TestPostgres.isEnabled, "needs NUMBERLINE_TEST_POSTGRES_URL (the PostgreSQL pass of ci/test.sh)"))
struct PostgresConnectionTests {
    /// A statement prepared in the same pipeline as a failing execution stays on the server.
    /// Its name must not be given to the next new statement, which would then fail to prepare.
    @Test func failedFirstStatementLeavesNoNameClash() async throws {
        let server = try #require(TestPostgres.serverURL)
        let database = try TestPostgres.createDatabase(server)
        defer { TestPostgres.dropDatabase(server, database.name) }
        try TestPostgres.psql(database.url, "CREATE TABLE probe (id BIGINT PRIMARY KEY)")
        let connection = try PostgresConnection(url: database.url)
        defer { connection.close() }

        try connection.run("INSERT INTO probe (id) VALUES (?)", [.integer(1)])
        for round in 0..<3 {
            // The insert is new to the session in every round, so it is prepared in the pipeline.
            connection.begin(["BEGIN"])
            #expect(throws: PostgresError.self) {
                try connection.run("INSERT INTO probe (id) VALUES (? + \(round))", [.integer(1 - Int64(round))])
            }
            try connection.rollback()

            connection.begin(["BEGIN"])
            let value = try connection.queryFirst("SELECT ? + \(round)", [.integer(1)]) { $0.int64(0) }
            try connection.commit()
            #expect(value == Int64(1 + round))
        }
        #expect(connection.isUsable)
    }
}
