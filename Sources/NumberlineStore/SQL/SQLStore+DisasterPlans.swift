import NumberlineCore

extension SQLStore {
    public func createDisasterPlan(
        telephoneNumbers: [String], forwardTo: String, countryCode: String?, scope: FeatureScope
    ) async throws -> Result<DisasterPlan, FeatureRejections> {
        try await write { db in
            let resolved = try scopedNumberIDs(telephoneNumbers, scope: scope, db)
            guard resolved.rejections.isEmpty else {
                return .failure(FeatureRejections(resolved.rejections))
            }
            let planNumbers = try db.queryFirstOfEach(resolved.ids.map { SQLStatement(Self.planOfNumberSQL, [.integer($0)]) }) {
                $0.int64(1)
            }
            var rejections: [FeatureRejection] = []
            for (telephoneNumber, planNumber) in zip(telephoneNumbers, planNumbers) {
                if let planNumber {
                    let planID = DisasterPlanID(number: Int(planNumber)).map(String.init(describing:)) ?? "?"
                    rejections.append(
                        FeatureRejection(telephoneNumber: telephoneNumber, reason: .alreadySet("the disaster plan \(planID)")))
                }
            }
            guard rejections.isEmpty else {
                return .failure(FeatureRejections(rejections))
            }

            var trail = AuditTrail(instanceID: scope.instanceID)
            try trail.captureNumbers(telephoneNumbers, holderID: nil, carrierID: nil, db)
            let planNumber = try unusedPlanNumber(instanceID: scope.instanceID, db)
            try db.run(
                "INSERT INTO disaster_plans (instance_id, plan_number, forward_to, country_code, active, updated_at) VALUES (?, ?, ?, ?, 0, ?)",
                [.integer(scope.instanceID), .integer(Int64(planNumber)), .text(forwardTo), SQLValue(countryCode), .integer(scope.time)])
            let rowID = try db.lastInsertRowID
            try db.runEach(
                resolved.ids.map {
                    SQLStatement("INSERT INTO disaster_plan_numbers (number_id, plan_id) VALUES (?, ?)", [.integer($0), .integer(rowID)])
                })
            guard let plan = try disasterPlan(rowID: rowID, scopePath: scope.scopePath, db) else {
                throw StoreError.unavailable(reason: "the new disaster plan \(rowID) cannot be read back")
            }
            try trail.commit(db)
            return .success(plan)
        }
    }

    /// Picks a random plan number that the instance does not use yet.
    ///
    /// Random rather than sequential, so that an id does not reveal how many plans other
    /// tenants of the instance have made.
    private func unusedPlanNumber(instanceID: Int64, _ db: SQLConnection) throws -> Int {
        for _ in 0..<64 {
            let candidate = Int.random(in: 1...DisasterPlanID.maxNumber)
            let taken =
                try db.queryFirst(
                    "SELECT 1 FROM disaster_plans WHERE instance_id = ? AND plan_number = ?",
                    [.integer(instanceID), .integer(Int64(candidate))]
                ) { _ in true } ?? false
            if !taken {
                return candidate
            }
        }
        // 64 misses in a row happen only when nearly every number is taken, so search in order.
        let free = try db.queryFirst(
            """
            SELECT p.plan_number + 1 FROM disaster_plans p
            WHERE p.instance_id = ? AND p.plan_number < ? AND NOT EXISTS (
                SELECT 1 FROM disaster_plans q WHERE q.instance_id = p.instance_id AND q.plan_number = p.plan_number + 1)
            ORDER BY p.plan_number LIMIT 1
            """,
            [.integer(instanceID), .integer(Int64(DisasterPlanID.maxNumber))]
        ) { Int($0.int64(0)) }
        guard let free else {
            throw StoreError.conflict(reason: "every disaster plan id of this instance is in use; delete unused plans")
        }
        return free
    }

