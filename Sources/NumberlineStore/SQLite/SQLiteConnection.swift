import CSQLite
import NumberlineJSON

/// A failure reported by SQLite: its extended result code and the connection's error message.
struct SQLiteError: DatabaseFailure {
    /// Extended result code, e.g. `SQLITE_CONSTRAINT_UNIQUE`.
    var code: Int32
    var message: String

    var primaryCode: Int32 { code & 0xFF }

    var isUniqueViolation: Bool {
        // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY, spelled out because the C macros are
        // shift expressions that Swift does not import.
        code == SQLITE_CONSTRAINT | (8 << 8) || code == SQLITE_CONSTRAINT | (6 << 8)
    }

    var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }

    /// SQLite reports the columns at the end of the message, e.g. "UNIQUE constraint failed: instances.name".
    var uniqueColumn: String {
        message.split(separator: ".").last.map(String.init) ?? "unknown"
    }

    /// SQLite waits for locks (the busy timeout) instead of failing a transaction for a retry.
    var isRetryable: Bool { false }

    var description: String { "SQLite error \(code): \(message)" }
}

/// The current row of a statement being stepped, valid only inside the row callback.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(statement, column) == SQLITE_NULL
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(statement, column)
    }

    func optionalInt64(_ column: Int32) -> Int64? {
        isNull(column) ? nil : int64(column)
    }

    func bool(_ column: Int32) -> Bool {
        int64(column) != 0
    }

    /// Reads a text column. SQL NULL reads as `nil`, and an empty string stays empty.
    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement, column) else {
            return nil
        }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

extension SQLiteRow {
    /// Writes every column of the row whose name `include` accepts as one JSON object,
    /// keyed by column name: integers as numbers, text as strings, NULL as null.
    func writeObject(into writer: inout JSONWriter, include: (String) -> Bool) {
        writer.beginObject()
        for column in 0..<sqlite3_column_count(statement) {
            let name = String(cString: sqlite3_column_name(statement, column))
            guard include(name) else { continue }
            writer.dynamicKey(name)
            switch sqlite3_column_type(statement, column) {
            case SQLITE_NULL:
                writer.null()
            case SQLITE_INTEGER:
                writer.int(int64(column))
            default:
                writer.string(text(column) ?? "")
            }
        }
        writer.endObject()
    }
}

