import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineNumbers
import NumberlineStore

#if canImport(Glibc)
    import Glibc
#endif

// The number inventory: listing and looking up the numbers a caller can see, and moving them
// between a reseller's inventory and its customers.
extension Application {
    /// The page size when a request gives no `limit`.
    static let defaultPageSize = 100
    static let maxPageSize = 1000

    func registerNumbers(_ router: inout Router) {
        router.add(.get, "/v1/numbers", authenticated(listNumbers))
        router.add(.get, "/v1/numbers/{telephoneNumber}", authenticated(getNumber))
        router.add(.post, "/v1/numbers/assign", maxBodyBytes: Application.maxNumberListBytes, authenticated(onBlockingPool(assignNumbers)))
        router.add(
            .post, "/v1/numbers/release", maxBodyBytes: Application.maxNumberListBytes, authenticated(onBlockingPool(releaseNumbers)))
    }

    // MARK: - Reads

    private func listNumbers(_ context: RequestContext) async throws -> HTTPResponse {
        try requireNumberModule(context, action: "get numbers")
        let parameters = try pageParameters(context.request, allowed: ["status", "carrierId", "customerId", "prefix"])
        var query = scopedQuery(context, limit: parameters.limit + 1)
        query.after = parameters.after

        if let text = parameters.values["status"] {
            guard let status = NumberStatus(rawValue: text) else {
                throw APIError.badRequest("status \"\(text.prefix(40))\" is not a number status; use available, assigned or provisioned.")
            }
            query.status = status
        }
        if let text = parameters.values["carrierId"] {
            let id = try idValue(text, name: "carrierId")
            guard try await store.carrier(id: id, instanceID: context.instance.id) != nil else {
                throw APIError.notFound("Carrier \(id) does not exist in this instance; list carriers with GET /v1/carriers.")
            }
            query.carrierID = id
        }
        if let text = parameters.values["customerId"] {
            let account = try await visibleAccount(try idValue(text, name: "customerId"), context)
            guard account.kind == .customer else {
                throw APIError.badRequest("customerId \(account.id) is a \(account.kind.rawValue) account; name a Customer account.")
            }
            query.accountID = account.id
        }
        if let prefix = parameters.values["prefix"] {
            guard (1...TelephoneNumbers.maxE164Digits).contains(prefix.utf8.count), prefix.utf8.allSatisfy(FieldRules.isDigit) else {
                throw APIError.badRequest(
                    "prefix \"\(prefix.prefix(40))\" must be 1 to 15 digits of an E.164 number without +, such as 1919.")
            }
            query.prefix = prefix
        }
        return try await numberPage(query, limit: parameters.limit)
    }

    private func getNumber(_ context: RequestContext) async throws -> HTTPResponse {
        try requireNumberModule(context, action: "get numbers")
        let parameters = try rejectQueryParameters(context.request, allowed: ["countryCode"])
        let input = context.request.pathParameters["telephoneNumber"] ?? ""
        let region = parameters["countryCode"]?.uppercased()
        if let region, !(region.utf8.count == 2 && TelephoneNumbers.isSupportedRegion(region)) {
            throw APIError.badRequest(
                "countryCode \"\(region.prefix(40))\" is not an ISO 3166-1 alpha-2 code with numbering data; give a code such as US.")
        }

        let digits: String
        switch TelephoneNumbers.parse(input, defaultRegion: region, mode: .possible) {
        case .success(let number):
            digits = number.digits
        case .failure(let problem):
            throw APIError.badRequest(problem.message)
        }
        guard let found = try await store.numberWithFeatures(digits, instanceID: context.instance.id),
            context.caller.canSee(path: found.number.accountPath)
        else {
            throw APIError.notFound("The number \(digits) does not exist or is not visible to you.")
        }

        var writer = JSONWriter(capacity: 768)
        NumberWire.write(found.number, features: found.features, into: &writer)
        return .json(200, writer.bytes)
    }

    // MARK: - Moves

    private func assignNumbers(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "assign numbers"
        try requireNumberModule(context, action: action)
        try requireNumberMover(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])

