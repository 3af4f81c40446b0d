import NumberlineCore

// MARK: - Reading accounts

extension SQLStore {
    public func account(id: Int64, instanceID: Int64) async throws -> Account? {
        try await read { db in
            try account(id: id, instanceID: instanceID, db)
        }
    }

    public func accounts(instanceID: Int64, pathPrefix: String, kind: AccountKind?) async throws -> [Account] {
        let range = PathRange(prefix: pathPrefix)
        var filter = "a.instance_id = ? AND a.path >= ? AND a.path < ?"
        var values: [SQLValue] = [.integer(instanceID)] + range.values
        if let kind {
            filter += " AND a.kind = ?"
            values.append(.text(kind.rawValue))
        }
        return try await read { db in
            try loadAccounts(where: filter, values, db)
        }
    }

    public func numbersHeld(instanceID: Int64, pathPrefix: String) async throws -> Int {
        try await read { db in
            try numbersHeld(instanceID: instanceID, range: PathRange(prefix: pathPrefix), db)
        }
    }

    func account(id: Int64, instanceID: Int64, _ db: SQLConnection) throws -> Account? {
        try loadAccounts(where: "a.id = ? AND a.instance_id = ?", [.integer(id), .integer(instanceID)], db).first
    }

    /// Loads the accounts that match `filter` (SQL on the alias `a`), by id, with their DID providers.
    private func loadAccounts(where filter: String, _ values: [SQLValue], _ db: SQLConnection) throws -> [Account] {
        // Both statements go out together: one round trip on PostgreSQL.
        let statements = [
            SQLStatement("SELECT \(AccountRow.selectColumns) FROM accounts a WHERE \(filter) ORDER BY a.id", values),
            SQLStatement(
                """
                SELECT p.account_id, p.scope, p.provider_name, p.did_carrier, p.e911_provider, p.country
                FROM account_did_providers p JOIN accounts a ON a.id = p.account_id
                WHERE \(filter)
                ORDER BY p.account_id, p.scope, p.position
                """, values),
        ]
        var accounts: [Account] = []
        var providerRows: [(accountID: Int64, isDomestic: Bool, provider: DIDProvider)] = []
        try db.runEach(statements) { index, row in
            if index == 0 {
                accounts.append(try AccountRow.account(from: row))
            } else {
                let provider = DIDProvider(
                    providerName: row.text(2), didCarrier: row.text(3), e911Provider: row.text(4), country: row.text(5))
                providerRows.append((accountID: row.int64(0), isDomestic: row.text(1) == DIDScope.domestic.rawValue, provider: provider))
            }
        }
        guard !accounts.isEmpty else {
            return []
        }

        let indexByID = Dictionary(uniqueKeysWithValues: accounts.indices.map { (accounts[$0].id, $0) })
        for entry in providerRows {
            guard let index = indexByID[entry.accountID] else {
                continue
            }
            if entry.isDomestic {
                accounts[index].profile.domesticDIDProviders.append(entry.provider)
            } else {
                accounts[index].profile.internationalDIDProviders.append(entry.provider)
            }
        }
        return accounts
    }

    private func numbersHeld(instanceID: Int64, range: PathRange, _ db: SQLConnection) throws -> Int {
        let count = try db.queryFirst(
            """
            SELECT count(*) FROM numbers n JOIN accounts a ON a.id = n.account_id
            WHERE a.instance_id = ? AND a.path >= ? AND a.path < ?
            """,
            [.integer(instanceID)] + range.values
        ) { $0.int64(0) }
        return Int(count ?? 0)
    }
}

// MARK: - Changing accounts

extension SQLStore {
    private static let insertAccountSQL: String = {
        let columns =
            ["instance_id", "kind", "parent_id", "path"] + AccountRow.moduleColumns
            + AccountRow.profileColumns + ["created_at", "updated_at"]
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        return "INSERT INTO accounts (\(columns.joined(separator: ", "))) VALUES (\(placeholders))"
    }()

