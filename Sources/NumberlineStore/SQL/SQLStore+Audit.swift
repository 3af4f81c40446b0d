import NumberlineCore
import NumberlineJSON

#if canImport(Glibc)
    import Glibc
#endif

/// An object an audit record describes.
enum AuditSubject: Hashable {
    case account(Int64)
    case number(String)
    case carrier(Int64)
    case site(Int64)
    case emergencyAddress(Int64)
    case teamsUser(Int64)

    /// The `object` and `id` members of the record's change entry.
    var label: (object: String, id: String) {
        switch self {
        case .account(let id): ("account", String(id))
        case .number(let digits): ("telephoneNumber", digits)
        case .carrier(let id): ("carrier", String(id))
        case .site(let id): ("site", String(id))
        case .emergencyAddress(let id): ("emergencyAddress", String(id))
        case .teamsUser(let id): ("msteamsUser", String(id))
        }
    }
}

/// A subject's stored values at one moment, with its owning account.
struct AuditSnapshot {
    /// The row (and the rows that belong to it) as a JSON object, without secret columns.
    var json: [UInt8]
    var ownerID: Int64?
    var ownerPath: String?
}

/// Collects the subjects of one write transaction and inserts its audit record.
///
/// Call `capture` for each object before changing it (an absent object records a null
/// `before`), make the change, then call `commit`, which reads each object again as `after`
/// and inserts the record in the same transaction.
struct AuditTrail {
    /// Subjects whose values are listed in the record, in capture order.
    private var entries: [(subject: AuditSubject, before: AuditSnapshot?)] = []
    /// Subjects named for filtering and filing only, with no values: the target of a bulk upload.
    private var mentions: [AuditSubject] = []
    private var summary: [UInt8]?
    let instanceID: Int64

    /// Bulk calls list at most this many numbers with their values. A larger call stores a
    /// summary (count, first and last number), so a million-number call writes one small record.
    static let maxListedNumbers = 1000

    init(instanceID: Int64) {
        self.instanceID = instanceID
    }

    mutating func capture(_ subject: AuditSubject, _ db: SQLConnection) throws {
        entries.append((subject, try AuditTrail.snapshot(subject, instanceID: instanceID, db)))
    }

    /// Records an object the transaction creates; its `before` is null.
    mutating func created(_ subject: AuditSubject) {
        entries.append((subject, nil))
    }

    mutating func mention(_ subject: AuditSubject) {
        mentions.append(subject)
    }

    /// Sets the record's summary object from name and value pairs (integers or strings).
    mutating func summarize(_ members: [(String, AuditSummaryValue)]) {
        var writer = JSONWriter()
        writer.beginObject()
        for (name, value) in members {
            writer.dynamicKey(name)
            switch value {
            case .integer(let number): writer.int(number)
            case .text(let text): writer.string(text)
            case .texts(let texts):
                writer.beginArray()
                for text in texts { writer.string(text) }
                writer.endArray()
            }
        }
        writer.endObject()
        summary = writer.bytes
    }

    /// Captures numbers one by one up to `maxListedNumbers`; a longer list becomes a summary
    /// plus a mention of `holderID`, the account the numbers move to.
    mutating func captureNumbers(_ telephoneNumbers: [String], holderID: Int64?, carrierID: Int64?, _ db: SQLConnection) throws {
        if telephoneNumbers.count <= AuditTrail.maxListedNumbers {
            let snapshots = try AuditTrail.numberSnapshots(telephoneNumbers, instanceID: instanceID, db)
            for (telephoneNumber, snapshot) in zip(telephoneNumbers, snapshots) {
                entries.append((.number(telephoneNumber), snapshot))
            }
            return
        }
        let sorted = telephoneNumbers.sorted()
        var members: [(String, AuditSummaryValue)] = [("count", .integer(Int64(telephoneNumbers.count)))]
        if let carrierID {
            members.append(("carrierId", .integer(carrierID)))
        }
        if let holderID {
            members.append(("accountId", .integer(holderID)))
        }
        members += [("firstTelephoneNumber", .text(sorted.first ?? "")), ("lastTelephoneNumber", .text(sorted.last ?? ""))]
        summarize(members)
        if let holderID {
            mention(.account(holderID))
        }
    }

