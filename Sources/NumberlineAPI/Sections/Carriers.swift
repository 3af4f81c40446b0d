import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore

// The Carriers section: carriers defined by the platform admin, and uploading, listing and
// removing the numbers of a carrier.
extension Application {
    /// Body limit of an upload: a million numbers as JSON strings take about 15 MiB, and
    /// the rest leaves room for formatted input and CSV attribute columns.
    static let maxUploadBytes = 64 << 20
    /// Body limit of assign, release and delete: a million formatted numbers.
    static let maxNumberListBytes = 32 << 20

    func registerCarriers(_ router: inout Router) {
        router.add(.get, "/v1/carriers", authenticated(listCarriers))
        router.add(.post, "/v1/carriers", maxBodyBytes: 8 << 10, authenticated(createCarrier))
        router.add(.get, "/v1/carriers/{carrierId}/numbers", authenticated(listCarrierNumbers))
        router.add(
            .post, "/v1/carriers/{carrierId}/numbers", maxBodyBytes: Application.maxUploadBytes,
            authenticated(onBlockingPool(uploadNumbers)))
        router.add(
            .delete, "/v1/carriers/{carrierId}/numbers", maxBodyBytes: Application.maxNumberListBytes,
            authenticated(onBlockingPool(deleteNumbers)))
    }

    // MARK: - Carriers

    private func listCarriers(_ context: RequestContext) async throws -> HTTPResponse {
        try requireNumberModule(context, action: "get carriers")
        try rejectQueryParameters(context.request, allowed: [])
        let carriers = try await store.carriers(instanceID: context.instance.id)

        var writer = JSONWriter(capacity: 64 + carriers.count * 64)
        writer.beginArray()
        for carrier in carriers {
            writer.beginObject()
            writer.key("name")
            writer.string(carrier.name)
            writer.key("id")
            writer.int(carrier.id)
            writer.endObject()
        }
        writer.endArray()
        return .json(200, writer.bytes)
    }

    private func createCarrier(_ context: RequestContext) async throws -> HTTPResponse {
        guard context.caller.isPlatformAdmin else {
            throw APIError.forbidden(action: "create carriers", detail: "Only a platform admin can define carriers.")
        }

        var reader = WireReader()
        let json = try context.request.jsonBody(maxDepth: 2)
        guard let object = reader.object(json, at: "body") else {
            throw APIError.badRequest("The body must be a JSON object such as {\"name\": \"Carrier A\"}.", fields: reader.errors)
        }
        reader.rejectUnknownKeys(object, allowed: ["name"], at: "")
        let name = reader.string(object, "name", at: "").flatMap { $0 }
        if let name {
            reader.errors += FieldRules.validateFreeText(name, field: "name")
        } else if reader.errors.isEmpty {
            reader.errors.append(FieldError(field: "name", message: "name is required"))
        }
        guard let name, reader.errors.isEmpty else {
            throw APIError.badRequest("The carrier body has invalid fields; see errors.", fields: reader.errors)
        }

        let carrier: Carrier
        do {
            carrier = try await store.createCarrier(instanceID: context.instance.id, name: name)
        } catch StoreError.duplicate {
            throw APIError.conflict("A carrier named \"\(name.prefix(80))\" already exists in this instance; choose another name.")
        }
        Log.info("carrier created", ["carrier_id": String(carrier.id), "request_id": context.request.requestID])

        var writer = JSONWriter()
        writer.beginObject()
        writer.key("statusCode")
        writer.string("200")
        writer.key("status")
        writer.string("No error")
        writer.key("id")
        writer.int(carrier.id)
        writer.endObject()
        return .json(200, writer.bytes)
    }

    // MARK: - Carrier numbers

    private func listCarrierNumbers(_ context: RequestContext) async throws -> HTTPResponse {
        try requireNumberModule(context, action: "get carrier numbers")
        let carrier = try await requireCarrier(context)
        let page = try pageParameters(context.request, allowed: [])
        var query = scopedQuery(context, limit: page.limit + 1)
        query.carrierID = carrier.id
        query.after = page.after
        return try await numberPage(query, limit: page.limit)
    }