    private static let updateAccountSQL: String = {
        let assignments = (AccountRow.moduleColumns + AccountRow.profileColumns + ["updated_at"])
            .map { "\($0) = ?" }
            .joined(separator: ", ")
        return "UPDATE accounts SET \(assignments) WHERE id = ?"
    }()

    /// Creates the account and its logins, and assigns `path` and `resellerID` from the parent.
    ///
    /// Throws `.notFound` when the instance or the parent (in that instance) does not exist.
    /// Throws `.conflict` when the kind does not fit the parent or when `modules` grants a
    /// module the parent lacks. A reseller has no parent, and a customer or user needs a
    /// reseller or customer parent.
    public func createAccount(_ account: NewAccount, logins: [NewLogin]) async throws -> Account {
        try await write { db in
            try requireInstance(account.instanceID, db)
            let parent = try parentForNewAccount(account, db)
            if let parent {
                try requireModules(account.modules, within: parent)
            }

            let now = Self.now()
            var values: [SQLValue] = [
                .integer(account.instanceID), .text(account.kind.rawValue), SQLValue(account.parentID),
                // Replaced below, once the id is known.
                .text(""),
            ]
            values += AccountRow.moduleValues(account.modules)
            values += AccountRow.profileValues(account.profile)
            values += [.integer(now), .integer(now)]
            try db.run(Self.insertAccountSQL, values)

            let id = try db.lastInsertRowID
            let path = (parent?.path ?? "/") + "\(id)/"
            let resellerID = parent?.resellerID ?? id
            try db.run("UPDATE accounts SET path = ?, reseller_id = ? WHERE id = ?", [.text(path), .integer(resellerID), .integer(id)])

            try insertDIDProviders(of: account.profile, accountID: id, db)
            for login in logins {
                _ = try insertLogin(login, instanceID: account.instanceID, accountID: id, db)
            }

            guard let created = try self.account(id: id, instanceID: account.instanceID, db) else {
                throw StoreError.unavailable(reason: "account \(id) vanished inside its own transaction")
            }
            var trail = AuditTrail(instanceID: account.instanceID)
            trail.created(.account(id))
            try trail.commit(db)
            return created
        }
    }

    /// Writes `modules` and `profile` of `account` and applies `logins`. The tree fields
    /// (`kind`, `parentID`, `resellerID`, `path`) are fixed at creation and ignored here.
    ///
    /// Removing a module from an account also removes it from every account in its subtree,
    /// because a child never has a module its parent lacks. Granting a module the parent
    /// lacks throws `.conflict`, and so does removing or changing `msTeamsTenantId` while the
    /// account has Teams users, or `zoomAccountId` while it has peered numbers. Throws
    /// `.notFound` when the account is not in its instance, and `.duplicate(field: "username", …)`
    /// when a new login's username is taken.
    public func updateAccount(_ account: Account, logins: LoginUpdate) async throws {
        try await write { db in
            guard let current = try self.account(id: account.id, instanceID: account.instanceID, db) else {
                throw StoreError.notFound
            }
            if let parentID = current.parentID, let parent = try self.account(id: parentID, instanceID: current.instanceID, db) {
                try requireModules(account.modules, within: parent)
            }
            try requireProvisioningKept(from: current.profile, to: account.profile, accountID: current.id, db)
            let trail = try auditTrailForUpdate(of: current, modules: account.modules, logins: logins, db)

            var values = AccountRow.moduleValues(account.modules)
            values += AccountRow.profileValues(account.profile)
            values += [.integer(Self.now()), .integer(current.id)]
            try db.run(Self.updateAccountSQL, values)

            // Multiplying by 0 clears a module in the subtree, and multiplying by 1 keeps what each account has.
            let range = PathRange(prefix: current.path)
            try db.run(
                """
                UPDATE accounts SET module_did = module_did * ?, module_msteam = module_msteam * ?,
                    module_ucaas = module_ucaas * ?, module_enhanced_services = module_enhanced_services * ?,
                    module_stats = module_stats * ?
                WHERE instance_id = ? AND path >= ? AND path < ?
                """,
                AccountRow.moduleValues(account.modules) + [.integer(current.instanceID)] + range.values
            )

            try db.run("DELETE FROM account_did_providers WHERE account_id = ?", [.integer(current.id)])
            try insertDIDProviders(of: account.profile, accountID: current.id, db)

            if case .replace(let changes) = logins {
                try replaceLogins(changes, account: current, db)
            }
            try trail.commit(db)
        }
    }