        let list = try NumberWire.decodeNumberList(try context.request.jsonBody(maxDepth: 4), allowCustomer: true)
        let customer = try await visibleAccount(list.customerID ?? 0, context)
        guard customer.kind == .customer else {
            throw APIError.badRequest("customerId \(customer.id) is a \(customer.kind.rawValue) account; name a Customer account.")
        }
        let numbers = try await parsedNumberList(list.inputs, region: list.region)
        let outcome = try await store.assignNumbers(
            numbers, instanceID: context.instance.id, scopePath: context.caller.scopePath, customerID: customer.id, time: Application.now())
        return bulkResponse(outcome, verb: "assigned", context: context, logMessage: "numbers assigned", customerID: customer.id)
    }

    private func releaseNumbers(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "release numbers"
        try requireNumberModule(context, action: action)
        try requireNumberMover(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])

        let list = try NumberWire.decodeNumberList(try context.request.jsonBody(maxDepth: 4), allowCustomer: false)
        let numbers = try await parsedNumberList(list.inputs, region: list.region)
        let outcome = try await store.releaseNumbers(
            numbers, instanceID: context.instance.id, scopePath: context.caller.scopePath, time: Application.now())
        return bulkResponse(outcome, verb: "released", context: context, logMessage: "numbers released")
    }

    /// Throws 403 for User logins, which act read-only in their parent's scope.
    private func requireNumberMover(_ context: RequestContext, action: String) throws {
        guard !context.caller.isUserLogin else {
            throw APIError.forbidden(action: action, detail: "A User login cannot move numbers; sign in with the parent account's login.")
        }
    }
}

// MARK: - Shared by the Carriers and Numbers sections

extension Application {
    /// Wraps a bulk handler so that it runs on the blocking pool: decoding a large body,
    /// parsing a million numbers and a long transaction would otherwise stall an event loop.
    func onBlockingPool(
        _ body: @escaping @Sendable (RequestContext) async throws -> HTTPResponse
    ) -> @Sendable (RequestContext) async throws -> HTTPResponse {
        { context in
            guard self.pool.queuedCount < self.pool.maxQueued else {
                throw APIError.unavailable("Too many bulk requests are waiting; retry in a few seconds.")
            }
            return try await withTaskExecutorPreference(self.pool) {
                do {
                    return try await body(context)
                } catch let rejection as BulkRejection {
                    return rejection.response
                }
            }
        }
    }

    /// Throws 403 unless the caller's account has the `did` module.
    func requireNumberModule(_ context: RequestContext, action: String) throws {
        guard context.caller.modules.did else {
            throw APIError.forbidden(
                action: action, detail: "The did module is not enabled for this account; ask the account above it to grant it.")
        }
    }

    /// Returns the query parameters by name, and throws 400 for one not in `allowed`
    /// (besides `instance`) or given twice.
    @discardableResult
    func rejectQueryParameters(_ request: HTTPRequest, allowed: Set<String>) throws -> [String: String] {
        guard let pairs = request.queryParameters else {
            throw APIError.badRequest("The query string is not valid percent-encoding; encode it per RFC 3986.")
        }
        var values: [String: String] = [:]
        for (name, value) in pairs where name != "instance" {
            guard allowed.contains(name) else {
                let known =
                    allowed.isEmpty ? "this route takes only instance" : "use \(allowed.sorted().joined(separator: ", ")) or instance"
                throw APIError.badRequest("The query parameter \(name.prefix(40)) is not known; \(known).")
            }
            guard values[name] == nil else {
                throw APIError.badRequest("The query parameter \(name) is given twice; give it once.")
            }
            values[name] = value
        }
        return values
    }

    /// Reads the `limit` query parameter of a listing, `defaultPageSize` when it is absent. Only
    /// plain decimal digits from 1 to `maxPageSize` are accepted, without sign or leading zeros,
    /// as the OpenAPI document's pattern states.
    func pageLimit(_ text: String?) throws -> Int {
        guard let text else {
            return Application.defaultPageSize
        }
        guard let number = Int(text), String(number) == text, (1...Application.maxPageSize).contains(number) else {
            throw APIError.badRequest(
                "limit \"\(text.prefix(40))\" must be a whole number from 1 to \(Application.maxPageSize), written without sign or leading zeros."
            )
        }
        return number
    }

