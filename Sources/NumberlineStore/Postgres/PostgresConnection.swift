import CPostgres
import NumberlineJSON

#if canImport(Glibc)
    import Glibc
#endif

/// A failure reported by libpq or the PostgreSQL server.
struct PostgresError: DatabaseFailure {
    /// The five-character SQLSTATE, or empty when the connection itself failed.
    var sqlState: String
    var message: String
    /// The server's DETAIL line, e.g. "Key (instance_id, name)=(1, x) already exists."
    var detail: String?

    var isUniqueViolation: Bool { sqlState == "23505" }
    var isConstraintViolation: Bool { sqlState.hasPrefix("23") }
    /// Serialization failures and deadlocks: the transaction may succeed when run again.
    var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// The last column of the key in the DETAIL line, e.g. `name` above.
    var uniqueColumn: String {
        guard let detail, let open = detail.firstIndex(of: "("), let close = detail.firstIndex(of: ")"), open < close else {
            return "unknown"
        }
        let columns = detail[detail.index(after: open)..<close].split(separator: ",")
        return columns.last.map { $0.trimmingSpaces() } ?? "unknown"
    }

    var description: String {
        sqlState.isEmpty ? "PostgreSQL: \(message)" : "PostgreSQL error \(sqlState): \(message)"
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// The current row of a PostgreSQL result, valid only inside the row callback. Values arrive
/// in text format.
struct PostgresRow {
    fileprivate let result: OpaquePointer
    fileprivate let row: Int32

    func isNull(_ column: Int32) -> Bool {
        PQgetisnull(result, row, column) != 0
    }

    /// Reads an integer column; a boolean reads as 1 or 0, and NULL as 0.
    func int64(_ column: Int32) -> Int64 {
        guard let bytes = PQgetvalue(result, row, column) else {
            return 0
        }
        var pointer = UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self)
        switch pointer.pointee {
        case UInt8(ascii: "t"): return 1
        case UInt8(ascii: "f"), 0: return 0
        default: break
        }
        let isNegative = pointer.pointee == UInt8(ascii: "-")
        if isNegative {
            pointer += 1
        }
        var value: Int64 = 0
        while pointer.pointee >= UInt8(ascii: "0") && pointer.pointee <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int64(pointer.pointee &- UInt8(ascii: "0"))
            pointer += 1
        }
        return isNegative ? -value : value
    }

    /// Reads a text column. SQL NULL reads as `nil`, and an empty string stays empty.
    func text(_ column: Int32) -> String? {
        guard !isNull(column), let bytes = PQgetvalue(result, row, column) else {
            return nil
        }
        let count = Int(PQgetlength(result, row, column))
        return UnsafeRawPointer(bytes).withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
    }

    /// Writes the row as one JSON object keyed by column name, with the same value types the
    /// SQLite backend writes: integers and booleans as numbers, other values as strings.
    func writeObject(into writer: inout JSONWriter, include: (String) -> Bool) {
        writer.beginObject()
        for column in 0..<PQnfields(result) {
            let name = String(cString: PQfname(result, column))
            guard include(name) else { continue }
            writer.dynamicKey(name)
            if isNull(column) {
                writer.null()
                continue
            }
            switch PQftype(result, column) {
            case PostgresType.int8, PostgresType.int4, PostgresType.int2, PostgresType.bool:
                writer.int(int64(column))
            default:
                writer.string(text(column) ?? "")
            }
        }
        writer.endObject()
    }
}

/// Type OIDs from PostgreSQL's catalog (`pg_type`), fixed since the first releases.
enum PostgresType {
    static let bool: Oid = 16
    static let int8: Oid = 20
    static let int2: Oid = 21
    static let int4: Oid = 23
}