    /// Deletes the account and its subtree with their logins, access tokens and DID providers.
    public func deleteAccount(id: Int64, instanceID: Int64) async throws {
        try await write { db in
            let path =
                try db.queryFirst(
                    "SELECT path FROM accounts WHERE id = ? AND instance_id = ?", [.integer(id), .integer(instanceID)]
                ) { $0.text(0) } ?? nil
            guard let path else {
                throw StoreError.notFound
            }

            let range = PathRange(prefix: path)
            let held = try numbersHeld(instanceID: instanceID, range: range, db)
            guard held == 0 else {
                throw StoreError.conflict(
                    reason: "account \(id) and its subtree hold \(held) telephone number(s); release or move them first"
                )
            }

            let subtree = "SELECT id FROM accounts WHERE instance_id = ? AND path >= ? AND path < ?"
            let subtreeValues = [SQLValue.integer(instanceID)] + range.values
            var trail = AuditTrail(instanceID: instanceID)
            for accountID in try db.query(subtree + " ORDER BY path", subtreeValues, row: { $0.int64(0) }) {
                try trail.capture(.account(accountID), db)
            }
            try db.run(
                "DELETE FROM access_tokens WHERE login_id IN (SELECT id FROM logins WHERE account_id IN (\(subtree)))",
                subtreeValues
            )
            try db.run("DELETE FROM logins WHERE account_id IN (\(subtree))", subtreeValues)
            // DID providers go with their accounts through ON DELETE CASCADE.
            try db.run("DELETE FROM accounts WHERE instance_id = ? AND path >= ? AND path < ?", subtreeValues)
            try trail.commit(db)
        }
    }

    // MARK: - Helpers

    /// Captures the account, the accounts below it that lose a module with this update, and
    /// the usernames whose password the update sets (hashes are never recorded).
    private func auditTrailForUpdate(of current: Account, modules: Modules, logins: LoginUpdate, _ db: SQLConnection) throws
        -> AuditTrail
    {
        var trail = AuditTrail(instanceID: current.instanceID)
        try trail.capture(.account(current.id), db)

        let removed = [
            ("module_did", current.modules.did && !modules.did), ("module_msteam", current.modules.msteam && !modules.msteam),
            ("module_ucaas", current.modules.ucaas && !modules.ucaas),
            ("module_enhanced_services", current.modules.enhancedServices && !modules.enhancedServices),
            ("module_stats", current.modules.stats && !modules.stats),
        ].filter(\.1).map { "\($0.0) = 1" }
        if !removed.isEmpty {
            let range = PathRange(prefix: current.path)
            let below = try db.query(
                "SELECT id FROM accounts WHERE instance_id = ? AND path > ? AND path < ? AND (\(removed.joined(separator: " OR "))) ORDER BY path",
                [.integer(current.instanceID)] + range.values, row: { $0.int64(0) })
            for id in below {
                try trail.capture(.account(id), db)
            }
        }

        if case .replace(let changes) = logins {
            let changed = changes.filter { $0.passwordHash != nil }.map(\.username)
            if !changed.isEmpty {
                trail.summarize([("passwordSetFor", .texts(changed))])
            }
        }
        return trail
    }