    /// Reads `limit` and `cursor` plus the `allowed` filters of a listing.
    func pageParameters(_ request: HTTPRequest, allowed: Set<String>) throws -> (limit: Int, after: String?, values: [String: String]) {
        let values = try rejectQueryParameters(request, allowed: allowed.union(["limit", "cursor"]))
        let limit = try pageLimit(values["limit"])
        var after: String?
        if let cursor = values["cursor"] {
            guard let decoded = NumberWire.telephoneNumber(fromCursor: cursor) else {
                throw APIError.badRequest("cursor \"\(cursor.prefix(40))\" is not a cursor from nextCursor; send it back unchanged.")
            }
            after = decoded
        }
        return (limit, after, values)
    }

    /// Returns a number query limited to the caller's subtree.
    func scopedQuery(_ context: RequestContext, limit: Int) -> NumberQuery {
        let caller = context.caller
        // A scope path starts with its reseller's id: "/<reseller>/<customer>/…".
        let resellerID = caller.scopePath.split(separator: "/").first.flatMap { Int64($0) }
        return NumberQuery(instanceID: caller.instanceID, scopePath: caller.scopePath, scopeResellerID: resellerID, limit: limit)
    }

    /// Runs a query of `limit + 1` rows and writes a page of `limit` with the cursor of the next.
    func numberPage(_ query: NumberQuery, limit: Int) async throws -> HTTPResponse {
        // NOTE: a customer scope filters by holder path after reading its reseller's numbers
        // in order, so a small customer under a very large reseller reads many rows per page.
        let numbers = try await store.numbers(query)
        let page = numbers.prefix(limit)
        let nextCursor = numbers.count > limit ? page.last.map { NumberWire.cursor(after: $0.telephoneNumber) } : nil
        return .json(200, NumberWire.writePage(page, nextCursor: nextCursor))
    }

    /// Parses a list of numbers from assign, release or delete; invalid or repeated ones get 400.
    func parsedNumberList(_ inputs: [String], region: String?) async throws -> [String] {
        let parsed = await NumberParsing.parse(inputs, region: region, chunkCount: pool.threadCount)
        guard parsed.rejectedCount == 0 else {
            throw BulkRejection(
                response: NumberWire.rejectionResponse(
                    status: 400,
                    detail:
                        "\(parsed.rejectedCount) of \(inputs.count) numbers are invalid or repeated, so nothing changed; fix the numbers listed in errors.",
                    rejections: parsed.rejections, total: parsed.rejectedCount))
        }
        return parsed.numbers.map(\.telephoneNumber)
    }

    /// Turns a store outcome into the success body or a 409 that lists the blocked numbers.
    func bulkResponse(
        _ outcome: BulkOutcome, verb: String, context: RequestContext, logMessage: String, carrierID: Int64? = nil, customerID: Int64? = nil
    ) -> HTTPResponse {
        switch outcome {
        case .changed(let count):
            Log.info(
                logMessage,
                [
                    "count": String(count), "carrier_id": carrierID.map { String($0) } ?? "-",
                    "customer_id": customerID.map { String($0) } ?? "-", "request_id": context.request.requestID,
                ])
            return countResponse("numbers" + verb.prefix(1).uppercased() + verb.dropFirst(), count)
        case .rejected(let rejections, let total):
            return NumberWire.rejectionResponse(
                status: 409,
                detail:
                    "\(total == 1 ? "1 number" : "\(total) numbers") cannot be \(verb), so nothing changed; see errors for each number and its reason.",
                rejections: rejections, total: total)
        }
    }

    /// Returns the status object with one count member, such as `"numbersAdded": 1000`.
    func countResponse(_ key: String, _ count: Int) -> HTTPResponse {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("statusCode")
        writer.string("200")
        writer.key("status")
        writer.string("No error")
        writer.dynamicKey(key)
        writer.int(count)
        writer.endObject()
        return .json(200, writer.bytes)
    }

    /// Parses a decimal id from a query parameter.
    func idValue(_ text: String, name: String) throws -> Int64 {
        guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy(FieldRules.isDigit), let id = Int64(text) else {
            throw APIError.badRequest("The \(name) \"\(text.prefix(40))\" is not an id; ids are 1 to 18 decimal digits.")
        }
        return id
    }
}

/// Returns milliseconds of the monotonic clock, for measuring how long a step took.
func monotonicMilliseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
}

/// A finished error response for a bulk call, thrown out of a helper.
struct BulkRejection: Error {
    var response: HTTPResponse
}