    /// Reads every captured subject again and inserts the audit record with its subject rows.
    func commit(_ db: SQLConnection) throws {
        let context = AuditContext.current
        var changes = JSONWriter(capacity: 512 * entries.count + 2)
        var paths: [String] = []
        var subjectRows: [(accountID: Int64?, telephoneNumber: String?)] = []

        // Numbers are read again together: a bulk call captures up to `maxListedNumbers`.
        let numbers = entries.compactMap { entry -> String? in
            if case .number(let digits) = entry.subject { digits } else { nil }
        }
        var numberAfters = try AuditTrail.numberSnapshots(numbers, instanceID: instanceID, db)[...]
        changes.beginArray()
        for entry in entries {
            let after: AuditSnapshot?
            if case .number = entry.subject {
                after = numberAfters.removeFirst()
            } else {
                after = try AuditTrail.snapshot(entry.subject, instanceID: instanceID, db)
            }
            let label = entry.subject.label
            changes.beginObject()
            changes.key("object")
            changes.string(label.object)
            changes.key("id")
            changes.string(label.id)
            changes.key("before")
            changes.raw(entry.before?.json ?? Array("null".utf8))
            changes.key("after")
            changes.raw(after?.json ?? Array("null".utf8))
            changes.endObject()

            for snapshot in [entry.before, after].compactMap({ $0 }) {
                if let path = snapshot.ownerPath { paths.append(path) }
            }
            let owners = Set([entry.before?.ownerID, after?.ownerID].compactMap { $0 })
            var telephoneNumber: String?
            if case .number(let digits) = entry.subject {
                telephoneNumber = digits
            }
            if case .account(let id) = entry.subject {
                subjectRows.append((id, nil))
            } else if owners.isEmpty, telephoneNumber != nil {
                subjectRows.append((nil, telephoneNumber))
            }
            for owner in owners.sorted() {
                subjectRows.append((owner, telephoneNumber))
            }
        }
        changes.endArray()

        for subject in mentions {
            if case .account(let id) = subject {
                subjectRows.append((id, nil))
                if let path = try db.queryFirst("SELECT path FROM accounts WHERE id = ?", [.integer(id)], row: { $0.text(0) }) ?? nil {
                    paths.append(path)
                }
            }
        }

        let path = paths.isEmpty ? (context?.scopePath ?? "/") : AuditTrail.commonAncestor(of: paths)
        try db.run(
            """
            INSERT INTO audit_records (instance_id, created_at, path, login_id, username, account_id, request_id, method, route,
                changes, summary)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(instanceID), .integer(AuditTrail.nowMilliseconds()), .text(path), SQLValue(context?.loginID),
                SQLValue(context?.username), SQLValue(context?.accountID), SQLValue(context?.requestID),
                SQLValue(context?.method), SQLValue(context?.route), .text(String(decoding: changes.bytes, as: UTF8.self)),
                SQLValue(summary.map { String(decoding: $0, as: UTF8.self) }),
            ])
        let auditID = try db.lastInsertRowID
        let rows = Set(subjectRows.map { AuditSubjectRow(accountID: $0.accountID, telephoneNumber: $0.telephoneNumber) })
        try db.runEach(
            rows.map { row in
                SQLStatement(
                    "INSERT INTO audit_subjects (audit_id, account_id, telephone_number) VALUES (?, ?, ?)",
                    [.integer(auditID), SQLValue(row.accountID), SQLValue(row.telephoneNumber)])
            })
    }

    // MARK: - Paths and time

    /// Returns the longest path that every path in `paths` starts with, cut at a `/`.
    static func commonAncestor(of paths: [String]) -> String {
        var common = paths[0].split(separator: "/")
        for path in paths.dropFirst() {
            let segments = path.split(separator: "/")
            var length = 0
            while length < common.count, length < segments.count, common[length] == segments[length] {
                length += 1
            }
            common = Array(common.prefix(length))
        }
        return common.isEmpty ? "/" : "/" + common.joined(separator: "/") + "/"
    }

    static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    // MARK: - Snapshots

    /// Columns never copied into the audit trail: hashes of passwords, tokens and API keys.
    static func isRecordable(_ column: String) -> Bool {
        !(column.hasSuffix("_hash") || column.contains("password") || column.contains("token") || column.contains("api_key"))
    }

    /// Reads a subject's current values; nil when it does not exist.
    static func snapshot(_ subject: AuditSubject, instanceID: Int64, _ db: SQLConnection) throws -> AuditSnapshot? {
        switch subject {
        case .account(let id):
            return try accountSnapshot(id, instanceID: instanceID, db)
        case .number(let digits):
            return try numberSnapshot(digits, instanceID: instanceID, db)
        case .carrier(let id):
            return try rowSnapshot("SELECT * FROM carriers WHERE id = ? AND instance_id = ?", [.integer(id), .integer(instanceID)], db)
        case .site(let id):
            return try ownedRowSnapshot("sites", id: id, instanceID: instanceID, db)
        case .emergencyAddress(let id):
            return try ownedRowSnapshot("emergency_addresses", id: id, instanceID: instanceID, db)
        case .teamsUser(let id):
            return try ownedRowSnapshot("teams_users", id: id, instanceID: instanceID, db)
        }
    }

    private static func rowSnapshot(_ sql: String, _ values: [SQLValue], _ db: SQLConnection) throws -> AuditSnapshot? {
        try db.queryFirst(sql, values) { row in
            var writer = JSONWriter()
            row.writeObject(into: &writer, include: isRecordable)
            return AuditSnapshot(json: writer.bytes)
        }
    }

    /// Reads a row of a table with a `customer_id` column, whose customer owns it.
    private static func ownedRowSnapshot(_ table: String, id: Int64, instanceID: Int64, _ db: SQLConnection) throws
        -> AuditSnapshot?
    {
        guard
            var snapshot = try rowSnapshot(
                "SELECT * FROM \(table) WHERE id = ? AND instance_id = ?", [.integer(id), .integer(instanceID)], db)
        else {
            return nil
        }
        let owner = try db.queryFirst(
            "SELECT a.id, a.path FROM \(table) t JOIN accounts a ON a.id = t.customer_id WHERE t.id = ?", [.integer(id)]
        ) { ($0.int64(0), $0.text(1)) }
        snapshot.ownerID = owner?.0
        snapshot.ownerPath = owner?.1 ?? nil
        return snapshot
    }

    private static func accountSnapshot(_ id: Int64, instanceID: Int64, _ db: SQLConnection) throws -> AuditSnapshot? {
        guard
            var snapshot = try rowSnapshot(
                "SELECT * FROM accounts WHERE id = ? AND instance_id = ?", [.integer(id), .integer(instanceID)], db)
        else {
            return nil
        }
        snapshot.ownerID = id
        snapshot.ownerPath = try db.queryFirst("SELECT path FROM accounts WHERE id = ?", [.integer(id)]) { $0.text(0) } ?? nil

        var logins = JSONWriter()
        logins.beginArray()
        _ = try db.query("SELECT * FROM logins WHERE account_id = ? ORDER BY id", [.integer(id)]) { row in
            row.writeObject(into: &logins, include: isRecordable)
        }
        logins.endArray()
        snapshot.json = appending("logins", logins.bytes, to: snapshot.json)

        var providers = JSONWriter()
        providers.beginArray()
        _ = try db.query("SELECT * FROM account_did_providers WHERE account_id = ? ORDER BY scope, position", [.integer(id)]) { row in
            row.writeObject(into: &providers) { $0 != "account_id" }
        }
        providers.endArray()
        snapshot.json = appending("did_providers", providers.bytes, to: snapshot.json)
        return snapshot
    }

    /// The rows that hang off a number, each listed under its table's name when present.
    private static let numberParts: [(name: String, sql: String)] = [
        ("call_forwarding", "SELECT forward_to, country_code, updated_at FROM call_forwardings WHERE number_id = ?"),
        ("calling_party_number", "SELECT cpn_number, country_code, updated_at FROM calling_party_numbers WHERE number_id = ?"),
        ("caller_name", "SELECT calling_name, first_name, last_name, business_name, updated_at FROM caller_names WHERE number_id = ?"),
        ("international_calling", "SELECT criteria, updated_at FROM international_calling WHERE number_id = ?"),
        (
            "disaster_plan",
            "SELECT p.id, p.plan_number, p.forward_to, p.country_code, p.active FROM disaster_plan_numbers x JOIN disaster_plans p ON p.id = x.plan_id WHERE x.number_id = ?"
        ),
        ("emergency_address", "SELECT address_id FROM emergency_address_numbers WHERE number_id = ?"),
        ("msteams_user", "SELECT id, customer_id, upn, first_name, last_name, note, site_id FROM teams_users WHERE number_id = ?"),
        ("zoom_peering", "SELECT id, customer_id FROM zoom_peerings WHERE number_id = ?"),
    ]

    private static func numberSnapshot(_ digits: String, instanceID: Int64, _ db: SQLConnection) throws -> AuditSnapshot? {
        try numberSnapshots([digits], instanceID: instanceID, db)[0]
    }

    /// Reads the numbers' current values in order, with nil for a number that does not exist.
    /// The statements go out together: first the numbers, then every part of every number.
    static func numberSnapshots(_ digits: [String], instanceID: Int64, _ db: SQLConnection) throws -> [AuditSnapshot?] {
        let numberSQL = """
            SELECT n.id, n.telephone_number, n.country, n.carrier_id, n.account_id, n.status, n.type, n.sub_type, n.order_type,
                n.route_label, n.activated_at, a.path AS holder_path
            FROM numbers n LEFT JOIN accounts a ON a.id = n.account_id
            WHERE n.instance_id = ? AND n.telephone_number = ?
            """
        let found = try db.queryFirstOfEach(digits.map { SQLStatement(numberSQL, [.integer(instanceID), .text($0)]) }) {
            row -> (id: Int64, json: [UInt8], ownerID: Int64?, ownerPath: String?) in
            var writer = JSONWriter()
            row.writeObject(into: &writer) { $0 != "id" && $0 != "holder_path" }
            return (row.int64(0), writer.bytes, row.optionalInt64(4), row.text(11))
        }

        let present = found.indices.filter { found[$0] != nil }
        var parts: [SQLStatement] = []
        parts.reserveCapacity(present.count * numberParts.count)
        for index in present {
            parts += numberParts.map { SQLStatement($0.sql, [.integer(found[index]!.id)]) }
        }
        var objects: [[UInt8]?] = Array(repeating: nil, count: parts.count)
        try db.runEach(parts) { index, row in
            guard objects[index] == nil else { return }
            var writer = JSONWriter()
            row.writeObject(into: &writer, include: isRecordable)
            objects[index] = writer.bytes
        }

        var snapshots: [AuditSnapshot?] = Array(repeating: nil, count: digits.count)
        for (position, index) in present.enumerated() {
            let number = found[index]!
            var json = number.json
            for (part, name) in numberParts.map(\.name).enumerated() {
                if let object = objects[position * numberParts.count + part] {
                    json = appending(name, object, to: json)
                }
            }
            snapshots[index] = AuditSnapshot(json: json, ownerID: number.ownerID, ownerPath: number.ownerPath)
        }
        return snapshots
    }

    /// Adds `"name": value` to the end of the JSON object `object`.
    private static func appending(_ name: String, _ value: [UInt8], to object: [UInt8]) -> [UInt8] {
        var result = Array(object.dropLast())
        if result.count > 1 { result.append(UInt8(ascii: ",")) }
        result += Array("\"\(name)\":".utf8)
        result += value
        result.append(UInt8(ascii: "}"))
        return result
    }
}

/// A value of an audit summary member.
enum AuditSummaryValue {
    case integer(Int64)
    case text(String)
    case texts([String])
}

private struct AuditSubjectRow: Hashable {
    var accountID: Int64?
    var telephoneNumber: String?
}

// MARK: - Reading the trail

extension SQLStore {
    public func auditRecords(_ query: AuditQuery) async throws -> [AuditRecord] {
        try await read { db in
            let range = PathRange(prefix: query.scopePath)
            var sql = """
                SELECT id, instance_id, created_at, login_id, username, account_id, request_id, method, route, path, changes, summary,
                    (SELECT a.path FROM accounts a WHERE a.id = audit_records.account_id)
                FROM audit_records
                WHERE instance_id = ? AND path >= ? AND path < ?
                """
            var values: [SQLValue] = [.integer(query.instanceID)] + range.values
            if let from = query.from {
                sql += " AND created_at >= ?"
                values.append(.integer(from))
            }
            if let to = query.to {
                sql += " AND created_at <= ?"
                values.append(.integer(to))
            }
            if let route = query.route {
                sql += " AND route = ?"
                values.append(.text(route))
            }
            if let telephoneNumber = query.telephoneNumber {
                sql += " AND id IN (SELECT audit_id FROM audit_subjects WHERE telephone_number = ?)"
                values.append(.text(telephoneNumber))
            }
            if let accountID = query.accountID {
                sql += " AND id IN (SELECT audit_id FROM audit_subjects WHERE account_id = ?)"
                values.append(.integer(accountID))
            }
            if let beforeID = query.beforeID {
                sql += " AND id < ?"
                values.append(.integer(beforeID))
            }
            sql += " ORDER BY id DESC LIMIT ?"
            values.append(.integer(Int64(query.limit)))

            return try db.query(sql, values) { row in
                var record = AuditRecord(
                    id: row.int64(0), instanceID: row.int64(1), time: row.int64(2), loginID: row.optionalInt64(3), username: row.text(4),
                    accountID: row.optionalInt64(5), requestID: row.text(6), method: row.text(7), route: row.text(8),
                    path: row.text(9) ?? "/", changes: row.text(10) ?? "[]", summary: row.text(11))
                // A reseller's or platform admin's change to a customer's objects is filed under
                // the customer, but who made it belongs to an account outside the customer's
                // subtree, so the customer gets the change without its author.
                let actorPath = row.text(12)
                if query.scopePath != "/" && !(actorPath?.hasPrefix(query.scopePath) ?? false) {
                    record.loginID = nil
                    record.username = nil
                    record.accountID = nil
                }
                return record
            }
        }
    }
}
