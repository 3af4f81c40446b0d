import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineNumbers
import NumberlineStore

// Helpers shared by the feature sections (call forwarding, CPN, CNAM, disaster plans,
// international calling) and by sites and emergency addresses.
extension Application {
    // MARK: - Authorization

    /// Throws 403 unless the caller's account has the `enhancedServices` module, which gates every per-number feature.
    func requireEnhancedServices(_ context: RequestContext, action: String) throws {
        guard context.caller.modules.enhancedServices else {
            throw APIError.forbidden(
                action: action, detail: "The enhancedServices module is not enabled for this account; ask the account above it to grant it."
            )
        }
    }

    /// Throws 403 unless the caller's account has `msteam` or `ucaas`: sites and emergency
    /// addresses serve both Microsoft Teams and UCaaS seats, so either module admits them.
    func requireSiteModules(_ context: RequestContext, action: String) throws {
        guard context.caller.modules.msteam || context.caller.modules.ucaas else {
            throw APIError.forbidden(
                action: action,
                detail: "Neither the msteam nor the ucaas module is enabled for this account; ask the account above it to grant one.")
        }
    }

    /// Throws 403 for User logins, which act read-only in their parent's scope.
    func requireWriter(_ context: RequestContext, action: String) throws {
        guard !context.caller.isUserLogin else {
            throw APIError.forbidden(
                action: action, detail: "A User login is read-only; sign in with the parent account's login to make changes.")
        }
    }

    /// Returns the caller's subtree (or `path`) as the feature store takes it.
    func featureScope(_ context: RequestContext, path: String? = nil) -> FeatureScope {
        FeatureScope(instanceID: context.instance.id, scopePath: path ?? context.caller.scopePath, time: Application.now())
    }

    // MARK: - Numbers

    /// Normalizes the `{telephoneNumber}` path parameter, reading it in the region of the
    /// optional `countryCode` query parameter.
    func pathTelephoneNumber(_ context: RequestContext) throws -> String {
        let parameters = try rejectQueryParameters(context.request, allowed: ["countryCode"])
        let input = context.request.pathParameters["telephoneNumber"] ?? ""
        let region = parameters["countryCode"]?.uppercased()
        if let region, !(region.utf8.count == 2 && TelephoneNumbers.isSupportedRegion(region)) {
            throw APIError.badRequest(
                "countryCode \"\(region.prefix(40))\" is not an ISO 3166-1 alpha-2 code with numbering data; give a code such as US.")
        }
        switch TelephoneNumbers.parse(input, defaultRegion: region, mode: .possible) {
        case .success(let number):
            return number.digits
        case .failure(let problem):
            throw APIError.badRequest(problem.message)
        }
    }

    /// Normalizes a forward target (call forwarding, disaster plans) or CPN in `region`.
    ///
    /// The target must be a valid number (libphonenumber `IsValidNumber`), not only a possible
    /// one, because calls go there. With a `countryCode`, it must be a number of that country.
    func featureTarget(_ text: String?, region: String?, field: String) throws -> String {
        guard let text else {
            throw APIError.badRequest(
                "The body has invalid fields; see errors.", fields: [FieldError(field: field, message: "\(field) is required")])
        }
        let number: TelephoneNumber
        switch TelephoneNumbers.parse(text, defaultRegion: region, mode: .strict) {
        case .success(let parsed):
            number = parsed
        case .failure(let problem):
            throw APIError.badRequest(
                "The body has invalid fields; see errors.", fields: [FieldError(field: field, message: problem.message)])
        }
        if let region, number.region != region {
            throw APIError.badRequest(
                "The body has invalid fields; see errors.",
                fields: [
                    FieldError(
                        field: field,
                        message: "\(text.prefix(40)) is a number of \(number.region), not of countryCode \(region); correct one of them")
                ])
        }
        return number.digits
    }

    /// Rejects, as a 400 listing each one, numbers of the body that equal the forward target.
    func rejectSelfForwarding(_ numbers: [String], target: String) throws {
        guard numbers.contains(target) else {
            return
        }
        throw BulkRejection(
            response: FeatureWire.rejectionResponse(
                [FeatureRejection(telephoneNumber: target, reason: .forwardsToItself)], action: "forward"))
    }

    // MARK: - Responses

    /// Turns a bulk outcome into the status object or the error that lists the numbers.
    func featureResponse(_ outcome: FeatureOutcome, action: String, context: RequestContext, logMessage: String) -> HTTPResponse {
        switch outcome {
        case .changed(let count):
            Log.info(logMessage, ["count": String(count), "request_id": context.request.requestID])
            return noErrorResponse()
        case .rejected(let rejections):
            return rejectionResponse(rejections, action: action)
        }
    }

    /// Renders the error that lists rejected numbers, keeping only the most basic kind (400, then 409, then 404).
    func rejectionResponse(_ rejections: [FeatureRejection], action: String) -> HTTPResponse {
        guard case .rejected(let kept) = FeatureOutcome.rejecting(rejections) else {
            return FeatureWire.rejectionResponse(rejections, action: action)
        }
        return FeatureWire.rejectionResponse(kept, action: action)
    }

    /// Throws 404 for a lookup that found no visible number or no feature; `feature` names it.
    func requireFound<Value>(_ lookup: FeatureLookup<Value>, telephoneNumber: String, feature: String) throws -> Value {
        switch lookup {
        case .numberNotFound:
            throw APIError.notFound("The number \(telephoneNumber) does not exist or is not visible to you.")
        case .notSet:
            throw APIError.notFound("The number \(telephoneNumber) has no \(feature).")
        case .found(let value):
            return value
        }
    }

    // MARK: - Customers of sites and emergency addresses

    /// Returns the customer a site or address call acts for: the `customerId` query parameter,
    /// else the caller's own scope when that is a customer.
    func featureCustomer(_ context: RequestContext, customerID text: String?) async throws -> Account {
        if let text {
            let account = try await visibleAccount(try idValue(text, name: "customerId"), context)
            guard account.kind == .customer else {
                throw APIError.badRequest("customerId \(account.id) is a \(account.kind.rawValue) account; name a Customer account.")
            }
            return account
        }
        guard context.caller.scopeKind == .customer, let scopeID = context.caller.scopeAccountID else {
            throw APIError.badRequest(
                "Name the customer with the customerId query parameter; only a customer's own login may leave it out.")
        }
        return try await visibleAccount(scopeID, context)
    }
}
