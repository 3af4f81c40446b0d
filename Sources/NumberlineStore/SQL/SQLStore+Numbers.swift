import NumberlineCore

// MARK: - Carriers and validation mode

extension SQLStore {
    public func createCarrier(instanceID: Int64, name: String) async throws -> Carrier {
        try await write { db in
            try requireInstance(instanceID, db)
            try reportingDuplicate(field: "name", value: name) {
                try db.run("INSERT INTO carriers (instance_id, name) VALUES (?, ?)", [.integer(instanceID), .text(name)])
            }
            let carrier = Carrier(id: try db.lastInsertRowID, instanceID: instanceID, name: name)
            var trail = AuditTrail(instanceID: instanceID)
            trail.created(.carrier(carrier.id))
            try trail.commit(db)
            return carrier
        }
    }

    public func carriers(instanceID: Int64) async throws -> [Carrier] {
        try await read { db in
            try db.query("SELECT id, instance_id, name FROM carriers WHERE instance_id = ? ORDER BY id", [.integer(instanceID)]) { row in
                Carrier(id: row.int64(0), instanceID: row.int64(1), name: row.text(2) ?? "")
            }
        }
    }

    public func carrier(id: Int64, instanceID: Int64) async throws -> Carrier? {
        try await read { db in
            try db.queryFirst(
                "SELECT id, instance_id, name FROM carriers WHERE id = ? AND instance_id = ?", [.integer(id), .integer(instanceID)]
            ) { row in
                Carrier(id: row.int64(0), instanceID: row.int64(1), name: row.text(2) ?? "")
            }
        }
    }

    public func numberValidation(instanceID: Int64) async throws -> NumberValidation {
        let text = try await read { db in
            try db.queryFirst("SELECT number_validation FROM instances WHERE id = ?", [.integer(instanceID)]) { $0.text(0) } ?? nil
        }
        return text.flatMap(NumberValidation.init(rawValue:)) ?? .possible
    }

    public func setNumberValidation(_ mode: NumberValidation, instanceID: Int64) async throws {
        try await write { db in
            let changed = try db.run(
                "UPDATE instances SET number_validation = ? WHERE id = ?", [.text(mode.rawValue), .integer(instanceID)])
            guard changed == 1 else {
                throw StoreError.notFound
            }
        }
    }
}

// MARK: - Reading numbers

extension SQLStore {
    /// Columns read by `numberRecord(from:)`, on the aliases `n` (numbers), `a` (holder) and `c` (carrier).
    static let numberColumns = """
        n.telephone_number, n.country, n.carrier_id, c.name, n.account_id, a.kind, a.path, a.reseller_id,
        n.status, n.type, n.sub_type, n.order_type, n.route_label, n.activated_at, n.instance_id
        """

    static let numberJoins = "JOIN accounts a ON a.id = n.account_id LEFT JOIN carriers c ON c.id = n.carrier_id"

    public func numbers(_ query: NumberQuery) async throws -> [NumberRecord] {
        var filters = ["n.instance_id = ?"]
        var values: [SQLValue] = [.integer(query.instanceID)]

        // Each filter on an indexed column (account, reseller, carrier) lets the planner pick that index.
        if let accountID = query.accountID {
            filters.append("n.account_id = ?")
            values.append(.integer(accountID))
        }
        if let resellerID = query.scopeResellerID {
            filters.append("n.reseller_id = ?")
            values.append(.integer(resellerID))
        }
        if query.scopePath != "/" {
            let range = PathRange(prefix: query.scopePath)
            filters.append("a.path >= ? AND a.path < ?")
            values += range.values
        }
        if let carrierID = query.carrierID {
            filters.append("n.carrier_id = ?")
            values.append(.integer(carrierID))
        }
        if let status = query.status {
            filters.append("n.status = ?")
            values.append(.text(status.rawValue))
        }
        if let prefix = query.prefix, !prefix.isEmpty {
            let range = PathRange(prefix: prefix)
            filters.append("n.telephone_number >= ? AND n.telephone_number < ?")
            values += range.values
        }
        if let after = query.after {
            filters.append("n.telephone_number > ?")
            values.append(.text(after))
        }
        values.append(.integer(Int64(query.limit)))

        let sql = """
            SELECT \(Self.numberColumns) FROM numbers n \(Self.numberJoins)
            WHERE \(filters.joined(separator: " AND "))
            ORDER BY n.telephone_number LIMIT ?
            """
        return try await read { db in
            try db.query(sql, values, row: Self.numberRecord(from:))
        }
    }

