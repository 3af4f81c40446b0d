import NumberlineJSON

/// A value to bind to a statement parameter.
enum SQLValue: Equatable {
    case null
    case integer(Int64)
    case text(String)

    init(_ value: String?) {
        self = value.map { .text($0) } ?? .null
    }

    init(_ value: Int64?) {
        self = value.map { .integer($0) } ?? .null
    }

    init(_ value: Bool) {
        self = .integer(value ? 1 : 0)
    }
}

/// A statement and the values of its parameters, one of a batch for `SQLConnection.runEach`.
struct SQLStatement {
    var sql: String
    var values: [SQLValue]

    init(_ sql: String, _ values: [SQLValue]) {
        self.sql = sql
        self.values = values
    }
}

/// A failure reported by a database backend, in the terms the store maps to `StoreError`.
protocol DatabaseFailure: Error, CustomStringConvertible {
    var message: String { get }
    /// A unique or primary-key constraint refused the row.
    var isUniqueViolation: Bool { get }
    /// Any constraint refused the row, unique ones included.
    var isConstraintViolation: Bool { get }
    /// The column a unique violation names, for messages.
    var uniqueColumn: String { get }
    /// The transaction lost a race with another one and may succeed when run again.
    var isRetryable: Bool { get }
}

/// The SQL dialect of a connection, for the few statements that differ between backends.
enum SQLDialect: Sendable {
    case sqlite
    case postgres
}

/// A database connection inside one transaction, on either backend.
///
/// The store's methods write their SQL once, with `?` parameters, and run it through this
/// type. PostgreSQL connections rewrite the parameters to `$1`, `$2`, … before preparing.
struct SQLConnection {
    enum Backend {
        case sqlite(SQLiteConnection)
        case postgres(PostgresConnection)
    }

    let backend: Backend

    var dialect: SQLDialect {
        switch backend {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// Runs statements that take no parameters (schema text, transaction control).
    func execute(_ sql: String) throws {
        switch backend {
        case .sqlite(let connection): try connection.execute(sql)
        case .postgres(let connection): try connection.execute(sql)
        }
    }

    /// Starts a transaction. PostgreSQL sends `sql` with the first statement that follows.
    func begin(_ sql: String) throws {
        switch backend {
        case .sqlite(let connection): try connection.execute(sql)
        case .postgres(let connection): connection.begin(sql.split(separator: "; ").map(String.init))
        }
    }

    func commit() throws {
        switch backend {
        case .sqlite(let connection): try connection.execute("COMMIT")
        case .postgres(let connection): try connection.commit()
        }
    }

    /// Ends a transaction that changed nothing. PostgreSQL does not wait for the server's result.
    func commitReadOnly() throws {
        switch backend {
        case .sqlite(let connection): try connection.execute("COMMIT")
        case .postgres(let connection): try connection.commitReadOnly()
        }
    }

    func rollback() throws {
        switch backend {
        case .sqlite(let connection): try connection.execute("ROLLBACK")
        case .postgres(let connection): try connection.rollback()
        }
    }

    /// Runs one statement to completion and returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        switch backend {
        case .sqlite(let connection): try connection.run(sql, values)
        case .postgres(let connection): try connection.run(sql, values)
        }
    }

    /// Runs one statement and maps each result row.
    func query<Row>(_ sql: String, _ values: [SQLValue] = [], row transform: (SQLRow) throws -> Row) throws -> [Row] {
        switch backend {
        case .sqlite(let connection):
            try connection.query(sql, values) { try transform(SQLRow(backend: .sqlite($0))) }
        case .postgres(let connection):
            try connection.query(sql, values) { try transform(SQLRow(backend: .postgres($0))) }
        }
    }

    /// Runs one statement and maps its first row, if any.
    func queryFirst<Row>(_ sql: String, _ values: [SQLValue] = [], row transform: (SQLRow) throws -> Row) throws -> Row? {
        switch backend {
        case .sqlite(let connection):
            try connection.queryFirst(sql, values) { try transform(SQLRow(backend: .sqlite($0))) }
        case .postgres(let connection):
            try connection.queryFirst(sql, values) { try transform(SQLRow(backend: .postgres($0))) }
        }
    }

