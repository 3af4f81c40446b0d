import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore

// The Microsoft Teams section: Teams-enabled customers, the users provisioned to their numbers,
// and the numbers free for provisioning. Numberline records the provisioning only and calls no
// Microsoft service.
extension Application {
    func registerMicrosoftTeams(_ router: inout Router) {
        router.add(.get, "/v1/msteams/customers", authenticated(listTeamsCustomers))
        router.add(.get, "/v1/msteams/{customerId}/users", authenticated(listTeamsUsers))
        router.add(.post, "/v1/msteams/{customerId}/users", maxBodyBytes: 8 << 10, authenticated(createTeamsUser))
        router.add(.get, "/v1/msteams/{customerId}/users/{userId}", authenticated(getTeamsUser))
        router.add(.put, "/v1/msteams/{customerId}/users/{userId}", maxBodyBytes: 8 << 10, authenticated(updateTeamsUser))
        router.add(.delete, "/v1/msteams/{customerId}/users/{userId}", authenticated(deleteTeamsUser))
        router.add(.get, "/v1/msteams/{customerId}/numbers", authenticated(listTeamsNumbers))
    }

    // MARK: - Reads

    private func listTeamsCustomers(_ context: RequestContext) async throws -> HTTPResponse {
        try requireTeamsModule(context, action: "get customers")
        try rejectQueryParameters(context.request, allowed: [])
        let caller = context.caller
        // The caller's own account is listed too when it is a Teams-enabled customer.
        let customers = try await store.accounts(instanceID: caller.instanceID, pathPrefix: caller.scopePath, kind: .customer)
            .filter { $0.profile.msTeamsTenantId != nil }

        var writer = JSONWriter(capacity: 64 + customers.count * 128)
        writer.beginArray()
        for customer in customers {
            writer.beginObject()
            writer.key("customerId")
            writer.string(String(customer.id))
            writer.key("companyName")
            writer.optionalString(customer.profile.companyName)
            writer.key("msTeamsTenantId")
            writer.optionalString(customer.profile.msTeamsTenantId)
            writer.endObject()
        }
        writer.endArray()
        return .json(200, writer.bytes)
    }

    private func listTeamsUsers(_ context: RequestContext) async throws -> HTTPResponse {
        try requireTeamsModule(context, action: "get users")
        let customer = try await provisioningCustomer(context)
        let page = try provisioningPage(context.request, allowed: [])
        var afterID: Int64?
        if let cursor = page.cursor {
            guard let id = ProvisioningWire.userID(fromCursor: cursor) else {
                throw invalidCursor(cursor)
            }
            afterID = id
        }

        let users = try await store.teamsUsers(
            instanceID: context.instance.id, customerID: customer.id, afterID: afterID, limit: page.limit + 1)
        let shown = users.prefix(page.limit)
        var writer = JSONWriter(capacity: 64 + shown.count * 256)
        writer.beginArray()
        for user in shown {
            ProvisioningWire.write(user, into: &writer)
        }
        writer.endArray()
        let next = users.count > page.limit ? shown.last.map { ProvisioningWire.cursor(afterUserID: $0.id) } : nil
        return pageResponse(writer.bytes, nextCursor: next)
    }

    private func getTeamsUser(_ context: RequestContext) async throws -> HTTPResponse {
        try requireTeamsModule(context, action: "get users")
        let customer = try await provisioningCustomer(context)
        let user = try await visibleTeamsUser(context, customer: customer)
        var writer = JSONWriter(capacity: 512)
        ProvisioningWire.write(user, into: &writer)
        return .json(200, writer.bytes)
    }

    private func listTeamsNumbers(_ context: RequestContext) async throws -> HTTPResponse {
        try requireTeamsModule(context, action: "get numbers")
        let customer = try await provisioningCustomer(context)
        let page = try provisioningPage(context.request, allowed: ["status"])
        var filter = TeamsNumberFilter.all
        if let text = page.values["status"] {
            guard let parsed = TeamsNumberFilter(rawValue: text) else {
                throw APIError.badRequest("status \"\(text.prefix(40))\" is not a Teams number status; use all, available or assigned.")
            }
            filter = parsed
        }
        var after: String?
        if let cursor = page.cursor {
            guard let number = NumberWire.telephoneNumber(fromCursor: cursor) else {
                throw invalidCursor(cursor)
            }
            after = number
        }

        let numbers = try await store.teamsNumbers(
            instanceID: context.instance.id, customerID: customer.id, filter: filter, after: after, limit: page.limit + 1)
        let shown = numbers.prefix(page.limit)
        var writer = JSONWriter(capacity: 64 + shown.count * 400)
        writer.beginArray()
        for number in shown {
            ProvisioningWire.write(number, into: &writer)
        }
        writer.endArray()
        let next = numbers.count > page.limit ? shown.last.map { NumberWire.cursor(after: $0.telephoneNumber) } : nil
        return pageResponse(writer.bytes, nextCursor: next)
    }