    public func updateDisasterPlans(
        telephoneNumbers: [String], planID: DisasterPlanID?, forwardTo: String, countryCode: String?, scope: FeatureScope
    ) async throws -> FeatureOutcome {
        try await write { db in
            let resolved = try scopedNumberIDs(telephoneNumbers, scope: scope, db)
            guard resolved.rejections.isEmpty else {
                return .rejected(resolved.rejections)
            }

            var rejections: [FeatureRejection] = []
            var planRowIDs = Set<Int64>()
            var planOfNumber: [String: Int64] = [:]
            let plans = try db.queryFirstOfEach(resolved.ids.map { SQLStatement(Self.planOfNumberSQL, [.integer($0)]) }) {
                (rowID: $0.int64(0), number: Int($0.int64(1)))
            }
            for (telephoneNumber, plan) in zip(telephoneNumbers, plans) {
                guard let plan, planID == nil || planID?.number == plan.number else {
                    let feature = planID.map { "membership in the disaster plan \($0)" } ?? "disaster plan"
                    rejections.append(FeatureRejection(telephoneNumber: telephoneNumber, reason: .notSet(feature)))
                    continue
                }
                planRowIDs.insert(plan.rowID)
                planOfNumber[telephoneNumber] = plan.rowID
            }
            guard rejections.isEmpty else {
                return .rejected(rejections)
            }

            // A plan is one target for all its numbers, so the caller must see every one of them.
            for rowID in planRowIDs {
                let members = try planMembers(rowID: rowID, db)
                let spansOtherAccounts = members.contains { !$0.path.hasPrefix(scope.scopePath) }
                for telephoneNumber in telephoneNumbers where spansOtherAccounts && planOfNumber[telephoneNumber] == rowID {
                    rejections.append(
                        FeatureRejection(
                            telephoneNumber: telephoneNumber,
                            reason: .attachedElsewhere(
                                "The number's disaster plan also holds numbers outside your account; ask the account that made the plan to change it."
                            )))
                }
                if members.contains(where: { $0.telephoneNumber == forwardTo }) {
                    rejections.append(FeatureRejection(telephoneNumber: forwardTo, reason: .forwardsToItself))
                }
            }
            guard rejections.isEmpty else {
                return .rejected(rejections)
            }

            // Changing a plan changes every member number, so each member is recorded.
            var members: [String] = []
            for rowID in planRowIDs.sorted() {
                members += try planMembers(rowID: rowID, db).map(\.telephoneNumber)
            }
            var trail = AuditTrail(instanceID: scope.instanceID)
            try trail.captureNumbers(members, holderID: nil, carrierID: nil, db)
            for rowID in planRowIDs {
                try db.run(
                    "UPDATE disaster_plans SET forward_to = ?, country_code = ?, updated_at = ? WHERE id = ?",
                    [.text(forwardTo), SQLValue(countryCode), .integer(scope.time), .integer(rowID)])
            }
            try trail.commit(db)
            return .changed(telephoneNumbers.count)
        }
    }

    public func disasterPlan(of telephoneNumber: String, scope: FeatureScope) async throws -> FeatureLookup<DisasterPlan> {
        try await read { db in
            try lookUpPlan(of: telephoneNumber, scope: scope, db).lookup
        }
    }

    public func removeDisasterPlan(from telephoneNumber: String, scope: FeatureScope) async throws -> FeatureLookup<DisasterPlan> {
        try await write { db in
            let (lookup, numberID, rowID) = try lookUpPlan(of: telephoneNumber, scope: scope, db)
            guard case .found = lookup, let numberID, let rowID else {
                return lookup
            }
            var trail = AuditTrail(instanceID: scope.instanceID)
            try trail.capture(.number(telephoneNumber), db)
            try db.run("DELETE FROM disaster_plan_numbers WHERE number_id = ?", [.integer(numberID)])
            try db.run(
                "DELETE FROM disaster_plans WHERE id = ? AND NOT EXISTS (SELECT 1 FROM disaster_plan_numbers WHERE plan_id = ?)",
                [.integer(rowID), .integer(rowID)])
            try trail.commit(db)
            return lookup
        }
    }