    public func number(_ telephoneNumber: String, instanceID: Int64) async throws -> NumberRecord? {
        try await readOne { db in
            try number(telephoneNumber, instanceID: instanceID, db)
        }
    }

    private func number(_ telephoneNumber: String, instanceID: Int64, _ db: SQLConnection) throws -> NumberRecord? {
        try db.queryFirst(
            "SELECT \(Self.numberColumns) FROM numbers n \(Self.numberJoins) WHERE n.instance_id = ? AND n.telephone_number = ?",
            [.integer(instanceID), .text(telephoneNumber)],
            row: Self.numberRecord(from:)
        )
    }

    static func numberRecord(from row: SQLRow) -> NumberRecord {
        var carrier: Carrier?
        if let carrierID = row.optionalInt64(2) {
            carrier = Carrier(id: carrierID, instanceID: row.int64(14), name: row.text(3) ?? "")
        }
        return NumberRecord(
            telephoneNumber: row.text(0) ?? "",
            country: row.text(1),
            carrier: carrier,
            accountID: row.int64(4),
            accountKind: AccountKind(rawValue: row.text(5) ?? "") ?? .customer,
            accountPath: row.text(6) ?? "",
            resellerID: row.int64(7),
            status: NumberStatus(rawValue: row.text(8) ?? "") ?? .available,
            attributes: NumberAttributes(type: row.text(9), subType: row.text(10), orderType: row.text(11), routeLabel: row.text(12)),
            activatedAt: row.optionalInt64(13)
        )
    }
}

// MARK: - Changing numbers

extension SQLStore {
    public func insertNumbers(_ numbers: [NewNumber], placement: NumberPlacement) async throws -> BulkOutcome {
        do {
            return try await insertNumbersOrRollBack(numbers, placement: placement)
        } catch let rollback as RollbackWith {
            return rollback.outcome
        }
    }

    private func insertNumbersOrRollBack(_ numbers: [NewNumber], placement: NumberPlacement) async throws -> BulkOutcome {
        try await write { db in
            try requireInstance(placement.instanceID, db)
            let carrierExists =
                try db.queryFirst(
                    "SELECT 1 FROM carriers WHERE id = ? AND instance_id = ?",
                    [.integer(placement.carrierID), .integer(placement.instanceID)]
                ) { _ in true } ?? false
            let resellerID = try db.queryFirst(
                "SELECT reseller_id FROM accounts WHERE id = ? AND instance_id = ? AND kind IN ('Reseller', 'Customer')",
                [.integer(placement.accountID), .integer(placement.instanceID)]
            ) { $0.int64(0) }
            guard carrierExists, let resellerID else {
                throw StoreError.notFound
            }

            // Every index on numbers ends with telephone_number after columns that are the same
            // for the whole upload, so rows in telephone_number order append to each index
            // instead of touching a random page per row.
            let order = numbers.indices.sorted {
                numbers[$0].telephoneNumber.utf8.lexicographicallyPrecedes(numbers[$1].telephoneNumber.utf8)
            }
            // Conflicting rows are skipped rather than failing the statement, so one pass finds
            // every number already present. Any conflict rolls the whole transaction back.
            let rejectedIndices: [Int]
            switch db.dialect {
            case .sqlite:
                rejectedIndices = try insertNumberRows(numbers, order: order, placement: placement, resellerID: resellerID, db)
            case .postgres:
                rejectedIndices = try insertNumberArrays(numbers, order: order, placement: placement, resellerID: resellerID, db)
            }
            guard rejectedIndices.isEmpty else {
                // The rejections are listed in input order, as the caller sent them.
                let rejections = rejectedIndices.sorted().prefix(NumberRules.maxListedRejections).map {
                    NumberRejection(telephoneNumber: numbers[$0].telephoneNumber, reason: .alreadyPresent)
                }
                throw RollbackWith(outcome: .rejected(rejections: rejections, total: rejectedIndices.count))
            }
            try auditUpload(numbers, order: order, placement: placement, db)
            return .changed(numbers.count)
        }
    }

