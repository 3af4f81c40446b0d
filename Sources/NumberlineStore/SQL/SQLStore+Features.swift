import NumberlineCore

// MARK: - Per-number features

extension SQLStore {
    /// Returns the table and value columns of each per-number feature; every table is keyed by `number_id`.
    private static func table(_ kind: NumberFeatureKind) -> (name: String, columns: [String]) {
        switch kind {
        case .callForwarding: ("call_forwardings", ["forward_to", "country_code"])
        case .callingPartyNumber: ("calling_party_numbers", ["cpn_number", "country_code"])
        case .callerName: ("caller_names", ["calling_name", "first_name", "last_name", "business_name"])
        case .internationalCalling: ("international_calling", ["criteria"])
        }
    }

    /// Returns the column values of `feature`, in the order of `table(_:)`.
    private static func values(_ feature: NumberFeature) -> [SQLValue] {
        switch feature {
        case .callForwarding(let forwarding):
            [.text(forwarding.forwardTo), SQLValue(forwarding.countryCode)]
        case .callingPartyNumber(let cpn):
            [.text(cpn.cpnNumber), SQLValue(cpn.countryCode)]
        case .callerName(let name):
            [.text(name.callingName), SQLValue(name.firstName), SQLValue(name.lastName), SQLValue(name.businessName)]
        case .internationalCalling(let criteria):
            [.text(criteria.rawValue)]
        }
    }

    /// Reads a feature from the columns of `table(kind)`, selected in order from column `first`.
    private static func feature(_ kind: NumberFeatureKind, from row: SQLRow, at first: Int32) -> NumberFeature {
        switch kind {
        case .callForwarding:
            .callForwarding(CallForwarding(forwardTo: row.text(first) ?? "", countryCode: row.text(first + 1)))
        case .callingPartyNumber:
            .callingPartyNumber(CallingPartyNumber(cpnNumber: row.text(first) ?? "", countryCode: row.text(first + 1)))
        case .callerName:
            .callerName(
                CallerName(
                    callingName: row.text(first) ?? "", firstName: row.text(first + 1), lastName: row.text(first + 2),
                    businessName: row.text(first + 3)))
        case .internationalCalling:
            // The CHECK constraint admits only the two criteria.
            .internationalCalling(InternationalCallingCriteria(rawValue: row.text(first) ?? "") ?? .blockAll)
        }
    }

    /// Selects, for one number by instance and telephone number, its holder's path and then,
    /// for each kind in `kinds`, the feature's `number_id` (NULL when unset) and its columns.
    private static func numberWithFeaturesSQL(_ kinds: [NumberFeatureKind], extraColumns: [String] = [], extraJoins: [String] = [])
        -> String
    {
        var columns = ["n.id", "a.path"]
        var joins = ["JOIN accounts a ON a.id = n.account_id"]
        for (index, kind) in kinds.enumerated() {
            let (table, names) = Self.table(kind)
            columns.append("f\(index).number_id")
            columns += names.map { "f\(index).\($0)" }
            joins.append("LEFT JOIN \(table) f\(index) ON f\(index).number_id = n.id")
        }
        return """
            SELECT \((columns + extraColumns).joined(separator: ", ")) FROM numbers n \((joins + extraJoins).joined(separator: " "))
            WHERE n.instance_id = ? AND n.telephone_number = ?
            """
    }

    /// Reads the features that `numberWithFeaturesSQL(kinds)` selected. The first follows
    /// the number's id and path. Returns the features found and the next column.
    private static func features(_ kinds: [NumberFeatureKind], from row: SQLRow) -> (features: [NumberFeature], next: Int32) {
        var column: Int32 = 2
        var features: [NumberFeature] = []
        for kind in kinds {
            if !row.isNull(column) {
                features.append(feature(kind, from: row, at: column + 1))
            }
            column += 1 + Int32(table(kind).columns.count)
        }
        return (features, column)
    }

