import CSQLite

/// One prepared statement run many times with values bound in place, for bulk inserts.
///
/// `SQLiteConnection.run` builds an array of values per call and looks its statement up by
/// SQL text. A million-row upload pays that a million times, so bulk paths bind directly.
/// Use it inside one transaction and call `finalize()` before the transaction ends.
struct SQLiteRowInserter {
    private let db: OpaquePointer
    private let statement: OpaquePointer

    init(_ connection: SQLiteConnection, sql: String) throws {
        (db, statement) = try connection.withHandle { db in
            var statement: OpaquePointer?
            let status = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
            guard status == SQLITE_OK, let statement else {
                throw SQLiteError(code: sqlite3_extended_errcode(db), message: String(cString: sqlite3_errmsg(db)))
            }
            return (db, statement)
        }
    }

    func finalize() {
        sqlite3_finalize(statement)
    }

    /// Binds parameter `index` (1-based). SQLite copies the text before this returns.
    func bind(_ index: Int32, _ value: SQLValue) {
        switch value {
        case .null:
            sqlite3_bind_null(statement, index)
        case .integer(let number):
            sqlite3_bind_int64(statement, index, number)
        case .text(let string):
            bind(index, string)
        }
    }

    func bind(_ index: Int32, _ text: String?) {
        guard var text else {
            sqlite3_bind_null(statement, index)
            return
        }
        // SQLITE_TRANSIENT: SQLite copies the bytes before the bind call returns.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { characters in
                _ = sqlite3_bind_text(statement, index, characters.baseAddress, Int32(characters.count), transient)
            }
        }
    }

    /// Steps the statement once with the bound values, resets it, and returns the rows it changed.
    /// Bindings stay in place, so the next row rebinds only what differs.
    func step() throws -> Int {
        let status = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard status == SQLITE_DONE else {
            throw SQLiteError(code: sqlite3_extended_errcode(db), message: String(cString: sqlite3_errmsg(db)))
        }
        return Int(sqlite3_changes(db))
    }
}