    /// Inserts the numbers one row at a time through one statement with values bound in place,
    /// which costs SQLite no more than a batch would. Returns the indices of numbers already present.
    private func insertNumberRows(
        _ numbers: [NewNumber], order: [Int], placement: NumberPlacement, resellerID: Int64, _ db: SQLConnection
    ) throws -> [Int] {
        let insert = """
            INSERT INTO numbers (instance_id, telephone_number, country, carrier_id, account_id, reseller_id, status,
                type, sub_type, order_type, route_label, activated_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (instance_id, telephone_number) DO NOTHING
            """
        let inserter = try RowInserter(db, sql: insert)
        defer { inserter.finalize() }
        // Parameters 1, 4, 5, 6, 7, 12 and 13 are the same for every row.
        inserter.bind(1, .integer(placement.instanceID))
        inserter.bind(4, .integer(placement.carrierID))
        inserter.bind(5, .integer(placement.accountID))
        inserter.bind(6, .integer(resellerID))
        inserter.bind(7, .text(placement.status.rawValue))
        inserter.bind(12, SQLValue(placement.activatedAt))
        inserter.bind(13, .integer(placement.time))

        var rejectedIndices: [Int] = []
        for index in order {
            let number = numbers[index]
            inserter.bind(2, number.telephoneNumber)
            inserter.bind(3, number.country)
            inserter.bind(8, number.attributes.type)
            inserter.bind(9, number.attributes.subType)
            inserter.bind(10, number.attributes.orderType)
            inserter.bind(11, number.attributes.routeLabel)
            if try inserter.step() == 0 {
                rejectedIndices.append(index)
            }
        }
        return rejectedIndices
    }

    /// Uploads of at least this many numbers refresh PostgreSQL's statistics of `numbers`.
    static let analyzeAfterNumbers = 10_000

    /// Inserts the numbers in batches, each one statement over arrays of the per-number values,
    /// because a round trip per row would dominate on PostgreSQL. Returns the indices of numbers
    /// already present.
    private func insertNumberArrays(
        _ numbers: [NewNumber], order: [Int], placement: NumberPlacement, resellerID: Int64, _ db: SQLConnection
    ) throws -> [Int] {
        let insert = """
            INSERT INTO numbers (instance_id, telephone_number, country, carrier_id, account_id, reseller_id, status,
                type, sub_type, order_type, route_label, activated_at, updated_at)
            SELECT ?::bigint, v.telephone_number, v.country, ?::bigint, ?::bigint, ?::bigint, ?::text,
                v.type, v.sub_type, v.order_type, v.route_label, ?::bigint, ?::bigint
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                AS v (telephone_number, country, type, sub_type, order_type, route_label)
            ON CONFLICT (instance_id, telephone_number) DO NOTHING
            RETURNING telephone_number
            """
        var rejectedIndices: [Int] = []
        var start = 0
        while start < order.count {
            let batch = order[start..<min(order.count, start + 20_000)]
            start = batch.endIndex
            var columns = Array(repeating: PostgresArrayLiteral(), count: 6)
            for index in batch {
                let number = numbers[index]
                columns[0].append(number.telephoneNumber)
                columns[1].append(number.country)
                columns[2].append(number.attributes.type)
                columns[3].append(number.attributes.subType)
                columns[4].append(number.attributes.orderType)
                columns[5].append(number.attributes.routeLabel)
            }
            let values: [SQLValue] =
                [
                    .integer(placement.instanceID), .integer(placement.carrierID), .integer(placement.accountID), .integer(resellerID),
                    .text(placement.status.rawValue), SQLValue(placement.activatedAt), .integer(placement.time),
                ] + columns.map { .text($0.finished()) }
            let inserted = Set(try db.query(insert, values) { $0.text(0) ?? "" })
            if inserted.count < batch.count {
                rejectedIndices += batch.filter { !inserted.contains(numbers[$0].telephoneNumber) }
            }
        }
        if rejectedIndices.isEmpty && numbers.count >= Self.analyzeAfterNumbers {
            // The planner's statistics would otherwise describe the table before this upload
            // until autovacuum comes by, and plans made from them (a prepared lookup switching
            // to a generic plan, a page of the listing) can read the whole table meanwhile.
            try db.execute("ANALYZE numbers")
        }
        return rejectedIndices
    }

    public func assignNumbers(
        _ telephoneNumbers: [String], instanceID: Int64, scopePath: String, customerID: Int64, time: Int64
    ) async throws -> BulkOutcome {
        try await write { db in
            guard let customer = try account(id: customerID, instanceID: instanceID, db), customer.kind == .customer,
                customer.path.hasPrefix(scopePath)
            else {
                throw StoreError.notFound
            }
            return try changeNumbers(
                telephoneNumbers, instanceID: instanceID, scopePath: scopePath, carrierID: nil, targetID: customer.id, db
            ) { number in
                NumberRules.assignmentBlocker(number, targetPath: customer.path)
            } apply: { telephoneNumber in
                try db.run(
                    """
                    UPDATE numbers SET account_id = ?, status = ?, activated_at = ?, updated_at = ?
                    WHERE instance_id = ? AND telephone_number = ?
                    """,
                    [
                        .integer(customer.id), .text(NumberStatus.assigned.rawValue), .integer(time), .integer(time),
                        .integer(instanceID), .text(telephoneNumber),
                    ])
            }
        }
    }

