import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore

// The Accounts section: the account tree of an instance.
extension Application {
    /// Logins one account may carry; each costs an Argon2id hash when set.
    static let maxLoginsPerAccount = 20

    func registerAccounts(_ router: inout Router) {
        router.add(.get, "/v1/accounts", authenticated(currentAccount))
        router.add(.post, "/v1/accounts", maxBodyBytes: 64 << 10, authenticated(createAccount))
        router.add(.get, "/v1/accounts/customers", authenticated(listCustomers))
        router.add(.get, "/v1/accounts/resellers", authenticated(listResellers))
        router.add(.get, "/v1/accounts/{accountId}", authenticated(getAccount))
        router.add(.put, "/v1/accounts/{accountId}", maxBodyBytes: 64 << 10, authenticated(updateAccount))
        router.add(.delete, "/v1/accounts/{accountId}", authenticated(deleteAccount))
    }

    // MARK: - Reads

    private func currentAccount(_ context: RequestContext) async throws -> HTTPResponse {
        var writer = JSONWriter(capacity: 2048)
        guard let account = context.account else {
            // A platform admin has no account; this shape is an addition to the reference's three.
            writer.beginObject()
            writer.key("accountType")
            writer.string("Admin")
            writer.key("adminAccount")
            writer.beginObject()
            writer.key("instance")
            writer.string(context.instance.name)
            AccountWire.writeLogins([context.login], into: &writer)
            writer.endObject()
            writer.endObject()
            return .json(200, writer.bytes)
        }
        AccountWire.write(account, logins: context.accountLogins, into: &writer)
        return .json(200, writer.bytes)
    }

    private func getAccount(_ context: RequestContext) async throws -> HTTPResponse {
        let id = try context.request.idParameter("accountId")
        let account = try await visibleAccount(id, context)
        let logins = try await store.logins(accountID: account.id)
        var writer = JSONWriter(capacity: 2048)
        AccountWire.write(account, logins: logins, into: &writer)
        return .json(200, writer.bytes)
    }

    private func listCustomers(_ context: RequestContext) async throws -> HTTPResponse {
        let caller = context.caller
        let customers = try await store.accounts(instanceID: caller.instanceID, pathPrefix: caller.scopePath, kind: .customer)
            .filter { $0.id != caller.scopeAccountID }
        return try await accountList(customers, context)
    }

    private func listResellers(_ context: RequestContext) async throws -> HTTPResponse {
        let caller = context.caller
        var resellers: [Account] = []
        if caller.isPlatformAdmin || caller.scopeKind == .reseller {
            resellers = try await store.accounts(instanceID: caller.instanceID, pathPrefix: caller.scopePath, kind: .reseller)
        }
        return try await accountList(resellers, context)
    }

    /// Writes accounts as a JSON array with their logins, loaded in one query.
    private func accountList(_ accounts: [Account], _ context: RequestContext) async throws -> HTTPResponse {
        var loginsByAccount: [Int64: [Login]] = [:]
        if !accounts.isEmpty {
            for login in try await store.logins(instanceID: context.caller.instanceID, pathPrefix: context.caller.scopePath) {
                if let accountID = login.accountID {
                    loginsByAccount[accountID, default: []].append(login)
                }
            }
        }
        var writer = JSONWriter(capacity: 1024 + accounts.count * 1536)
        writer.beginArray()
        for account in accounts {
            AccountWire.write(account, logins: loginsByAccount[account.id] ?? [], into: &writer)
        }
        writer.endArray()
        return .json(200, writer.bytes)
    }

    /// Loads an account the caller may see; a foreign one gets exactly the response of a missing one.
    func visibleAccount(_ id: Int64, _ context: RequestContext) async throws -> Account {
        guard let account = try await store.account(id: id, instanceID: context.instance.id), context.caller.canSee(account) else {
            throw APIError.notFound("Account \(id) does not exist or is not visible to you.")
        }
        return account
    }

    // MARK: - Create