    private func uploadNumbers(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "upload numbers to carrier management"
        try requireNumberModule(context, action: action)
        try requireInventoryManager(context, action: action, verb: "upload")
        let carrier = try await requireCarrier(context)

        // Decode.
        let request = context.request
        let body: UploadBody
        switch request.mediaType {
        case "application/json":
            try rejectQueryParameters(request, allowed: [])
            body = try NumberWire.decodeUploadJSON(try request.jsonBody(maxDepth: 4))
        case "text/csv":
            let parameters = try rejectQueryParameters(request, allowed: ["customerId", "resellerId"])
            var reader = WireReader()
            let customerID = parameters["customerId"].flatMap { parseID($0, field: "customerId", reader: &reader) }
            let resellerID = parameters["resellerId"].flatMap { parseID($0, field: "resellerId", reader: &reader) }
            guard reader.errors.isEmpty else {
                throw APIError.badRequest("The query parameters are invalid; see errors.", fields: reader.errors)
            }
            body = UploadBody(rows: try NumberWire.decodeUploadCSV(request.body), customerID: customerID, resellerID: resellerID)
        default:
            throw APIError.badRequest(
                "Send the numbers as application/json or text/csv; the content type was \(request.mediaType.map { String($0.prefix(80)) } ?? "missing")."
            )
        }

        // Authorize the target account.
        let holder = try await uploadHolder(body, context)

        // Validate every number.
        let mode = try await store.numberValidation(instanceID: context.instance.id)
        let parseStart = monotonicMilliseconds()
        let parsed = await NumberParsing.parse(body.rows, mode: mode, chunkCount: pool.threadCount)
        let parseMilliseconds = monotonicMilliseconds() - parseStart
        guard parsed.rejectedCount == 0 else {
            return NumberWire.rejectionResponse(
                status: 400,
                detail:
                    "\(parsed.rejectedCount) of \(body.rows.count) numbers are invalid or repeated, so none was uploaded; fix the numbers listed in errors.",
                rejections: parsed.rejections, total: parsed.rejectedCount)
        }

        // Store.
        let now = Application.now()
        let toCustomer = holder.kind == .customer
        let placement = NumberPlacement(
            instanceID: context.instance.id, carrierID: carrier.id, accountID: holder.id,
            status: toCustomer ? .assigned : .available, activatedAt: toCustomer ? now : nil, time: now)
        // NOTE: the server returns 503 once --request-timeout-ms passes, but this transaction
        // still runs to its end and may commit, so a client that retries then gets 409.
        let storeStart = monotonicMilliseconds()
        let outcome = try await store.insertNumbers(parsed.numbers, placement: placement)
        let storeMilliseconds = monotonicMilliseconds() - storeStart
        switch outcome {
        case .changed(let count):
            Log.info(
                "numbers uploaded",
                [
                    "carrier_id": String(carrier.id), "account_id": String(holder.id), "count": String(count),
                    "parse_ms": String(parseMilliseconds), "store_ms": String(storeMilliseconds), "request_id": request.requestID,
                ])
            return countResponse("numbersAdded", count)
        case .rejected(let rejections, let total):
            return NumberWire.rejectionResponse(
                status: 409,
                detail:
                    "\(total) of \(body.rows.count) numbers are already in this instance, so none was uploaded; remove them from the upload.",
                rejections: rejections, total: total)
        }
    }

    /// Returns the account an upload goes to: `customerId`, else `resellerId`, else the caller's own reseller.
    private func uploadHolder(_ body: UploadBody, _ context: RequestContext) async throws -> Account {
        if body.customerID != nil && body.resellerID != nil {
            throw APIError.badRequest("Give customerId or resellerId, not both: numbers go to one account.")
        }
        if let customerID = body.customerID {
            let account = try await visibleAccount(customerID, context)
            guard account.kind == .customer else {
                throw APIError.badRequest("customerId \(customerID) is a \(account.kind.rawValue) account; name a Customer account.")
            }
            return account
        }
        if let resellerID = body.resellerID {
            let account = try await visibleAccount(resellerID, context)
            guard account.kind == .reseller else {
                throw APIError.badRequest("resellerId \(resellerID) is a \(account.kind.rawValue) account; name a Reseller account.")
            }
            return account
        }
        guard let scopeID = context.caller.scopeAccountID else {
            throw APIError.badRequest("A platform admin must name the target account: give resellerId or customerId.")
        }
        return try await visibleAccount(scopeID, context)
    }

    private func deleteNumbers(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "remove numbers from carrier management"
        try requireNumberModule(context, action: action)
        try requireInventoryManager(context, action: action, verb: "remove")
        let carrier = try await requireCarrier(context)
        try rejectQueryParameters(context.request, allowed: [])

        let list = try NumberWire.decodeNumberList(try context.request.jsonBody(maxDepth: 4), allowCustomer: false)
        let numbers = try await parsedNumberList(list.inputs, region: list.region)
        let outcome = try await store.deleteNumbers(
            numbers, instanceID: context.instance.id, carrierID: carrier.id, scopePath: context.caller.scopePath)
        return bulkResponse(outcome, verb: "removed", context: context, logMessage: "numbers removed", carrierID: carrier.id)
    }

    // MARK: - Helpers

    /// Throws 404 unless the `carrierId` path parameter names a carrier of the instance.
    private func requireCarrier(_ context: RequestContext) async throws -> Carrier {
        let id = try context.request.idParameter("carrierId")
        guard let carrier = try await store.carrier(id: id, instanceID: context.instance.id) else {
            throw APIError.notFound("Carrier \(id) does not exist in this instance; list carriers with GET /v1/carriers.")
        }
        return carrier
    }

    /// Throws 403 unless the caller is a platform admin or a reseller's own login.
    private func requireInventoryManager(_ context: RequestContext, action: String, verb: String) throws {
        let caller = context.caller
        guard caller.isPlatformAdmin || caller.accountKind == .reseller else {
            throw APIError.forbidden(
                action: action, detail: "Only a platform admin or a reseller's own login can \(verb) carrier numbers; ask your reseller.")
        }
    }
}