    // MARK: - Changes

    private func createTeamsUser(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "provision users"
        try requireTeamsModule(context, action: action)
        try requireProvisioner(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])
        let fields = try ProvisioningWire.decodeUser(try context.request.jsonBody(maxDepth: 2))
        let customer = try await provisioningCustomer(context)

        // Validate: every member but note and siteId is required on create.
        var missing: [FieldError] = []
        for (name, value) in [
            ("upn", fields.upn), ("firstName", fields.firstName), ("lastName", fields.lastName),
            ("telephoneNumber", fields.telephoneNumber),
        ] {
            if case .some(.some) = value {
                continue
            }
            missing.append(FieldError(field: name, message: "\(name) is required"))
        }
        guard missing.isEmpty, case .some(.some(let upn)) = fields.upn, case .some(.some(let input)) = fields.telephoneNumber else {
            throw APIError.badRequest("The user body is missing required fields; see errors.", fields: missing)
        }
        guard customer.profile.msTeamsTenantId != nil else {
            throw APIError.badRequest(
                "Customer \(customer.id) has no msTeamsTenantId, so it is not Teams-enabled; set customerAccount.msTeamsTenantId with PUT /v1/accounts/\(customer.id) first.",
                fields: [FieldError(field: "msTeamsTenantId", message: "the customer has no Microsoft 365 tenant id")])
        }
        let telephoneNumber = try ProvisioningWire.parseNumber(input)
        try await requireSite(fields.siteID ?? nil, of: customer, instanceID: context.instance.id)
        let draft = NewTeamsUser(
            upn: upn, firstName: fields.firstName ?? nil, lastName: fields.lastName ?? nil, note: fields.note ?? nil,
            siteID: fields.siteID ?? nil, telephoneNumber: telephoneNumber)

        let user: TeamsUser
        do {
            user = try await store.createTeamsUser(draft, instanceID: context.instance.id, customerID: customer.id, time: Application.now())
        } catch let conflict as ProvisioningConflict {
            throw provisioningConflict(conflict)
        }
        Log.info(
            "teams user provisioned",
            [
                "customer_id": String(customer.id), "user_id": String(user.id), "telephone_number": telephoneNumber,
                "request_id": context.request.requestID,
            ])
        return noErrorResponse(extra: ("id", String(user.id)))
    }

    private func updateTeamsUser(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "update users"
        try requireTeamsModule(context, action: action)
        try requireProvisioner(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])
        let fields = try ProvisioningWire.decodeUser(try context.request.jsonBody(maxDepth: 2))
        let customer = try await provisioningCustomer(context)
        var user = try await visibleTeamsUser(context, customer: customer)

        // Members left out keep their values; null clears note and siteId, which are optional.
        var problems: [FieldError] = []
        for (name, value) in [
            ("upn", fields.upn), ("firstName", fields.firstName), ("lastName", fields.lastName),
            ("telephoneNumber", fields.telephoneNumber),
        ] {
            if case .some(.none) = value {
                problems.append(FieldError(field: name, message: "\(name) cannot be cleared; leave it out to keep its value"))
            }
        }
        guard problems.isEmpty else {
            throw APIError.badRequest("The user body has invalid fields; see errors.", fields: problems)
        }
        if case .some(.some(let upn)) = fields.upn {
            user.upn = upn
        }
        assign(&user.firstName, fields.firstName)
        assign(&user.lastName, fields.lastName)
        assign(&user.note, fields.note)
        if case .some(let siteID) = fields.siteID {
            try await requireSite(siteID, of: customer, instanceID: context.instance.id)
            user.siteID = siteID
        }
        if case .some(.some(let input)) = fields.telephoneNumber {
            user.telephoneNumber = try ProvisioningWire.parseNumber(input)
        }

        do {
            try await store.updateTeamsUser(user, instanceID: context.instance.id, time: Application.now())
        } catch let conflict as ProvisioningConflict {
            throw provisioningConflict(conflict)
        } catch StoreError.notFound {
            throw teamsUserNotFound(user.id, customer: customer)
        }
        Log.info(
            "teams user updated",
            [
                "customer_id": String(customer.id), "user_id": String(user.id), "telephone_number": user.telephoneNumber,
                "request_id": context.request.requestID,
            ])
        return noErrorResponse()
    }

    private func deleteTeamsUser(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "unprovision users"
        try requireTeamsModule(context, action: action)
        try requireProvisioner(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])
        let customer = try await provisioningCustomer(context)
        let id = try context.request.idParameter("userId")
        do {
            try await store.deleteTeamsUser(id: id, instanceID: context.instance.id, customerID: customer.id, time: Application.now())
        } catch StoreError.notFound {
            throw teamsUserNotFound(id, customer: customer)
        }
        Log.info(
            "teams user unprovisioned",
            [
                "customer_id": String(customer.id), "user_id": String(id), "request_id": context.request.requestID,
            ])
        return noErrorResponse()
    }

    // MARK: - Helpers

    /// Throws 403 unless the caller's account has the `msteam` module.
    private func requireTeamsModule(_ context: RequestContext, action: String) throws {
        guard context.caller.modules.msteam else {
            throw APIError.forbidden(
                action: action, detail: "The msteam module is not enabled for this account; ask the account above it to grant it.")
        }
    }

    /// Loads the path's user of `customer`. A user of another customer gets the same 404 as a missing one.
    private func visibleTeamsUser(_ context: RequestContext, customer: Account) async throws -> TeamsUser {
        let id = try context.request.idParameter("userId")
        guard let user = try await store.teamsUser(id: id, instanceID: context.instance.id, customerID: customer.id) else {
            throw teamsUserNotFound(id, customer: customer)
        }
        return user
    }

    private func teamsUserNotFound(_ id: Int64, customer: Account) -> APIError {
        .notFound("Teams user \(id) does not exist for customer \(customer.id); list its users with GET /v1/msteams/\(customer.id)/users.")
    }

    /// Maps a blocked provisioning change to 409.
    private func provisioningConflict(_ conflict: ProvisioningConflict) -> APIError {
        switch conflict {
        case .number(let telephoneNumber, let blocker):
            .conflict("The number \(telephoneNumber) cannot be provisioned. \(blocker.message)")
        case .duplicateUPN(let upn):
            .conflict(
                "The customer already has a Teams user with the upn \"\(upn.prefix(120))\" (ignoring case); choose another or update that user."
            )
        }
    }
}