/// One SQLite connection with its prepared-statement cache.
///
/// A connection is used by one thread at a time: `SQLiteStore` hands each thread its own.
/// It is `@unchecked Sendable` only so that the store's registry can keep it and close it
/// from `close()`. This is safe because the registry never gives one connection to two threads.
final class SQLiteConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Prepared statements keyed by their SQL text.
    private var statements: [String: OpaquePointer] = [:]

    /// Process-wide SQLite settings, applied once before the first connection opens: memory
    /// statistics off, because keeping them takes a global mutex on every allocation and
    /// serializes the event loops.
    private static let processSettings: Void = {
        _ = nl_sqlite_disable_memstatus()
    }()

    /// Opens (creating if needed) the database file and applies the per-connection settings:
    /// WAL journal, foreign keys on, a 5000 ms busy timeout and `synchronous=NORMAL`.
    init(path: String) throws {
        _ = SQLiteConnection.processSettings
        var db: OpaquePointer?
        // NOMUTEX: each connection is used by one thread at a time, so SQLite's per-call
        // connection mutex is pure overhead.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &db, flags, nil)
        handle = db
        guard status == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            close()
            throw SQLiteError(code: status, message: "cannot open \(path): \(message)")
        }
        sqlite3_extended_result_codes(db, 1)

        do {
            try configure(path: path)
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    private func configure(path: String) throws {
        // Set first, so that the checks below wait for another process's lock instead of failing.
        try execute("PRAGMA busy_timeout=5000")

        // Fails with SQLITE_NOTADB when the file is not an SQLite database.
        _ = try scalarText("SELECT count(*) FROM sqlite_master")

        let journalMode = try scalarText("PRAGMA journal_mode=WAL")
        guard journalMode?.lowercased() == "wal" else {
            throw SQLiteError(
                code: SQLITE_ERROR,
                message: "cannot switch \(path) to WAL journal mode (it reports \(journalMode ?? "nothing"))"
            )
        }
        try execute("PRAGMA foreign_keys=ON")
        try execute("PRAGMA synchronous=NORMAL")
    }

    /// Finalizes the cached statements and closes the connection. Later calls fail.
    func close() {
        for statement in statements.values {
            sqlite3_finalize(statement)
        }
        statements.removeAll()
        if let handle {
            sqlite3_close_v2(handle)
        }
        handle = nil
    }

    // MARK: - Running SQL

    /// Runs one or more statements that take no parameters (schema text, transaction control).
    func execute(_ sql: String) throws {
        let db = try openHandle()
        var errorMessage: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        guard status == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(errorMessage)
            throw SQLiteError(code: sqlite3_extended_errcode(db), message: message)
        }
    }

    /// Runs one statement to completion and returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        try step(sql, values) { _ in }
        return Int(sqlite3_changes(try openHandle()))
    }

    /// Runs one statement, calls `onRow` with each result row, and returns the number of rows
    /// it changed (meaningful for `INSERT`, `UPDATE` and `DELETE` only).
    func run(_ sql: String, _ values: [SQLValue], onRow: (SQLiteRow) throws -> Void) throws -> Int {
        try step(sql, values, onRow: onRow)
        return Int(sqlite3_changes(try openHandle()))
    }

    /// Runs one statement and maps each result row.
    func query<Row>(_ sql: String, _ values: [SQLValue] = [], row transform: (SQLiteRow) throws -> Row) throws -> [Row] {
        var rows: [Row] = []
        try step(sql, values) { row in
            rows.append(try transform(row))
        }
        return rows
    }

    /// Runs one statement and maps its first row, if any.
    func queryFirst<Row>(_ sql: String, _ values: [SQLValue] = [], row transform: (SQLiteRow) throws -> Row) throws -> Row? {
        try query(sql, values, row: transform).first
    }

    /// Runs `body` with the raw connection handle, for statements that bind values
    /// themselves (`SQLiteRowInserter`). `body` must leave no statement of its own unfinalized.
    func withHandle<Result>(_ body: (OpaquePointer) throws -> Result) throws -> Result {
        try body(try openHandle())
    }

    var lastInsertRowID: Int64 {
        handle.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    // MARK: - Statements

    private func openHandle() throws -> OpaquePointer {
        guard let handle else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "the connection is closed")
        }
        return handle
    }

    private func scalarText(_ sql: String) throws -> String? {
        try queryFirst(sql) { $0.text(0) } ?? nil
    }

    /// Returns the cached prepared statement for `sql`, preparing it on first use.
    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] {
            return statement
        }
        let db = try openHandle()
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else {
            throw SQLiteError(code: sqlite3_extended_errcode(db), message: String(cString: sqlite3_errmsg(db)))
        }
        statements[sql] = statement
        return statement
    }

    private func bind(_ values: [SQLValue], to statement: OpaquePointer) throws {
        let expected = Int(sqlite3_bind_parameter_count(statement))
        precondition(values.count == expected, "statement takes \(expected) parameters, got \(values.count)")

        // SQLITE_TRANSIENT: SQLite copies the text before the bind call returns.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null:
                status = sqlite3_bind_null(statement, index)
            case .integer(let number):
                status = sqlite3_bind_int64(statement, index, number)
            case .text(let string):
                status = sqlite3_bind_text(statement, index, string, Int32(string.utf8.count), transient)
            }
            guard status == SQLITE_OK else {
                throw SQLiteError(code: status, message: "cannot bind parameter \(index)")
            }
        }
    }

    /// Binds `values`, steps through every row and resets the statement for its next use.
    private func step(_ sql: String, _ values: [SQLValue], onRow: (SQLiteRow) throws -> Void) throws {
        let db = try openHandle()
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(values, to: statement)

        while true {
            let status = sqlite3_step(statement)
            switch status {
            case SQLITE_ROW:
                try onRow(SQLiteRow(statement: statement))
            case SQLITE_DONE:
                return
            default:
                throw SQLiteError(code: sqlite3_extended_errcode(db), message: String(cString: sqlite3_errmsg(db)))
            }
        }
    }
}