    /// Returns the parent a new account hangs from (`nil` for a reseller), checking the tree rules.
    private func parentForNewAccount(_ account: NewAccount, _ db: SQLConnection) throws -> Account? {
        if account.kind == .reseller {
            guard account.parentID == nil else {
                throw StoreError.conflict(reason: "a reseller has no parent account, got parent \(account.parentID ?? 0)")
            }
            return nil
        }

        guard let parentID = account.parentID else {
            throw StoreError.conflict(reason: "a \(account.kind.rawValue) account needs a parent account")
        }
        guard let parent = try self.account(id: parentID, instanceID: account.instanceID, db) else {
            throw StoreError.notFound
        }
        guard parent.kind != .user else {
            throw StoreError.conflict(reason: "account \(parentID) is a User account and cannot have child accounts")
        }
        return parent
    }

    /// Throws `.conflict` when `modules` grants a module that `parent` lacks.
    /// Throws `.conflict` when `updated` removes or changes the Microsoft 365 tenant id while
    /// the account has Teams users, or the Zoom account id while it has peered numbers. Those
    /// users and peerings were made in the tenant or account that would be replaced.
    private func requireProvisioningKept(
        from current: AccountProfile, to updated: AccountProfile, accountID: Int64, _ db: SQLConnection
    ) throws {
        if updated.msTeamsTenantId != current.msTeamsTenantId {
            let users =
                try db.queryFirst("SELECT COUNT(*) FROM teams_users WHERE customer_id = ?", [.integer(accountID)]) { $0.int64(0) } ?? 0
            guard users == 0 else {
                throw StoreError.conflict(
                    reason:
                        "it has \(users) Microsoft Teams user(s) provisioned in tenant \(current.msTeamsTenantId ?? "(none)"), "
                        + "so msTeamsTenantId cannot be removed or changed; unprovision the users with "
                        + "DELETE /v1/msteams/\(accountID)/users/{userId} first")
            }
        }
        if updated.zoomAccountId != current.zoomAccountId {
            let peerings =
                try db.queryFirst("SELECT COUNT(*) FROM zoom_peerings WHERE customer_id = ?", [.integer(accountID)]) { $0.int64(0) } ?? 0
            guard peerings == 0 else {
                throw StoreError.conflict(
                    reason:
                        "it has \(peerings) number(s) peered to Zoom account \(current.zoomAccountId ?? "(none)"), "
                        + "so zoomAccountId cannot be removed or changed; un-peer the numbers with "
                        + "DELETE /v1/zoom/\(accountID)/numbers first")
            }
        }
    }

    private func requireModules(_ modules: Modules, within parent: Account) throws {
        let granted = [
            ("did", modules.did, parent.modules.did),
            ("msteam", modules.msteam, parent.modules.msteam),
            ("ucaas", modules.ucaas, parent.modules.ucaas),
            ("enhancedServices", modules.enhancedServices, parent.modules.enhancedServices),
            ("stats", modules.stats, parent.modules.stats),
        ]
        let missing = granted.filter { $0.1 && !$0.2 }.map(\.0)
        guard missing.isEmpty else {
            throw StoreError.conflict(
                reason: "parent account \(parent.id) lacks module(s) \(missing.joined(separator: ", ")), so its child cannot have them"
            )
        }
    }

    private func insertDIDProviders(of profile: AccountProfile, accountID: Int64, _ db: SQLConnection) throws {
        let scoped = [(DIDScope.domestic, profile.domesticDIDProviders), (DIDScope.international, profile.internationalDIDProviders)]
        for (scope, providers) in scoped {
            for (position, provider) in providers.enumerated() {
                try db.run(
                    """
                    INSERT INTO account_did_providers
                        (account_id, scope, position, provider_name, did_carrier, e911_provider, country)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .integer(accountID), .text(scope.rawValue), .integer(Int64(position)),
                        SQLValue(provider.providerName), SQLValue(provider.didCarrier),
                        SQLValue(provider.e911Provider), SQLValue(provider.country),
                    ]
                )
            }
        }
    }
}

/// Values of `account_did_providers.scope`.
enum DIDScope: String {
    case domestic
    case international
}