    public func setFeature(
        _ feature: NumberFeature, on telephoneNumbers: [String], mode: FeatureWriteMode, scope: FeatureScope
    ) async throws -> FeatureOutcome {
        let kind = feature.kind
        let (table, columns) = Self.table(kind)
        return try await write { db in
            let resolved = try scopedNumberIDs(telephoneNumbers, scope: scope, db)
            guard resolved.rejections.isEmpty else {
                return .rejected(resolved.rejections)
            }

            let checks = resolved.ids.map { SQLStatement("SELECT 1 FROM \(table) WHERE number_id = ?", [.integer($0)]) }
            let existing = try db.queryFirstOfEach(checks) { _ in true }
            var rejections: [FeatureRejection] = []
            for (telephoneNumber, found) in zip(telephoneNumbers, existing) {
                let exists = found ?? false
                if mode == .add && exists {
                    rejections.append(FeatureRejection(telephoneNumber: telephoneNumber, reason: .alreadySet(kind.displayName)))
                } else if mode == .update && !exists {
                    rejections.append(FeatureRejection(telephoneNumber: telephoneNumber, reason: .notSet(kind.displayName)))
                }
            }
            guard rejections.isEmpty else {
                return .rejected(rejections)
            }

            var trail = AuditTrail(instanceID: scope.instanceID)
            try trail.captureNumbers(telephoneNumbers, holderID: nil, carrierID: nil, db)
            let values = Self.values(feature)
            let sql: String
            switch mode {
            case .add:
                let placeholders = Array(repeating: "?", count: columns.count + 2).joined(separator: ", ")
                sql = "INSERT INTO \(table) (\(columns.joined(separator: ", ")), updated_at, number_id) VALUES (\(placeholders))"
            case .update:
                let assignments = columns.map { "\($0) = ?" }.joined(separator: ", ")
                sql = "UPDATE \(table) SET \(assignments), updated_at = ? WHERE number_id = ?"
            }
            try db.runEach(resolved.ids.map { SQLStatement(sql, values + [.integer(scope.time), .integer($0)]) })
            try trail.commit(db)
            return .changed(telephoneNumbers.count)
        }
    }

    public func feature(_ kind: NumberFeatureKind, of telephoneNumber: String, scope: FeatureScope) async throws -> FeatureLookup<
        NumberFeature
    > {
        try await readOne { db in
            try lookUpFeature(kind, of: telephoneNumber, scope: scope, db)
        }
    }

    public func removeFeature(_ kind: NumberFeatureKind, from telephoneNumber: String, scope: FeatureScope) async throws -> FeatureLookup<
        NumberFeature
    > {
        try await write { db in
            let lookup = try lookUpFeature(kind, of: telephoneNumber, scope: scope, db)
            if case .found = lookup, let numberID = try scopedNumberID(telephoneNumber, scope: scope, db) {
                var trail = AuditTrail(instanceID: scope.instanceID)
                try trail.capture(.number(telephoneNumber), db)
                try db.run("DELETE FROM \(Self.table(kind).name) WHERE number_id = ?", [.integer(numberID)])
                try trail.commit(db)
            }
            return lookup
        }
    }

    private func lookUpFeature(
        _ kind: NumberFeatureKind, of telephoneNumber: String, scope: FeatureScope, _ db: SQLConnection
    ) throws -> FeatureLookup<NumberFeature> {
        let found = try db.queryFirst(
            Self.numberWithFeaturesSQL([kind]), [.integer(scope.instanceID), .text(telephoneNumber)]
        ) { row in
            (path: row.text(1) ?? "", feature: Self.features([kind], from: row).features.first)
        }
        guard let found, found.path.hasPrefix(scope.scopePath) else {
            return .numberNotFound
        }
        return found.feature.map { .found($0) } ?? .notSet
    }

    /// Selects every feature of one number, by instance and telephone number, in one
    /// statement, for `storedFeatures(from:)`.
    private static let allFeaturesSQL = numberWithFeaturesSQL(
        NumberFeatureKind.allCases, extraColumns: ["p.plan_id", "e.address_id"],
        extraJoins: [
            "LEFT JOIN disaster_plan_numbers p ON p.number_id = n.id", "LEFT JOIN emergency_address_numbers e ON e.number_id = n.id",
        ])