    private func createAccount(_ context: RequestContext) async throws -> HTTPResponse {
        let caller = context.caller
        guard caller.canManageAccounts else {
            throw APIError.forbidden(
                action: "create account", detail: "A User login cannot create accounts; sign in with the parent account's login.")
        }

        // Decode.
        let json = try context.request.jsonBody()
        var reader = WireReader()
        guard let body = AccountWire.decodeBody(json, reader: &reader) else {
            throw APIError.badRequest("The account body is incomplete.", fields: reader.errors)
        }
        var profile = AccountProfile()
        if body.kind != .user {
            AccountWire.applyProfile(body.fields, prefix: body.prefix, to: &profile, reader: &reader)
        }
        let drafts = AccountWire.decodeLogins(body.fields, prefix: body.prefix, reader: &reader) ?? []
        let modulesPatch =
            body.kind == .user ? AccountWire.ModulesPatch() : AccountWire.decodeModules(body.fields, prefix: body.prefix, reader: &reader)
        let parentReference = placement(body, reader: &reader)
        guard reader.errors.isEmpty else {
            throw APIError.badRequest("The account body has invalid fields; see errors.", fields: reader.errors)
        }

        // Authorize the placement.
        var parent: Account?
        if let (field, id) = parentReference {
            guard let found = try await store.account(id: id, instanceID: caller.instanceID), caller.canSee(found) else {
                throw APIError.notFound("The \(field) \(id) does not exist or is not visible to you.")
            }
            // A reference to an account of the wrong kind names no possible parent, so it gets the same
            // status as a missing one; the detail says which field to use instead.
            try checkParentKind(found, field: field, kind: body.kind, prefix: body.prefix)
            parent = found
        } else if body.kind != .reseller, let scopeID = caller.scopeAccountID {
            parent = try await store.account(id: scopeID, instanceID: caller.instanceID)
        }
        switch caller.checkPlacement(kind: body.kind, parent: parent) {
        case .allowed:
            break
        case .forbidden(let reason):
            throw APIError.forbidden(action: "create account", detail: sentence(reason))
        case .invalid(let reason):
            throw APIError.badRequest(sentence(reason))
        case .notVisible:
            throw APIError.notFound("The parent account does not exist or is not visible to you.")
        }

        // Validate.
        let parentModules = parent?.modules ?? .all
        let modules = body.kind == .user ? parentModules : modulesPatch.applied(to: parentModules)
        var problems = AccountRules.validate(profile: profile, kind: body.kind, fieldPrefix: body.prefix)
        problems += validateLogins(drafts, prefix: body.prefix, requirePassword: true)
        if drafts.isEmpty {
            problems.append(FieldError(field: "\(body.prefix).loginInformation", message: "every account needs at least one login"))
        }
        guard problems.isEmpty else {
            throw APIError.badRequest("The account body has invalid fields; see errors.", fields: problems)
        }
        try checkModules(modules, parentModules: parentModules, prefix: body.prefix)
        try checkUniqueUsernames(drafts, prefix: body.prefix)

        // Store.
        let logins = try await hashLogins(drafts)
        let created: Account
        do {
            created = try await store.createAccount(
                NewAccount(instanceID: caller.instanceID, kind: body.kind, parentID: parent?.id, modules: modules, profile: profile),
                logins: logins)
        } catch let error as StoreError {
            throw APIError.from(error, what: "parent account")
        }
        Log.info(
            "account created", ["account_id": String(created.id), "kind": body.kind.rawValue, "request_id": context.request.requestID])
        return noErrorResponse(extra: ("accountId", String(created.id)))
    }

    /// Reads where a new account goes: `parentId`, else `resellerId`; returns the field used and the id.
    private func placement(_ body: AccountWire.Body, reader: inout WireReader) -> (String, Int64)? {
        guard body.kind != .reseller else { return nil }
        for key in ["parentId", "resellerId"] where body.kind == .customer || key == "parentId" {
            if case .some(.some(let text)) = reader.string(body.fields, key, at: body.prefix) {
                let field = "\(body.prefix).\(key)"
                return parseID(text, field: field, reader: &reader).map { (field, $0) }
            }
        }
        return nil
    }

    // MARK: - Update

