import Foundation

/// The database of one or more test servers: a SQLite file in the server's directory, or a
/// fresh database on a PostgreSQL cluster, dropped when the last server that uses it is gone.
///
/// PostgreSQL is used when `NUMBERLINE_TEST_POSTGRES_URL` names a cluster's admin URL, such as
/// the one `ci/postgres.sh start` prints. The admin role must be allowed to create databases.
final class TestDatabase: Sendable {
    enum Backend {
        case sqlite
        case postgres
    }

    let backend: Backend
    /// The value of `--database` for `serve` and the CLI: a file path or a `postgres://` URL.
    let location: String
    /// The cluster's admin URL and the database's name, which `deinit` needs to drop it. Nil for SQLite.
    private let postgresAdmin: (url: String, name: String)?

    /// The admin URL of the cluster that the suites run on, or nil when they run on SQLite.
    static var postgresAdminURL: String? {
        guard let url = ProcessInfo.processInfo.environment["NUMBERLINE_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        return url
    }

    /// Whether the suites run on PostgreSQL, for `.enabled(if:)` traits.
    static var runsOnPostgres: Bool { postgresAdminURL != nil }

    /// The repository's root directory, found from this file's path.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Creates a database: a new database named `nl_` and 16 random hex digits on the cluster
    /// when `postgresAdminURL` is set, else the path of `numberline.db` in `directory`.
    init(directory: URL, postgresAdminURL: String? = TestDatabase.postgresAdminURL) throws {
        guard let postgresAdminURL else {
            backend = .sqlite
            location = directory.appendingPathComponent("numberline.db").path
            postgresAdmin = nil
            return
        }

        let name = "nl_" + (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        guard var components = URLComponents(string: postgresAdminURL), components.host != nil else {
            throw TestError("NUMBERLINE_TEST_POSTGRES_URL is not a valid URL: \(postgresAdminURL)")
        }
        components.path = "/" + name
        guard let url = components.string else {
            throw TestError("cannot build a database URL from \(postgresAdminURL) and \(name)")
        }
        try Self.psql(postgresAdminURL, "CREATE DATABASE \(name)")
        backend = .postgres
        location = url
        postgresAdmin = (postgresAdminURL, name)
    }

    deinit {
        // FORCE ends any session that is still open, such as one of a server killed a moment ago
        // whose backend has not exited yet. A failed drop only leaves a database behind on a
        // throwaway cluster, so its error is ignored.
        if let postgresAdmin {
            _ = try? Self.psql(postgresAdmin.url, "DROP DATABASE IF EXISTS \(postgresAdmin.name) WITH (FORCE)")
        }
    }

    // MARK: - SQL

    /// Runs SQL and returns its rows, one a line with columns separated by `|` and NULL as an
    /// empty string: the default output of `sqlite3`, and of `psql -A -t`.
    @discardableResult
    func query(_ statement: String) throws -> String {
        switch backend {
        case .sqlite:
            // .timeout waits up to 5 s for the server's write lock instead of failing at once.
            let result = try Self.run("/usr/bin/sqlite3", ["-cmd", ".timeout 5000", location, statement])
            guard result.status == 0 else {
                throw TestError("sqlite3 failed with \(result.status) on \(statement): \(result.error)")
            }
            return result.output
        case .postgres:
            return try Self.psql(location, statement)
        }
    }

    /// Checks the database for corruption and returns "ok" when it finds none, else what it found.
    ///
    /// SQLite runs `PRAGMA integrity_check`. PostgreSQL runs the amcheck extension on every
    /// table and b-tree index of the `public` schema: `verify_heapam` on each table, and
    /// `bt_index_check` with `heapallindexed` on each index, which also checks that every table
    /// row has its index entry.
    func integrityCheck() throws -> String {
        switch backend {
        case .sqlite:
            return try query("PRAGMA integrity_check").trimmingCharacters(in: .whitespacesAndNewlines)
        case .postgres:
            try query("CREATE EXTENSION IF NOT EXISTS amcheck")
            let heapProblems = try query(
                """
                SELECT c.relname, v.blkno, v.offnum, v.msg
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, verify_heapam(c.oid) v
                WHERE n.nspname = 'public' AND c.relkind = 'r'
                """
            ).trimmingCharacters(in: .whitespacesAndNewlines)
            guard heapProblems.isEmpty else {
                return "verify_heapam found:\n\(heapProblems)"
            }

            // bt_index_check raises an error on the first corrupt index, which psql reports.
            let checkedIndexes: String
            do {
                checkedIndexes = try query(
                    """
                    SELECT c.relname, bt_index_check(c.oid, true)
                    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                    JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam
                    WHERE n.nspname = 'public' AND a.amname = 'btree' AND i.indisready AND i.indisvalid
                    """)
            } catch {
                return "bt_index_check failed: \(error)"
            }
            guard !checkedIndexes.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                return "no b-tree index found in schema public, so nothing was checked"
            }
            return "ok"
        }
    }

    /// Returns the columns of `table`, each mapped to whether it is declared NOT NULL.
    func columns(of table: String) throws -> [String: Bool] {
        let rows: String
        switch backend {
        case .sqlite:
            rows = try query("SELECT name, \"notnull\" FROM pragma_table_info('\(table)')")
        case .postgres:
            rows = try query(
                """
                SELECT column_name, CASE is_nullable WHEN 'NO' THEN 1 ELSE 0 END FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name = '\(table)'
                """)
        }
        var columns: [String: Bool] = [:]
        for row in rows.split(separator: "\n") {
            let parts = row.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw TestError("unexpected column row for \(table): \(row)") }
            columns[String(parts[0])] = parts[1] == "1"
        }
        return columns
    }

    // MARK: - Tools

    /// The `psql` of PostgreSQL 15 from Debian's package, else `/usr/bin/psql`.
    private static var psqlPath: String {
        let packaged = "/usr/lib/postgresql/15/bin/psql"
        return FileManager.default.isExecutableFile(atPath: packaged) ? packaged : "/usr/bin/psql"
    }

    /// Runs one SQL command with psql on `url` and returns its rows in sqlite3's output format.
    @discardableResult
    private static func psql(_ url: String, _ statement: String) throws -> String {
        // -X skips ~/.psqlrc, -A -t print bare `a|b` rows, and ON_ERROR_STOP makes an SQL error exit non-zero.
        let result = try run(psqlPath, ["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", statement])
        guard result.status == 0 else {
            throw TestError("psql failed with \(result.status) on \(statement): \(result.error)")
        }
        return result.output
    }

    /// Runs a command-line tool to its end and returns its exit status, output and error output.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The error output is read on another thread, so that a tool that fills one pipe does not block.
        let errorData = Locked(Data())
        let readers = DispatchGroup()
        DispatchQueue.global().async(group: readers) {
            errorData.set(error.fileHandleForReading.readDataToEndOfFile())
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        readers.wait()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData.get(), as: UTF8.self)
        )
    }
}