/// One libpq connection with its prepared-statement cache.
///
/// Used by one pool thread at a time (`PostgresPool`), so it is `@unchecked Sendable` only
/// to travel to that thread. Statements are written with `?` parameters, as for SQLite, and
/// prepared once per connection under a generated name.
final class PostgresConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Prepared statement names keyed by SQL text and parameter kinds.
    private var statements: [String: String] = [:]
    /// The number in the name of the last statement prepared in this session.
    private var statementCounter = 0
    /// Prepared statements kept per connection at most.
    static let maxStatements = 512
    /// A `BEGIN` not sent yet. It goes out with the transaction's first statement, in the same
    /// message, so a transaction costs one round trip less.
    private var deferredBegin: [String]?
    /// Set when a pipeline could not be ended, which leaves libpq unable to run other commands.
    private var isBroken = false
    /// Set while the `COMMIT` of a read transaction is sent and its result not read yet.
    private var isEndPending = false

    /// Connects with `url` (a `postgres://` URI or a libpq keyword string). Connecting waits at
    /// most 5 seconds unless the URL sets `connect_timeout`, and TCP keepalives notice a server
    /// that went away while the connection was idle.
    init(url: String) throws {
        let keywords = [
            "connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count", "application_name", "dbname",
        ]
        let values = ["5", "10", "5", "3", "numberline", url]
        // dbname comes last and is expanded, so settings in the URL override the defaults before it.
        handle = withCStrings(keywords) { keywordPointers in
            withCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let message = handle.map { Self.errorMessage($0) } ?? "out of memory"
            close()
            throw PostgresError(sqlState: "", message: "cannot connect: \(message)")
        }
        // Messages the server sends for NOTICE and WARNING would go to stderr; the log is ours.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit {
        close()
    }

    /// False once the server closed the connection, the network failed or a pipeline was left
    /// unfinished; the pool then opens a new connection. An idle connection has nothing to
    /// read, so a readable socket means the server ended the session or sent something
    /// unexpected. A fresh connection is the safe choice in both cases.
    var isUsable: Bool {
        guard let handle, !isBroken, PQstatus(handle) == CONNECTION_OK, finishPendingEnd(handle) else {
            return false
        }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    func close() {
        if let handle {
            PQfinish(handle)
        }
        handle = nil
        statements.removeAll()
        statementCounter = 0
    }

    // MARK: - Running SQL

    /// Runs one or more statements that take no parameters (schema text, transaction control).
    func execute(_ sql: String) throws {
        let connection = try openHandle()
        var text = sql
        if let begin = deferredBegin.take() {
            text = (begin + [sql]).joined(separator: "; ")
        }
        let result = PQexec(connection, text)
        defer { PQclear(result) }
        try check(result, connection)
    }

    /// Starts a transaction with `statements` (a `BEGIN` and what goes with it), sent with the
    /// first statement that follows.
    func begin(_ statements: [String]) {
        deferredBegin = statements
    }

    /// Ends the transaction; one in which no statement ran was never sent, and ends here.
    func commit() throws {
        guard deferredBegin.take() == nil else { return }
        try execute("COMMIT")
    }

    /// Ends a read-only transaction without waiting for the server's result, which saves a
    /// round trip. `isUsable`, checked before the connection's next job, reads that result.
    func commitReadOnly() throws {
        guard deferredBegin.take() == nil else { return }
        let connection = try openHandle()
        guard PQsendQuery(connection, "COMMIT") == 1 else {
            throw PostgresError(sqlState: "", message: Self.errorMessage(connection))
        }
        isEndPending = true
    }

    /// Reads the result of a `COMMIT` sent by `commitReadOnly()` and returns false when it
    /// failed, which for a read-only transaction means that the connection is lost.
    private func finishPendingEnd(_ connection: OpaquePointer) -> Bool {
        guard isEndPending else {
            return true
        }
        isEndPending = false
        // NOTE: this waits without a time limit. A server that stops responding holds the pool
        // thread until TCP gives up: about 25 s of keepalive probes, longer while a send is retried.
        var isCommitted = true
        while let result = PQgetResult(connection) {
            isCommitted = isCommitted && PQresultStatus(result) == PGRES_COMMAND_OK
            PQclear(result)
        }
        return isCommitted
    }

    func rollback() throws {
        guard deferredBegin.take() == nil else { return }
        try execute("ROLLBACK")
    }

    /// Runs one statement to completion and returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        let result = try executePrepared(sql, values)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// Runs one statement and maps each result row.
    func query<Row>(_ sql: String, _ values: [SQLValue] = [], row transform: (PostgresRow) throws -> Row) throws -> [Row] {
        let result = try executePrepared(sql, values)
        defer { PQclear(result) }
        guard let result else {
            return []
        }
        let count = PQntuples(result)
        var rows: [Row] = []
        rows.reserveCapacity(Int(count))
        for index in 0..<count {
            rows.append(try transform(PostgresRow(result: result, row: index)))
        }
        return rows
    }

    /// Runs one statement and maps its first row, if any.
    func queryFirst<Row>(_ sql: String, _ values: [SQLValue] = [], row transform: (PostgresRow) throws -> Row) throws -> Row? {
        let result = try executePrepared(sql, values)
        defer { PQclear(result) }
        guard let result, PQntuples(result) > 0 else {
            return nil
        }
        return try transform(PostgresRow(result: result, row: 0))
    }

    /// Returns the value the last `INSERT` of this session drew from an identity column.
    func lastInsertedID() throws -> Int64 {
        try queryFirst("SELECT lastval()") { $0.int64(0) } ?? 0
    }

    // MARK: - Statements

    private func openHandle() throws -> OpaquePointer {
        guard let handle else {
            throw PostgresError(sqlState: "", message: "the connection is closed")
        }
        guard finishPendingEnd(handle) else {
            isBroken = true
            throw PostgresError(sqlState: "", message: "the last read transaction did not commit: \(Self.errorMessage(handle))")
        }
        return handle
    }

    /// Returns the cache key of a statement: its SQL and which of its parameters are integers.
    private static func statementKey(_ sql: String, _ values: [SQLValue]) -> String {
        var key = sql
        key.reserveCapacity(sql.utf8.count + values.count + 1)
        key.append("\u{0}")
        // Text and NULL are both sent untyped, so only integer positions tell statements apart.
        // A row with many optional text columns then needs one statement, not one per NULL pattern.
        for value in values {
            if case .integer = value {
                key.append("i")
            } else {
                key.append("x")
            }
        }
        return key
    }

    /// Integers are sent as `int8`; text and NULL leave the type for the server to infer.
    private static func parameterTypes(_ values: [SQLValue]) -> [Oid] {
        values.map { value in
            if case .integer = value { PostgresType.int8 } else { 0 }
        }
    }

    /// Returns a name no statement of this session has had. A name is never reused, so a
    /// preparation that reached the server in a failed pipeline cannot clash with a later one.
    private func newStatementName() -> String {
        statementCounter += 1
        return "s\(statementCounter)"
    }

    /// Empties the statement cache when `newCount` more statements would overfill it: each
    /// prepared statement uses memory in the server process.
    private func makeRoom(for newCount: Int) throws {
        guard newCount > 0, statements.count + newCount > Self.maxStatements else {
            return
        }
        try execute("DEALLOCATE ALL")
        statements.removeAll()
    }

    /// Prepares `sql` on first use for this combination of parameter kinds, then executes it.
    /// A deferred `BEGIN` goes out with it in one pipeline.
    private func executePrepared(_ sql: String, _ values: [SQLValue]) throws -> OpaquePointer? {
        if deferredBegin != nil {
            return try sendPipeline([SQLStatement(sql, values)], 0..<1)[0]
        }
        let connection = try openHandle()
        let key = Self.statementKey(sql, values)
        let types = Self.parameterTypes(values)
        var name = statements[key]
        if name == nil {
            try makeRoom(for: 1)
            let newName = newStatementName()
            let prepared = PQprepare(connection, newName, PostgresDialect.numberedParameters(sql), Int32(values.count), types)
            defer { PQclear(prepared) }
            try check(prepared, connection)
            statements[key] = newName
            name = newName
        }

        let result = Self.withParameters(values) { pointers in
            PQexecPrepared(connection, name!, Int32(values.count), pointers, nil, nil, 0)
        }
        do {
            try check(result, connection)
        } catch {
            PQclear(result)
            throw error
        }
        return result
    }

    /// Calls `body` with a C array holding each value as NUL-terminated text, or NULL for SQL NULL.
    private static func withParameters<Result>(
        _ values: [SQLValue], _ body: ([UnsafePointer<CChar>?]) throws -> Result
    ) rethrows -> Result {
        var buffer: [CChar] = []
        var offsets: [Int?] = []
        offsets.reserveCapacity(values.count)
        for value in values {
            switch value {
            case .null:
                offsets.append(nil)
            case .integer(let number):
                offsets.append(buffer.count)
                buffer.append(contentsOf: String(number).utf8CString)
            case .text(let text):
                offsets.append(buffer.count)
                buffer.append(contentsOf: text.utf8CString)
            }
        }
        return try buffer.withUnsafeBufferPointer { bytes in
            try body(offsets.map { offset in offset.map { bytes.baseAddress! + $0 } })
        }
    }

    // MARK: - Pipelines

    /// Statements sent in one pipeline at most. Their results wait in the socket buffers until
    /// the pipeline is read, so a pipeline stays small enough for a few rows per statement.
    static let pipelineLength = 256

    /// Runs `statements` in order, calls `onRow` with each statement's index and each of its
    /// result rows, and returns the rows each statement changed. They go out in pipelines of
    /// at most `pipelineLength` statements, one round trip per pipeline, and a deferred `BEGIN`
    /// goes with the first. The first failure throws, and no later statement runs.
    func runEach(_ batch: [SQLStatement], onRow: (Int, PostgresRow) throws -> Void) throws -> [Int] {
        var changes: [Int] = []
        changes.reserveCapacity(batch.count)
        var start = 0
        while start < batch.count {
            let end = min(start + Self.pipelineLength, batch.count)
            let results = try sendPipeline(batch, start..<end)
            defer {
                for result in results { PQclear(result) }
            }
            for (index, result) in zip(start..<end, results) {
                changes.append(Int(String(cString: PQcmdTuples(result))) ?? 0)
                for row in 0..<PQntuples(result) {
                    try onRow(index, PostgresRow(result: result, row: row))
                }
            }
            start = end
        }
        return changes
    }

    private enum PipelineCommand {
        case begin
        case prepare(key: String, name: String)
        case execute
    }

    /// Sends a deferred `BEGIN`, if any, and `batch[range]` as one pipeline, with a preparation
    /// for each statement new to the session. Returns each statement's result in order, for the
    /// caller to clear, and throws the first error of any command.
    private func sendPipeline(_ batch: [SQLStatement], _ range: Range<Int>) throws -> [OpaquePointer] {
        let connection = try openHandle()
        let keys = batch[range].map { Self.statementKey($0.sql, $0.values) }
        try makeRoom(for: Set(keys.filter { statements[$0] == nil }).count)

        guard PQenterPipelineMode(connection) == 1 else {
            throw PostgresError(sqlState: "", message: Self.errorMessage(connection))
        }
        defer {
            if PQexitPipelineMode(connection) != 1 {
                isBroken = true
            }
        }
        // The extended protocol takes one statement per message, so each goes on its own.
        var commands: [PipelineCommand] = []
        var isSent = true
        for statement in deferredBegin.take() ?? [] where isSent {
            isSent = PQsendQueryParams(connection, statement, 0, nil, nil, nil, nil, 0) == 1
            commands.append(.begin)
        }
        var names: [String: String] = [:]
        for (offset, index) in range.enumerated() where isSent {
            let statement = batch[index]
            let key = keys[offset]
            let types = Self.parameterTypes(statement.values)
            var name = statements[key] ?? names[key]
            if name == nil {
                let newName = newStatementName()
                names[key] = newName
                name = newName
                let sql = PostgresDialect.numberedParameters(statement.sql)
                isSent = PQsendPrepare(connection, newName, sql, Int32(types.count), types) == 1
                commands.append(.prepare(key: key, name: newName))
            }
            isSent =
                isSent
                && Self.withParameters(statement.values) { pointers in
                    PQsendQueryPrepared(connection, name!, Int32(pointers.count), pointers, nil, nil, 0)
                } == 1
            commands.append(.execute)
        }
        isSent = isSent && PQpipelineSync(connection) == 1
        guard isSent else {
            throw PostgresError(sqlState: "", message: Self.errorMessage(connection))
        }

        // Each command's result is followed by a NULL. After a failure the later commands
        // report PGRES_PIPELINE_ABORTED, and the synchronization result ends the pipeline.
        var failure: OpaquePointer?
        var executed: [OpaquePointer] = []
        for command in commands {
            guard let result = PQgetResult(connection) else { break }
            while let extra = PQgetResult(connection) {
                PQclear(extra)
            }
            let status = PQresultStatus(result)
            let isSuccess = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK
            if !isSuccess && status != PGRES_PIPELINE_ABORTED && failure == nil {
                failure = result
                continue
            }
            switch command {
            case .prepare(let key, let name) where isSuccess:
                statements[key] = name
            case .execute where isSuccess:
                executed.append(result)
                continue
            default:
                break
            }
            PQclear(result)
        }
        while let result = PQgetResult(connection) {
            let isSync = PQresultStatus(result) == PGRES_PIPELINE_SYNC
            PQclear(result)
            if isSync { break }
        }
        guard failure == nil, executed.count == range.count else {
            for result in executed { PQclear(result) }
            defer { PQclear(failure) }
            try check(failure, connection)
            throw PostgresError(sqlState: "", message: Self.errorMessage(connection))
        }
        return executed
    }

    /// Throws the server's error for a failed result. After a lost connection the statement
    /// cache is dropped, because the prepared names do not exist in a new session.
    private func check(_ result: OpaquePointer?, _ connection: OpaquePointer) throws {
        let status = result.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        guard status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY else {
            return
        }
        let sqlState = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) } ?? ""
        let primary = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "M"))) }.map { String(cString: $0) }
        let detail = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "D"))) }.map { String(cString: $0) }
        if PQstatus(connection) != CONNECTION_OK {
            statements.removeAll()
        }
        throw PostgresError(sqlState: sqlState, message: primary ?? Self.errorMessage(connection), detail: detail)
    }

    private static func errorMessage(_ connection: OpaquePointer) -> String {
        let text = PQerrorMessage(connection).map { String(cString: $0) } ?? ""
        return text.split(whereSeparator: { $0 == "\n" || $0 == "\t" || $0 == " " }).joined(separator: " ")
    }
}

/// Calls `body` with a C array of pointers to NUL-terminated copies of `strings`, ended by NULL.
private func withCStrings<Result>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result) -> Result {
    let copies = strings.map { strdup($0) }
    defer {
        for copy in copies { free(copy) }
    }
    let pointers = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// A statement run once per row with values bound in place, for bulk inserts on PostgreSQL.
final class PostgresRowInserter {
    private let connection: PostgresConnection
    private let sql: String
    private var values: [SQLValue]

    init(_ connection: PostgresConnection, sql: String) {
        self.connection = connection
        self.sql = sql
        values = Array(repeating: .null, count: PostgresDialect.parameterCount(sql))
    }

    func bind(_ index: Int32, _ value: SQLValue) {
        values[Int(index) - 1] = value
    }

    func step() throws -> Int {
        try connection.run(sql, values)
    }
}