    public func setDisasterPlanActive(_ planID: DisasterPlanID, isActive: Bool, scope: FeatureScope) async throws -> DisasterPlan? {
        try await write { db in
            guard
                let rowID = try db.queryFirst(
                    "SELECT id FROM disaster_plans WHERE instance_id = ? AND plan_number = ?",
                    [.integer(scope.instanceID), .integer(Int64(planID.number))], row: { $0.int64(0) })
            else {
                return nil
            }
            let members = try planMembers(rowID: rowID, db)
            // A plan with any number outside the scope is reported like a missing one.
            guard !members.isEmpty, members.allSatisfy({ $0.path.hasPrefix(scope.scopePath) }) else {
                return nil
            }
            var trail = AuditTrail(instanceID: scope.instanceID)
            try trail.captureNumbers(members.map(\.telephoneNumber), holderID: nil, carrierID: nil, db)
            try db.run(
                "UPDATE disaster_plans SET active = ?, updated_at = ? WHERE id = ?",
                [SQLValue(isActive), .integer(scope.time), .integer(rowID)])
            try trail.commit(db)
            return try disasterPlan(rowID: rowID, scopePath: scope.scopePath, db)
        }
    }

    // MARK: - Reading plans

    /// Selects the row id and plan number of the plan holding a number, by the number's row id.
    private static let planOfNumberSQL =
        "SELECT p.id, p.plan_number FROM disaster_plan_numbers m JOIN disaster_plans p ON p.id = m.plan_id WHERE m.number_id = ?"

    private func lookUpPlan(
        of telephoneNumber: String, scope: FeatureScope, _ db: SQLConnection
    ) throws -> (lookup: FeatureLookup<DisasterPlan>, numberID: Int64?, rowID: Int64?) {
        guard let numberID = try scopedNumberID(telephoneNumber, scope: scope, db) else {
            return (.numberNotFound, nil, nil)
        }
        guard
            let rowID = try db.queryFirst(
                "SELECT plan_id FROM disaster_plan_numbers WHERE number_id = ?", [.integer(numberID)], row: { $0.int64(0) }),
            let plan = try disasterPlan(rowID: rowID, scopePath: scope.scopePath, db)
        else {
            return (.notSet, numberID, nil)
        }
        return (.found(plan), numberID, rowID)
    }

    /// Returns the numbers of a plan with their holders' paths, ordered by number.
    private func planMembers(rowID: Int64, _ db: SQLConnection) throws -> [(telephoneNumber: String, path: String)] {
        try db.query(
            """
            SELECT n.telephone_number, a.path FROM disaster_plan_numbers m
            JOIN numbers n ON n.id = m.number_id JOIN accounts a ON a.id = n.account_id
            WHERE m.plan_id = ? ORDER BY n.telephone_number
            """,
            [.integer(rowID)]
        ) { (telephoneNumber: $0.text(0) ?? "", path: $0.text(1) ?? "") }
    }

    /// Reads a plan; its number list shows only numbers held inside `scopePath`, so a plan
    /// that spans several customers does not reveal the others' numbers.
    func disasterPlan(rowID: Int64, scopePath: String, _ db: SQLConnection) throws -> DisasterPlan? {
        let row = try db.queryFirst(
            "SELECT plan_number, forward_to, country_code, active FROM disaster_plans WHERE id = ?", [.integer(rowID)]
        ) { row in
            (number: Int(row.int64(0)), forwardTo: row.text(1) ?? "", countryCode: row.text(2), isActive: row.bool(3))
        }
        guard let row, let id = DisasterPlanID(number: row.number) else {
            return nil
        }
        let numbers = try planMembers(rowID: rowID, db).filter { $0.path.hasPrefix(scopePath) }.map(\.telephoneNumber)
        return DisasterPlan(
            id: id, telephoneNumbers: numbers, forwardTo: row.forwardTo, countryCode: row.countryCode, isActive: row.isActive)
    }
}