    /// Runs `statements` in order, calls `onRow` with each statement's index and each of its
    /// result rows, and returns the rows each statement changed (for `INSERT`, `UPDATE` and
    /// `DELETE`). PostgreSQL receives them in pipelines, one round trip for up to
    /// `PostgresConnection.pipelineLength` statements instead of one each, so each statement
    /// should return a few rows at most. The first failure throws, and no later statement runs.
    @discardableResult
    func runEach(_ statements: [SQLStatement], onRow: (Int, SQLRow) throws -> Void = { _, _ in }) throws -> [Int] {
        switch backend {
        case .sqlite(let connection):
            var changes: [Int] = []
            changes.reserveCapacity(statements.count)
            for (index, statement) in statements.enumerated() {
                changes.append(
                    try connection.run(statement.sql, statement.values) { row in
                        try onRow(index, SQLRow(backend: .sqlite(row)))
                    })
            }
            return changes
        case .postgres(let connection):
            return try connection.runEach(statements) { index, row in
                try onRow(index, SQLRow(backend: .postgres(row)))
            }
        }
    }

    /// Runs `statements` as `runEach` does and maps the first row of each, if any, in order.
    func queryFirstOfEach<Row>(_ statements: [SQLStatement], row transform: (SQLRow) throws -> Row) throws -> [Row?] {
        var rows: [Row?] = Array(repeating: nil, count: statements.count)
        var isMapped = Array(repeating: false, count: statements.count)
        try runEach(statements) { index, row in
            guard !isMapped[index] else { return }
            isMapped[index] = true
            rows[index] = try transform(row)
        }
        return rows
    }

    /// The id the last `INSERT` on this connection gave its row.
    var lastInsertRowID: Int64 {
        get throws {
            switch backend {
            case .sqlite(let connection): connection.lastInsertRowID
            case .postgres(let connection): try connection.lastInsertedID()
            }
        }
    }
}

/// The current row of a query, valid only inside the row callback.
struct SQLRow {
    enum Backend {
        case sqlite(SQLiteRow)
        case postgres(PostgresRow)
    }

    let backend: Backend

    func isNull(_ column: Int32) -> Bool {
        switch backend {
        case .sqlite(let row): row.isNull(column)
        case .postgres(let row): row.isNull(column)
        }
    }

    func int64(_ column: Int32) -> Int64 {
        switch backend {
        case .sqlite(let row): row.int64(column)
        case .postgres(let row): row.int64(column)
        }
    }

    func optionalInt64(_ column: Int32) -> Int64? {
        isNull(column) ? nil : int64(column)
    }

    func bool(_ column: Int32) -> Bool {
        int64(column) != 0
    }

    /// Reads a text column. SQL NULL reads as `nil`, and an empty string stays empty.
    func text(_ column: Int32) -> String? {
        switch backend {
        case .sqlite(let row): row.text(column)
        case .postgres(let row): row.text(column)
        }
    }

    /// Writes every column of the row whose name `include` accepts as one JSON object,
    /// keyed by column name: integers as numbers, text as strings, NULL as null.
    func writeObject(into writer: inout JSONWriter, include: (String) -> Bool) {
        switch backend {
        case .sqlite(let row): row.writeObject(into: &writer, include: include)
        case .postgres(let row): row.writeObject(into: &writer, include: include)
        }
    }
}

/// One statement run many times with values bound in place, for bulk inserts. Use it inside
/// one transaction and call `finalize()` before the transaction ends.
struct RowInserter {
    private enum Backend {
        case sqlite(SQLiteRowInserter)
        case postgres(PostgresRowInserter)
    }

    private let backend: Backend

    init(_ connection: SQLConnection, sql: String) throws {
        switch connection.backend {
        case .sqlite(let connection): backend = .sqlite(try SQLiteRowInserter(connection, sql: sql))
        case .postgres(let connection): backend = .postgres(PostgresRowInserter(connection, sql: sql))
        }
    }

    func finalize() {
        if case .sqlite(let inserter) = backend {
            inserter.finalize()
        }
    }

    /// Binds parameter `index` (1-based) for this and later rows.
    func bind(_ index: Int32, _ value: SQLValue) {
        switch backend {
        case .sqlite(let inserter): inserter.bind(index, value)
        case .postgres(let inserter): inserter.bind(index, value)
        }
    }

    func bind(_ index: Int32, _ text: String?) {
        switch backend {
        case .sqlite(let inserter): inserter.bind(index, text)
        case .postgres(let inserter): inserter.bind(index, SQLValue(text))
        }
    }

    /// Runs the statement once with the bound values and returns the rows it changed.
    func step() throws -> Int {
        switch backend {
        case .sqlite(let inserter): try inserter.step()
        case .postgres(let inserter): try inserter.step()
        }
    }
}