    /// One row of `allFeaturesSQL`: the per-number features, and the row ids of the number's
    /// disaster plan and emergency address.
    private struct StoredFeatures {
        var features: [NumberFeature]
        var planID: Int64?
        var addressID: Int64?
    }

    private static func storedFeatures(from row: SQLRow) -> StoredFeatures {
        let (features, next) = features(NumberFeatureKind.allCases, from: row)
        return StoredFeatures(features: features, planID: row.optionalInt64(next), addressID: row.optionalInt64(next + 1))
    }

    /// Builds the number's features from its row, reading its disaster plan, if any, in `db`.
    private func numberFeatures(_ stored: StoredFeatures?, _ db: SQLConnection) throws -> NumberFeatures {
        var features = NumberFeatures()
        guard let stored else {
            return features
        }
        for feature in stored.features {
            switch feature {
            case .callForwarding(let value): features.callForwarding = value
            case .callingPartyNumber(let value): features.callingPartyNumber = value
            case .callerName(let value): features.callerName = value
            case .internationalCalling(let value): features.internationalCalling = value
            }
        }
        if let planID = stored.planID {
            features.disasterPlan = try disasterPlan(rowID: planID, scopePath: "/", db)
        }
        features.emergencyAddressID = stored.addressID
        return features
    }

    public func numberWithFeatures(_ telephoneNumber: String, instanceID: Int64) async throws -> (
        number: NumberRecord, features: NumberFeatures
    )? {
        let values: [SQLValue] = [.integer(instanceID), .text(telephoneNumber)]
        let statements = [
            SQLStatement(
                "SELECT \(Self.numberColumns) FROM numbers n \(Self.numberJoins) WHERE n.instance_id = ? AND n.telephone_number = ?",
                values),
            SQLStatement(Self.allFeaturesSQL, values),
        ]
        return try await read { db in
            // Both statements go out together: one round trip on PostgreSQL.
            var number: NumberRecord?
            var stored: StoredFeatures?
            try db.runEach(statements) { index, row in
                if index == 0 {
                    number = number ?? Self.numberRecord(from: row)
                } else {
                    stored = stored ?? Self.storedFeatures(from: row)
                }
            }
            guard let number else {
                return nil
            }
            return (number, try numberFeatures(stored, db))
        }
    }
}

// MARK: - Resolving numbers

extension SQLStore {
    /// Selects a number's row id and its holder's path, by instance and telephone number.
    private static let resolveSQL = """
        SELECT n.id, a.path FROM numbers n JOIN accounts a ON a.id = n.account_id
        WHERE n.instance_id = ? AND n.telephone_number = ?
        """

    /// Returns the row id of a number held inside `scope`, or `nil` when it is missing or outside.
    func scopedNumberID(_ telephoneNumber: String, scope: FeatureScope, _ db: SQLConnection) throws -> Int64? {
        try scopedNumberIDs([telephoneNumber], scope: scope, db).ids.first
    }

    /// Resolves every number to its row id, in input order; `rejections` lists each number
    /// that is missing or outside `scope`, and then `ids` is incomplete.
    func scopedNumberIDs(_ telephoneNumbers: [String], scope: FeatureScope, _ db: SQLConnection) throws -> (
        ids: [Int64], rejections: [FeatureRejection]
    ) {
        let statements = telephoneNumbers.map { SQLStatement(Self.resolveSQL, [.integer(scope.instanceID), .text($0)]) }
        let rows = try db.queryFirstOfEach(statements) { row in
            (id: row.int64(0), path: row.text(1) ?? "")
        }
        var ids: [Int64] = []
        ids.reserveCapacity(telephoneNumbers.count)
        var rejections: [FeatureRejection] = []
        for (telephoneNumber, row) in zip(telephoneNumbers, rows) {
            if let row, row.path.hasPrefix(scope.scopePath) {
                ids.append(row.id)
            } else {
                rejections.append(FeatureRejection(telephoneNumber: telephoneNumber, reason: .notFound))
            }
        }
        return (ids, rejections)
    }
}
