import NumberlineCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The relational store: SQLite for one machine, PostgreSQL for several nodes on one database.
///
/// Both backends run the same statements and the same migrations (`PostgresDialect` rewrites
/// the few differences). SQLite gives each thread its own connection and runs every call
/// synchronously on the calling thread, without suspending. PostgreSQL runs each call on a
/// thread of `PostgresPool`, which owns one connection per thread, and the caller's task
/// suspends until it finishes, so no database wait ever blocks an event loop.
///
/// Writing methods run one at a time, each in one transaction. SQLite's `BEGIN IMMEDIATE`
/// takes the file's write lock. On PostgreSQL every write transaction takes one advisory lock,
/// so the writers of all nodes queue for the database as SQLite's writers queue for the file.
/// A write then reads every change committed before it, which the store's checks (a number
/// already present, a Teams user already provisioned) rely on. Reads run in one transaction
/// so that their statements read the same snapshot. On PostgreSQL they run in parallel with
/// the writer and with each other, a read's COMMIT is sent without waiting for its result,
/// and a read of one statement (`readOne`) runs without a transaction.
public final class SQLStore: Store {
    private enum Backend {
        case sqlite(SQLiteConnections)
        case postgres(PostgresPool)
    }

    /// A description of the database for logs: the SQLite file path, or the PostgreSQL URL
    /// without its password.
    public let location: String
    private let backend: Backend
    /// PostgreSQL write transactions this node runs at once: one holding the write lock and
    /// one ready to take it. The others wait without holding a connection.
    private let writeGate = TaskGate(limit: 2)

    /// Times a PostgreSQL write transaction is tried before a serialization failure is reported.
    static let maxWriteAttempts = 10

    /// The advisory lock key every PostgreSQL write transaction holds: "nmbw" in ASCII.
    static let writeLockKey: Int64 = 0x6E6D_6277

    /// Opens the SQLite database file, creating it if missing, and checks that it is an SQLite
    /// database that accepts WAL mode. Does not migrate: call `migrate()` or use `open(path:)`.
    ///
    /// - Throws: `StoreError.unavailable` when the file cannot be opened or is not a database.
    public init(path: String) throws {
        location = path
        let connections = SQLiteConnections(path: path)
        backend = .sqlite(connections)
        _ = try connections.connection()
    }

    /// Prepares a PostgreSQL store with at most `poolSize` connections; at most `maxQueued`
    /// calls wait for one before calls fail as unavailable. Connects lazily: call `migrate()`
    /// to check the database, or use `open(postgresURL:poolSize:)`. `reachabilityChanged`
    /// hears when connecting starts failing and when it works again.
    public init(
        postgresURL url: String, poolSize: Int, maxQueued: Int = 4096,
        reachabilityChanged: @escaping @Sendable (DatabaseReachability) -> Void = { _ in }
    ) {
        location = Self.redactedLocation(url)
        backend = .postgres(
            PostgresPool(url: url, size: poolSize, maxQueued: maxQueued, reachabilityChanged: reachabilityChanged))
    }

    /// Opens the SQLite database file and applies every pending migration.
    public static func open(path: String) async throws -> SQLStore {
        let store = try SQLStore(path: path)
        try await store.migrate()
        return store
    }

