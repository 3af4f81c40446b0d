import CSQLite
import NumberlineCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded storage backend: one SQLite file in WAL mode.
///
/// Each thread gets its own connection, opened on first use and kept until `close()`.
/// Every method runs synchronously on the calling thread, without suspending, so a
/// connection is never used by two threads at once. Writing methods run in one
/// `BEGIN IMMEDIATE` transaction, and reads run in one deferred transaction so that
/// their statements read the same snapshot.
public final class SQLiteStore: Store {
    private struct Registry {
        var connections: [UInt: SQLiteConnection] = [:]
        var isClosed = false
    }

    /// The database file.
    public let path: String
    private let registry = Mutex(Registry())

    /// Opens the database file, creating it if missing, and checks that it is an SQLite
    /// database that accepts WAL mode. Does not migrate: call `migrate()` or use `open(path:)`.
    ///
    /// - Throws: `StoreError.unavailable` when the file cannot be opened or is not a database.
    public init(path: String) throws {
        self.path = path
        _ = try connection()
    }

    /// Opens the database file and applies every pending migration.
    public static func open(path: String) async throws -> SQLiteStore {
        let store = try SQLiteStore(path: path)
        try await store.migrate()
        return store
    }

    /// Closes every thread's connection.
    ///
    /// NOTE: a call still running on another thread loses its connection mid-statement, so
    /// stop issuing calls (drain in-flight requests) before closing.
    public func close() async {
        let connections = registry.withLock { registry in
            registry.isClosed = true
            let connections = Array(registry.connections.values)
            registry.connections.removeAll()
            return connections
        }
        for connection in connections {
            connection.close()
        }
    }

    // MARK: - Migrations

    @discardableResult
    public func migrate() async throws -> Int {
        let latest = sqliteMigrations.map(\.version).max() ?? 0
        let connection = try connection()

        try mapErrors {
            try connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"
            )
        }

        for migration in sqliteMigrations {
            try transaction(connection) { db in
                // Checked inside the write lock: another process may have applied it meanwhile.
                let applied = try db.queryFirst("SELECT max(version) FROM schema_migrations") { $0.optionalInt64(0) } ?? nil
                if let applied, applied > latest {
                    throw StoreError.unavailable(
                        reason: "database schema version \(applied) is newer than this build supports (\(latest)); upgrade Numberline"
                    )
                }
                let isApplied =
                    try db.queryFirst(
                        "SELECT 1 FROM schema_migrations WHERE version = ?", [.integer(Int64(migration.version))]
                    ) { _ in true } ?? false
                guard !isApplied else {
                    return
                }
                try db.execute(migration.sql)
                try db.run(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    [.integer(Int64(migration.version)), .integer(Self.now())]
                )
            }
        }
        return latest
    }

    /// Returns the versions recorded in `schema_migrations`, oldest first.
    func appliedMigrationVersions() throws -> [Int] {
        try read { db in
            try db.query("SELECT version FROM schema_migrations ORDER BY version") { Int($0.int64(0)) }
        }
    }

    /// Runs SQL text with no parameters in one write transaction. Tests use it for rows
    /// this store has no method for yet (e.g. telephone numbers).
    func executeInTransaction(_ sql: String) throws {
        let connection = try connection()
        try transaction(connection) { db in
            try db.execute(sql)
        }
    }

    // MARK: - Connections and transactions

    /// Returns this thread's connection, opening it on first use.
    private func connection() throws -> SQLiteConnection {
        let thread = Self.currentThreadID()
        let existing = try registry.withLock { registry -> SQLiteConnection? in
            guard !registry.isClosed else {
                throw StoreError.unavailable(reason: "the store is closed")
            }
            return registry.connections[thread]
        }
        if let existing {
            return existing
        }

        // Opened outside the lock: opening touches the file and may wait for other processes.
        let opened: SQLiteConnection
        do {
            opened = try SQLiteConnection(path: path)
        } catch let error as SQLiteError {
            throw StoreError.unavailable(reason: error.message)
        }
        let isClosed = registry.withLock { registry in
            if !registry.isClosed {
                registry.connections[thread] = opened
            }
            return registry.isClosed
        }
        if isClosed {
            opened.close()
            throw StoreError.unavailable(reason: "the store is closed")
        }
        return opened
    }

    /// Returns an id for the current thread. A finished thread's id may be reused by a new
    /// thread, which then inherits its idle connection, but two live threads never share an id.
    private static func currentThreadID() -> UInt {
        #if canImport(Darwin)
            UInt(bitPattern: pthread_self())
        #else
            UInt(pthread_self())
        #endif
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction on this thread's connection,
    /// committing on success and rolling back on any error.
    func write<Result>(_ body: (SQLiteConnection) throws -> Result) throws -> Result {
        try transaction(try connection(), body)
    }

    /// Runs `body` in one deferred transaction, so that every statement reads the same snapshot.
    func read<Result>(_ body: (SQLiteConnection) throws -> Result) throws -> Result {
        try transaction(try connection(), begin: "BEGIN", body)
    }

    private func transaction<Result>(
        _ connection: SQLiteConnection,
        begin: String = "BEGIN IMMEDIATE",
        _ body: (SQLiteConnection) throws -> Result
    ) throws -> Result {
        try mapErrors {
            try connection.execute(begin)
            do {
                let result = try body(connection)
                try connection.execute("COMMIT")
                return result
            } catch {
                // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR), and
                // then ROLLBACK fails. The caller needs the original error, so that one is thrown.
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Converts an `SQLiteError` thrown by `body` into the matching `StoreError`.
    private func mapErrors<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as SQLiteError {
            throw Self.storeError(error)
        }
    }

    static func storeError(_ error: SQLiteError) -> StoreError {
        if error.isUniqueViolation {
            // The message ends with the columns, e.g. "UNIQUE constraint failed: instances.name".
            let column = error.message.split(separator: ".").last.map(String.init) ?? "unknown"
            return .duplicate(field: column, value: "")
        }
        if error.primaryCode == SQLITE_CONSTRAINT {
            return .conflict(reason: error.message)
        }
        return .unavailable(reason: error.description)
    }

    /// Runs `body` and reports a unique-constraint failure as `.duplicate(field:value:)`
    /// with the given names, which read better than SQLite's column list.
    @discardableResult
    func reportingDuplicate<Result>(field: String, value: String, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as SQLiteError where error.isUniqueViolation {
            throw StoreError.duplicate(field: field, value: value)
        }
    }

    /// Current time in Unix seconds.
    static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }
}

/// Bounds for "path starts with `prefix`" as a range (`path >= lower AND path < upper`),
/// which the `(instance_id, path)` index can serve, unlike `LIKE`.
///
/// Paths contain only digits and `/`, so incrementing the last character of the prefix
/// gives the first string that no longer starts with it.
struct PathRange {
    var lower: String
    var upper: String

    init(prefix: String) {
        guard let last = prefix.unicodeScalars.last, let next = Unicode.Scalar(last.value + 1) else {
            // An empty prefix matches every path, and every path starts with "/".
            lower = ""
            upper = "\u{10FFFF}"
            return
        }
        lower = prefix
        upper = String(prefix.unicodeScalars.dropLast()) + String(next)
    }

    var values: [SQLiteValue] { [.text(lower), .text(upper)] }
}