    private func updateAccount(_ context: RequestContext) async throws -> HTTPResponse {
        let caller = context.caller
        let id = try context.request.idParameter("accountId")
        let json = try context.request.jsonBody()
        var account = try await visibleAccount(id, context)
        switch caller.checkUpdate(of: account) {
        case .allowed:
            break
        case .forbidden(let reason):
            throw APIError.forbidden(action: "update account", detail: sentence(reason))
        case .invalid(let reason):
            throw APIError.badRequest(sentence(reason))
        case .notVisible:
            throw APIError.notFound("Account \(id) does not exist or is not visible to you.")
        }

        // Decode onto the stored account: members left out keep their values.
        var reader = WireReader()
        guard let body = AccountWire.decodeBody(json, reader: &reader) else {
            throw APIError.badRequest("The account body is incomplete.", fields: reader.errors)
        }
        guard body.kind == account.kind else {
            // 409 rather than 400: the body is well formed, but it conflicts with the stored account.
            throw APIError.conflict("Account \(id) is a \(account.kind.rawValue) account; its type cannot change to \(body.kind.rawValue).")
        }
        checkUnchangedIDs(body, account: account, reader: &reader)
        if body.kind != .user {
            AccountWire.applyProfile(body.fields, prefix: body.prefix, to: &account.profile, reader: &reader)
        }
        let drafts = AccountWire.decodeLogins(body.fields, prefix: body.prefix, reader: &reader)
        let modulesPatch =
            body.kind == .user ? AccountWire.ModulesPatch() : AccountWire.decodeModules(body.fields, prefix: body.prefix, reader: &reader)
        guard reader.errors.isEmpty else {
            throw APIError.badRequest("The account body has invalid fields; see errors.", fields: reader.errors)
        }

        // Validate.
        let existingLogins = try await store.logins(accountID: account.id)
        var problems = AccountRules.validate(profile: account.profile, kind: account.kind, fieldPrefix: body.prefix)
        if let drafts {
            problems += validateLogins(drafts, prefix: body.prefix, requirePassword: false)
            if drafts.isEmpty {
                problems.append(FieldError(field: "\(body.prefix).loginInformation", message: "every account needs at least one login"))
            }
        }
        guard problems.isEmpty else {
            throw APIError.badRequest("The account body has invalid fields; see errors.", fields: problems)
        }
        if !modulesPatch.isEmpty {
            if account.id == caller.accountID || account.id == caller.scopeAccountID {
                throw APIError.forbidden(
                    action: "update account", detail: "An account cannot change its own modulesAccess; ask the account above it.")
            }
            let parentModules = try await parentModules(of: account)
            account.modules = modulesPatch.applied(to: account.modules)
            try checkModules(account.modules, parentModules: parentModules, prefix: body.prefix)
        }
        if let drafts {
            try checkUniqueUsernames(drafts, prefix: body.prefix)
            try checkNewLoginsHavePasswords(drafts, prefix: body.prefix, existing: existingLogins)
        }

        // Store.
        var loginUpdate = LoginUpdate.keep
        if let drafts {
            let hashed = try await hashPasswords(drafts)
            loginUpdate = .replace(
                zip(drafts, hashed).map { draft, hash in
                    LoginChange(
                        username: draft.userName ?? "", passwordHash: hash, firstName: draft.firstName, lastName: draft.lastName,
                        email: draft.email, phoneNumber: draft.phoneNumber)
                })
        }
        do {
            try await store.updateAccount(account, logins: loginUpdate)
            credentialCache.invalidateAll()
        } catch StoreError.conflict(let reason) {
            throw APIError.conflict("Account \(id) cannot be updated: \(reason). Nothing was changed.")
        } catch let error as StoreError {
            throw APIError.from(error, what: "account")
        }
        Log.info("account updated", ["account_id": String(account.id), "request_id": context.request.requestID])
        return noErrorResponse()
    }

    /// Records an error for each id member that differs from the stored tree: accounts do not move.
    private func checkUnchangedIDs(_ body: AccountWire.Body, account: Account, reader: inout WireReader) {
        var expected: [String: String?] = [:]
        switch account.kind {
        case .reseller:
            expected["resellerId"] = String(account.id)
        case .customer:
            expected["resellerId"] = String(account.resellerID)
            expected["customerId"] = String(account.id)
            expected["parentId"] = account.parentID.map { String($0) }
        case .user:
            expected["userId"] = String(account.id)
            expected["parentId"] = account.parentID.map { String($0) }
        }
        for (key, value) in expected.sorted(by: { $0.key < $1.key }) {
            guard case .some(.some(let sent)) = reader.string(body.fields, key, at: body.prefix) else { continue }
            let isParentOfCustomer = key == "parentId" && account.kind == .customer
            // A customer directly under its reseller may echo its reseller id as parentId.
            if sent != value && !(isParentOfCustomer && value == nil && sent == String(account.resellerID)) {
                reader.errors.append(
                    FieldError(
                        field: "\(body.prefix).\(key)",
                        message:
                            "\(key) is \(value.flatMap { $0 } ?? "empty") for this account; accounts cannot move, so send the same value or leave it out"
                    ))
            }
        }
    }

    private func parentModules(of account: Account) async throws -> Modules {
        guard let parentID = account.parentID, let parent = try await store.account(id: parentID, instanceID: account.instanceID) else {
            return .all
        }
        return parent.modules
    }

    // MARK: - Delete

    private func deleteAccount(_ context: RequestContext) async throws -> HTTPResponse {
        let id = try context.request.idParameter("accountId")
        let account = try await visibleAccount(id, context)
        switch context.caller.checkDeletion(of: account) {
        case .allowed:
            break
        case .forbidden(let reason):
            throw APIError.forbidden(action: "delete account", detail: sentence(reason))
        case .invalid(let reason):
            throw APIError.badRequest(sentence(reason))
        case .notVisible:
            throw APIError.notFound("Account \(id) does not exist or is not visible to you.")
        }
        do {
            try await store.deleteAccount(id: id, instanceID: context.instance.id)
            credentialCache.invalidateAll()
        } catch StoreError.conflict(let reason) {
            throw APIError.conflict("Account \(id) cannot be deleted: \(reason).")
        } catch let error as StoreError {
            throw APIError.from(error, what: "account")
        }
        Log.info("account deleted", ["account_id": String(id), "request_id": context.request.requestID])
        return noErrorResponse()
    }