    /// Connects to PostgreSQL and applies every pending migration.
    public static func open(
        postgresURL url: String, poolSize: Int, reachabilityChanged: @escaping @Sendable (DatabaseReachability) -> Void = { _ in }
    ) async throws -> SQLStore {
        let store = SQLStore(postgresURL: url, poolSize: poolSize, reachabilityChanged: reachabilityChanged)
        do {
            try await store.migrate()
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Opens `database`: a `postgres://` or `postgresql://` URL selects PostgreSQL, anything
    /// else is an SQLite file path. Only PostgreSQL reports `reachabilityChanged`.
    public static func open(
        database: String, poolSize: Int, reachabilityChanged: @escaping @Sendable (DatabaseReachability) -> Void = { _ in }
    ) async throws -> SQLStore {
        if isPostgresURL(database) {
            return try await open(postgresURL: database, poolSize: poolSize, reachabilityChanged: reachabilityChanged)
        }
        if let scheme = database.firstRange(of: "://").map({ database[..<$0.lowerBound] }), !scheme.contains("/") {
            throw StoreError.unavailable(
                reason:
                    "\(scheme):// is not a supported database URL; give a postgres:// or postgresql:// URL, or the path of an SQLite file")
        }
        return try await open(path: database)
    }

    public static func isPostgresURL(_ database: String) -> Bool {
        database.hasPrefix("postgres://") || database.hasPrefix("postgresql://")
    }

    /// `database` as logs and messages show it: a URL without its password.
    public static func redactedLocation(_ database: String) -> String {
        database.contains("://") ? redactingQueryPassword(redactingPassword(database)) : database
    }

    /// Returns the URL with the value of a `password=` query parameter replaced by `***`.
    static func redactingQueryPassword(_ url: String) -> String {
        guard let question = url.firstIndex(of: "?") else {
            return url
        }
        let parameters = url[url.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { parameter in
            parameter.lowercased().hasPrefix("password=") ? "password=***" : String(parameter)
        }
        return String(url[...question]) + parameters.joined(separator: "&")
    }

    /// Returns the URL with the password of its user part replaced by `***`, for logs.
    static func redactingPassword(_ url: String) -> String {
        let bytes = Array(url.utf8)
        var slashes: Int?
        for index in 0..<max(0, bytes.count - 2) where bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == UInt8(ascii: "/") {
            slashes = index
            break
        }
        guard let slashes else {
            return url
        }
        let userStart = slashes + 3
        guard userStart <= bytes.count, let at = bytes[userStart...].firstIndex(of: UInt8(ascii: "@")),
            let colon = bytes[userStart..<at].firstIndex(of: UInt8(ascii: ":"))
        else {
            return url
        }
        return String(decoding: bytes[0...colon], as: UTF8.self) + "***" + String(decoding: bytes[at...], as: UTF8.self)
    }

    /// Closes every connection.
    ///
    /// NOTE: an SQLite call still running on another thread loses its connection
    /// mid-statement, so stop issuing calls (drain in-flight requests) before closing.
    public func close() async {
        switch backend {
        case .sqlite(let connections): connections.close()
        case .postgres(let pool): pool.close()
        }
    }

    // MARK: - Migrations

    /// Applies every pending migration, each in its own transaction. On PostgreSQL an advisory
    /// lock held for the whole run makes nodes that start together migrate one after another,
    /// so each migration runs once.
    @discardableResult
    public func migrate() async throws -> Int {
        let latest = migrations.map(\.version).max() ?? 0
        try await withConnection { db in
            let isPostgres = db.dialect == .postgres
            if isPostgres {
                try db.execute("SELECT pg_advisory_lock(\(Self.migrationLockKey))")
            }
            defer {
                if isPostgres {
                    try? db.execute("SELECT pg_advisory_unlock(\(Self.migrationLockKey))")
                }
            }
            try db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"
            )
            for migration in migrations {
                try Self.transaction(db, begin: Self.writeBegin(db.dialect)) { db in
                    // Checked inside the transaction: another process may have applied it meanwhile.
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
                    try db.execute(isPostgres ? PostgresDialect.schema(migration.sql) : migration.sql)
                    try db.run(
                        "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                        [.integer(Int64(migration.version)), .integer(Self.now())]
                    )
                }
            }
        }
        return latest
    }

    /// The version of the newest migration in this build, which `migrate()` brings the database to.
    public var schemaVersion: Int { migrations.map(\.version).max() ?? 0 }

    /// The advisory lock key nodes take while migrating: "numb" in ASCII.
    static let migrationLockKey: Int64 = 0x6E75_6D62

    /// Returns the versions recorded in `schema_migrations`, oldest first.
    func appliedMigrationVersions() async throws -> [Int] {
        try await read { db in
            try db.query("SELECT version FROM schema_migrations ORDER BY version") { Int($0.int64(0)) }
        }
    }

    /// Runs SQL text with no parameters in one write transaction. Tests use it for rows
    /// this store has no method for.
    func executeInTransaction(_ sql: String) async throws {
        try await write { db in
            try db.execute(sql)
        }
    }

    // MARK: - Connections and transactions

    /// Runs `body` in one write transaction, committing on success and rolling back on any
    /// error. On PostgreSQL a serialization failure or deadlock (which the write lock should
    /// prevent) runs `body` again, up to `maxWriteAttempts` times, so `body` must change
    /// nothing outside the database.
    func write<Result>(_ body: (SQLConnection) throws -> Result) async throws -> Result {
        if case .sqlite(let connections) = backend {
            let db = SQLConnection(backend: .sqlite(try connections.connection()))
            return try Self.mapErrors { try Self.transaction(db, begin: "BEGIN IMMEDIATE", body) }
        }
        let context = AuditContext.current
        return try await writeGate.withPermit {
            try await writeOnPostgres(context: context, body)
        }
    }

    private func writeOnPostgres<Result>(context: AuditContext?, _ body: (SQLConnection) throws -> Result) async throws -> Result {
        try await withConnection { db in
            var attempt = 1
            while true {
                do {
                    return try AuditContext.$current.withValue(context) {
                        // Sent as one message, so taking the write lock costs no extra round trip.
                        try Self.transaction(db, begin: "BEGIN; SELECT pg_advisory_xact_lock(\(Self.writeLockKey))", body)
                    }
                } catch let error as any DatabaseFailure where error.isRetryable {
                    guard attempt < Self.maxWriteAttempts else {
                        throw StoreError.conflict(
                            reason: "the change collided with concurrent changes to the same data \(attempt) times; send it again")
                    }
                    attempt += 1
                }
            }
        }
    }

    /// Runs `body` in one read transaction, so that every statement reads the same snapshot.
    func read<Result>(_ body: (SQLConnection) throws -> Result) async throws -> Result {
        if case .sqlite(let connections) = backend {
            let db = SQLConnection(backend: .sqlite(try connections.connection()))
            return try Self.mapErrors { try Self.transaction(db, begin: "BEGIN", body) }
        }
        return try await withConnection { db in
            try Self.transaction(db, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", isReadOnly: true, body)
        }
    }

    /// Runs `body`, which must run exactly one statement, outside a transaction. One statement
    /// reads one snapshot by itself, and PostgreSQL then needs no `BEGIN` and `COMMIT`: one
    /// round trip instead of two.
    func readOne<Result>(_ body: (SQLConnection) throws -> Result) async throws -> Result {
        try await withConnection { db in
            try Self.mapErrors { try body(db) }
        }
    }

    private static func writeBegin(_ dialect: SQLDialect) -> String {
        dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN; SELECT pg_advisory_xact_lock(\(writeLockKey))"
    }

    /// Runs `body` with a connection outside any transaction: this thread's SQLite connection,
    /// or a pool thread's PostgreSQL connection while the calling task waits.
    private func withConnection<Result>(_ body: (SQLConnection) throws -> Result) async throws -> Result {
        switch backend {
        case .sqlite(let connections):
            let db = SQLConnection(backend: .sqlite(try connections.connection()))
            return try Self.mapErrors { try body(db) }
        case .postgres(let pool):
            return try await withoutActuallyEscaping(body) { body in
                let job = PoolJob(body)
                let outcome = try await withCheckedThrowingContinuation {
                    (continuation: CheckedContinuation<UncheckedBox<Result>, Error>) in
                    let accepted = pool.submit { connection in
                        // `run` drops the job's reference to `body` before the caller resumes, as
                        // `withoutActuallyEscaping` requires.
                        continuation.resume(with: job.run(connection))
                    }
                    if !accepted {
                        continuation.resume(
                            throwing: StoreError.unavailable(
                                reason: "all \(pool.size) database connections are busy and \(pool.maxQueued) calls wait for one"))
                    }
                }
                return outcome.value
            }
        }
    }

    /// Runs `body` between `begin` and a commit, which is `commitReadOnly()` when `isReadOnly`.
    private static func transaction<Result>(
        _ db: SQLConnection,
        begin: String,
        isReadOnly: Bool = false,
        _ body: (SQLConnection) throws -> Result
    ) throws -> Result {
        try mapErrors {
            try db.begin(begin)
            do {
                let result = try body(db)
                if isReadOnly {
                    try db.commitReadOnly()
                } else {
                    try db.commit()
                }
                return result
            } catch {
                // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR), and
                // then ROLLBACK fails. The caller needs the original error, so that one is thrown.
                try? db.rollback()
                throw error
            }
        }
    }

    /// Converts a database failure thrown by `body` into the matching `StoreError`. Failures
    /// a retry may cure pass through unchanged, so that `write` can see them.
    fileprivate static func mapErrors<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as any DatabaseFailure where !error.isRetryable {
            throw storeError(error)
        }
    }

    static func storeError(_ error: any DatabaseFailure) -> StoreError {
        if error.isUniqueViolation {
            return .duplicate(field: error.uniqueColumn, value: "")
        }
        if error.isConstraintViolation {
            return .conflict(reason: error.message)
        }
        return .unavailable(reason: error.description)
    }

    /// Runs `body` and reports a unique-constraint failure as `.duplicate(field:value:)`
    /// with the given names, which read better than the database's column list.
    @discardableResult
    func reportingDuplicate<Result>(field: String, value: String, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as any DatabaseFailure where error.isUniqueViolation {
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

/// A store call's body on its way to a pool thread. The body runs once, and the job lets go
/// of it before reporting the result.
private final class PoolJob<Result>: @unchecked Sendable {
    private var body: ((SQLConnection) throws -> Result)?

    init(_ body: @escaping (SQLConnection) throws -> Result) {
        self.body = body
    }

    func run(_ connection: Swift.Result<PostgresConnection, PostgresError>) -> Swift.Result<UncheckedBox<Result>, Error> {
        let body = self.body.take()!
        return Swift.Result {
            try SQLStore.mapErrors {
                UncheckedBox(try body(SQLConnection(backend: .postgres(try connection.get()))))
            }
        }
    }
}

/// Holds a value that crosses to a pool thread and back while its owner waits, which
/// makes the crossing safe although the value is not `Sendable`.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}

/// SQLite connections, one per thread, opened on first use and kept until `close()`.
final class SQLiteConnections: Sendable {
    private struct Registry {
        var connections: [UInt: SQLiteConnection] = [:]
        var isClosed = false
    }

    let path: String
    private let registry = Mutex(Registry())

    init(path: String) {
        self.path = path
    }

    func close() {
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

    /// Returns this thread's connection, opening it on first use.
    func connection() throws -> SQLiteConnection {
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

    var values: [SQLValue] { [.text(lower), .text(upper)] }
}