    public func releaseNumbers(_ telephoneNumbers: [String], instanceID: Int64, scopePath: String, time: Int64) async throws -> BulkOutcome
    {
        try await write { db in
            try changeNumbers(telephoneNumbers, instanceID: instanceID, scopePath: scopePath, carrierID: nil, targetID: nil, db) { number in
                NumberRules.releaseBlocker(number)
            } apply: { telephoneNumber in
                // reseller_id never changes: a number stays in its reseller's branch.
                try db.run(
                    """
                    UPDATE numbers SET account_id = reseller_id, status = ?, activated_at = NULL, updated_at = ?
                    WHERE instance_id = ? AND telephone_number = ?
                    """,
                    [.text(NumberStatus.available.rawValue), .integer(time), .integer(instanceID), .text(telephoneNumber)])
            }
        }
    }

    public func deleteNumbers(_ telephoneNumbers: [String], instanceID: Int64, carrierID: Int64, scopePath: String) async throws
        -> BulkOutcome
    {
        try await write { db in
            try changeNumbers(
                telephoneNumbers, instanceID: instanceID, scopePath: scopePath, carrierID: carrierID, targetID: nil, db
            ) { number in
                NumberRules.deletionBlocker(number)
            } apply: { telephoneNumber in
                try db.run(
                    "DELETE FROM numbers WHERE instance_id = ? AND telephone_number = ?", [.integer(instanceID), .text(telephoneNumber)])
            }
        }
    }

    /// Checks every number with `blocker` and applies `apply` to each only when none is rejected.
    ///
    /// A number outside `scopePath`, or of another carrier than `carrierID`, is rejected as
    /// `.notFound`, exactly like a missing one. The audit record names `targetID`, the account
    /// the numbers move to, when the list is too long to record number by number.
    private func changeNumbers(
        _ telephoneNumbers: [String], instanceID: Int64, scopePath: String, carrierID: Int64?, targetID: Int64?,
        _ db: SQLConnection,
        blocker: (NumberRecord) -> NumberRejectionReason?, apply: (String) throws -> Void
    ) throws -> BulkOutcome {
        var rejections: [NumberRejection] = []
        var rejected = 0
        for telephoneNumber in telephoneNumbers {
            var reason: NumberRejectionReason?
            if let number = try number(telephoneNumber, instanceID: instanceID, db), number.accountPath.hasPrefix(scopePath),
                carrierID == nil || number.carrier?.id == carrierID
            {
                reason = blocker(number)
            } else {
                reason = .notFound
            }
            if let reason {
                rejected += 1
                if rejections.count < NumberRules.maxListedRejections {
                    rejections.append(NumberRejection(telephoneNumber: telephoneNumber, reason: reason))
                }
            }
        }
        guard rejected == 0 else {
            return .rejected(rejections: rejections, total: rejected)
        }
        var trail = AuditTrail(instanceID: instanceID)
        try trail.captureNumbers(telephoneNumbers, holderID: targetID, carrierID: carrierID, db)
        for telephoneNumber in telephoneNumbers {
            try apply(telephoneNumber)
        }
        try trail.commit(db)
        return .changed(telephoneNumbers.count)
    }
}

extension SQLStore {
    /// Writes the audit record of an upload: a summary with the count, carrier, holder and
    /// first and last numbers, plus each number's new values when the upload is short enough.
    private func auditUpload(_ numbers: [NewNumber], order: [Int], placement: NumberPlacement, _ db: SQLConnection) throws {
        var trail = AuditTrail(instanceID: placement.instanceID)
        trail.summarize([
            ("count", .integer(Int64(numbers.count))), ("carrierId", .integer(placement.carrierID)),
            ("accountId", .integer(placement.accountID)),
            ("firstTelephoneNumber", .text(order.first.map { numbers[$0].telephoneNumber } ?? "")),
            ("lastTelephoneNumber", .text(order.last.map { numbers[$0].telephoneNumber } ?? "")),
        ])
        trail.mention(.account(placement.accountID))
        if numbers.count <= AuditTrail.maxListedNumbers {
            for index in order {
                trail.created(.number(numbers[index].telephoneNumber))
            }
        }
        try trail.commit(db)
    }
}

/// Thrown inside a write transaction to roll it back while still returning `outcome`.
struct RollbackWith: Error {
    var outcome: BulkOutcome
}