    // MARK: - Logins

    /// Validates the format of login drafts and their number; `requirePassword` makes a missing
    /// password an error (on create).
    private func validateLogins(_ drafts: [LoginDraft], prefix: String, requirePassword: Bool) -> [FieldError] {
        var problems: [FieldError] = []
        if drafts.count > Application.maxLoginsPerAccount {
            problems.append(
                FieldError(
                    field: "\(prefix).loginInformation",
                    message: "an account has at most \(Application.maxLoginsPerAccount) logins; \(drafts.count) were sent"))
        }
        for (index, draft) in drafts.enumerated() {
            let path = "\(prefix).loginInformation[\(index)]"
            problems += AccountRules.validate(login: draft, fieldPrefix: path, requirePassword: requirePassword)
        }
        return problems
    }

    /// Rejects an update that leaves out the password of a login the account does not have yet.
    /// Leaving it out keeps the password of an existing login, so the body is valid on its own and
    /// conflicts only with the stored logins: 409.
    private func checkNewLoginsHavePasswords(_ drafts: [LoginDraft], prefix: String, existing: [Login]) throws {
        let known = Set(existing.map(\.username))
        for (index, draft) in drafts.enumerated() where draft.password == nil {
            guard let name = draft.userName, !known.contains(name) else { continue }
            throw APIError.conflict(
                "\(prefix).loginInformation[\(index)] has no password, but the account has no login \(name) whose password it could keep; send a password for a new login."
            )
        }
    }

    /// Rejects a body that gives one username twice with 409, the status of a username another
    /// login already has. Usernames compare case-sensitively, as the store's unique index does.
    private func checkUniqueUsernames(_ drafts: [LoginDraft], prefix: String) throws {
        var seen: Set<String> = []
        for (index, draft) in drafts.enumerated() {
            guard let name = draft.userName, !seen.insert(name).inserted else { continue }
            throw APIError.conflict(
                "The username \(name) appears twice in \(prefix).loginInformation (again at index \(index)); give each login its own username."
            )
        }
    }

    /// Rejects modules the parent account lacks with 400 naming each module: a child never
    /// holds a module its parent lacks.
    private func checkModules(_ modules: Modules, parentModules: Modules, prefix: String) throws {
        let problems = AccountRules.validate(modules: modules, parentModules: parentModules, fieldPrefix: "\(prefix).modulesAccess")
        guard !problems.isEmpty else { return }
        throw APIError.badRequest("The account body has invalid fields; see errors.", fields: problems)
    }

    /// Checks that a `resellerId` or `parentId` names an account that can be the parent of `kind`.
    private func checkParentKind(_ parent: Account, field: String, kind: AccountKind, prefix: String) throws {
        if parent.kind == .user {
            throw APIError.notFound(
                "The \(field) \(parent.id) is a User account, which cannot have child accounts; name a Reseller or Customer account.")
        }
        guard kind == .customer else { return }
        if field == "\(prefix).resellerId" && parent.kind != .reseller {
            throw APIError.notFound(
                "No reseller \(parent.id) is visible to you: account \(parent.id) is a \(parent.kind.rawValue) account. Use parentId to place a customer under a customer."
            )
        }
        if field == "\(prefix).parentId" && parent.kind != .customer {
            throw APIError.notFound(
                "No customer \(parent.id) is visible to you: account \(parent.id) is a \(parent.kind.rawValue) account. Use resellerId to place a customer under a reseller."
            )
        }
    }

    /// Hashes the passwords of new logins on the blocking pool.
    private func hashLogins(_ drafts: [LoginDraft]) async throws -> [NewLogin] {
        let hashes = try await hashPasswords(drafts)
        return zip(drafts, hashes).map { draft, hash in
            NewLogin(
                username: draft.userName ?? "", passwordHash: hash ?? "", firstName: draft.firstName, lastName: draft.lastName,
                email: draft.email, phoneNumber: draft.phoneNumber)
        }
    }

    /// Argon2id hashes of the drafts' passwords; nil where no password was sent.
    private func hashPasswords(_ drafts: [LoginDraft]) async throws -> [String?] {
        let passwords = drafts.map(\.password)
        guard passwords.contains(where: { $0 != nil }) else { return passwords.map { _ in nil } }
        do {
            return try await pool.run { passwords.map { $0.map(Crypto.hashPassword) } }
        } catch is BlockingPool.Overloaded {
            throw APIError.unavailable("Too many passwords are being hashed at once; retry in a second.")
        }
    }
}

/// Turns a rule's lower-case clause into a sentence for `detail`.
func sentence(_ clause: String) -> String {
    guard let first = clause.first else { return clause }
    return first.uppercased() + clause.dropFirst() + "."
}
