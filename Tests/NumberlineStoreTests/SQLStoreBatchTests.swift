import NumberlineCore
import Testing

@testable import NumberlineStore

/// `SQLConnection.runEach`, which bulk calls use so that PostgreSQL receives many statements
/// per round trip. Runs on SQLite, and on PostgreSQL in the second pass of `ci/test.sh`.
@Suite struct SQLStoreBatchTests {
    /// More statements than one PostgreSQL pipeline holds, so the batch spans three pipelines.
    static let count = PostgresConnection.pipelineLength * 2 + 37

    static func insert(_ id: Int) -> SQLStatement {
        SQLStatement("INSERT INTO batch_probe (id, label) VALUES (?, ?)", [.integer(Int64(id)), .text("label \(id)")])
    }

    static func select(_ id: Int) -> SQLStatement {
        SQLStatement("SELECT label FROM batch_probe WHERE id = ?", [.integer(Int64(id))])
    }

    @Test func batchReturnsChangesAndRowsInOrder() async throws {
        try await withTemporaryStore { store in
            try await store.executeInTransaction("CREATE TABLE batch_probe (id BIGINT PRIMARY KEY, label TEXT NOT NULL)")
            let changes = try await store.write { db in
                try db.runEach((0..<Self.count).map(Self.insert))
            }
            #expect(changes == Array(repeating: 1, count: Self.count))

            // Every other id is missing, and the results keep the order of the statements.
            let labels = try await store.read { db in
                try db.queryFirstOfEach((0..<Self.count).map { Self.select($0 * 2) }) { $0.text(0) }
            }
            let expected: [String??] = (0..<Self.count).map { $0 * 2 < Self.count ? "label \($0 * 2)" : nil }
            #expect(labels == expected)

            var seen: [Int] = []
            _ = try await store.read { db in
                try db.runEach([
                    SQLStatement("SELECT id FROM batch_probe WHERE id < ? ORDER BY id", [.integer(3)]),
                    SQLStatement("SELECT id FROM batch_probe WHERE id > ? ORDER BY id", [.integer(Int64(Self.count - 3))]),
                ]) { index, row in
                    seen.append(index * 1000 + Int(row.int64(0)))
                }
            }
            #expect(seen == [0, 1, 2, 1000 + Self.count - 2, 1000 + Self.count - 1])
        }
    }

    @Test func failedStatementRollsBackTheWholeBatch() async throws {
        try await withTemporaryStore { store in
            try await store.executeInTransaction("CREATE TABLE batch_probe (id BIGINT PRIMARY KEY, label TEXT NOT NULL)")
            _ = try await store.write { db in try db.runEach([Self.insert(5)]) }

            // The duplicate sits in the second pipeline, after the first one has run.
            let ids = (10..<Self.count).map { $0 } + [5] + [Self.count + 1]
            await #expect(throws: StoreError.self) {
                try await store.write { db in try db.runEach(ids.map(Self.insert)) }
            }
            let count = try await store.read { db in
                try db.queryFirst("SELECT COUNT(*) FROM batch_probe") { $0.int64(0) }
            }
            #expect(count == 1)

            // The store goes on working with new statements after the failure.
            for round in 0..<8 {
                _ = try await store.write { db in
                    try db.runEach([Self.insert(100_000 + round), SQLStatement("SELECT \(round) FROM batch_probe LIMIT 1", [])])
                }
            }
            let after = try await store.read { db in
                try db.queryFirst("SELECT COUNT(*) FROM batch_probe") { $0.int64(0) }
            }
            #expect(after == 9)
        }
    }
}