// MARK: - Shared by the Microsoft Teams and Zoom sections

extension Application {
    /// Loads the path's `customerId`: a Customer account the caller may see. A foreign id
    /// gets the same 404 as an unknown one.
    func provisioningCustomer(_ context: RequestContext) async throws -> Account {
        let id = try context.request.idParameter("customerId")
        guard let account = try await store.account(id: id, instanceID: context.instance.id), context.caller.canSee(account) else {
            throw APIError.notFound("Customer \(id) does not exist or is not visible to you.")
        }
        guard account.kind == .customer else {
            throw APIError.badRequest("customerId \(id) is a \(account.kind.rawValue) account; name a Customer account.")
        }
        return account
    }

    /// Throws 403 for User logins, which act read-only in their parent's scope.
    func requireProvisioner(_ context: RequestContext, action: String) throws {
        guard !context.caller.isUserLogin else {
            throw APIError.forbidden(action: action, detail: "A User login is read-only; sign in with the parent account's login.")
        }
    }

    /// Reads `limit` (1 to 1000, default 100) and the raw `cursor` plus the `allowed` parameters of a listing.
    func provisioningPage(_ request: HTTPRequest, allowed: Set<String>) throws -> (limit: Int, cursor: String?, values: [String: String]) {
        let values = try rejectQueryParameters(request, allowed: allowed.union(["limit", "cursor"]))
        return (try pageLimit(values["limit"]), values["cursor"], values)
    }

    func invalidCursor(_ cursor: String) -> APIError {
        .badRequest("cursor \"\(cursor.prefix(40))\" is not a cursor from the x-next-cursor header; send it back unchanged.")
    }

    /// Returns a bare JSON array, as the reference does, with the next page's cursor in the
    /// `x-next-cursor` header, which is absent on the last page.
    func pageResponse(_ body: [UInt8], nextCursor: String?) -> HTTPResponse {
        .json(200, body, headers: nextCursor.map { [("x-next-cursor", $0)] } ?? [])
    }

    /// Checks that `siteID`, when given, names a site of `customer`; anything else is a 400.
    private func requireSite(_ siteID: Int64?, of customer: Account, instanceID: Int64) async throws {
        guard let siteID else { return }
        guard let site = try await store.site(id: siteID, instanceID: instanceID), site.customerID == customer.id else {
            throw APIError.badRequest(
                "siteId \(siteID) is not a site of customer \(customer.id); create it with POST /v1/sites or leave siteId out.",
                fields: [FieldError(field: "siteId", message: "no site \(siteID) belongs to customer \(customer.id)")])
        }
    }
}
