import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore

// The Zoom section: peering a customer's numbers to its linked Zoom account. Numberline records
// the peering only and calls no Zoom service.
extension Application {
    func registerZoom(_ router: inout Router) {
        router.add(.get, "/v1/zoom/{customerId}/numbers", authenticated(listZoomNumbers))
        router.add(
            .post, "/v1/zoom/{customerId}/numbers", maxBodyBytes: Application.maxNumberListBytes,
            authenticated(onBlockingPool(peerZoomNumbers)))
        router.add(
            .delete, "/v1/zoom/{customerId}/numbers", maxBodyBytes: Application.maxNumberListBytes,
            authenticated(onBlockingPool(unpeerZoomNumbers)))
    }

    private func listZoomNumbers(_ context: RequestContext) async throws -> HTTPResponse {
        try requireZoomModule(context, action: "get numbers")
        let customer = try await provisioningCustomer(context)
        let page = try provisioningPage(context.request, allowed: [])
        var after: String?
        if let cursor = page.cursor {
            guard let number = NumberWire.telephoneNumber(fromCursor: cursor) else {
                throw invalidCursor(cursor)
            }
            after = number
        }

        let peerings = try await store.zoomPeerings(
            instanceID: context.instance.id, customerID: customer.id, after: after, limit: page.limit + 1)
        let shown = peerings.prefix(page.limit)
        var writer = JSONWriter(capacity: 64 + shown.count * 160)
        writer.beginArray()
        for peering in shown {
            ProvisioningWire.write(peering, into: &writer)
        }
        writer.endArray()
        let next = peerings.count > page.limit ? shown.last.map { NumberWire.cursor(after: $0.telephoneNumber) } : nil
        return pageResponse(writer.bytes, nextCursor: next)
    }

    private func peerZoomNumbers(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "peer numbers"
        try requireZoomModule(context, action: action)
        try requireProvisioner(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])
        let list = try NumberWire.decodeNumberList(try context.request.jsonBody(maxDepth: 4), allowCustomer: false)
        let customer = try await provisioningCustomer(context)
        guard customer.profile.zoomAccountId != nil else {
            throw APIError.badRequest(
                "Customer \(customer.id) has no zoomAccountId, so it is not linked to Zoom; set customerAccount.zoomAccountId with PUT /v1/accounts/\(customer.id) first.",
                fields: [FieldError(field: "zoomAccountId", message: "the customer has no linked Zoom account")])
        }
        let numbers = try await parsedNumberList(list.inputs, region: list.region)

        let outcome = try await store.peerZoomNumbers(
            numbers, instanceID: context.instance.id, customerID: customer.id, time: Application.now())
        return zoomResponse(outcome, verb: "peered", key: "numbersPeered", customer: customer, context: context)
    }

    private func unpeerZoomNumbers(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "unpeer numbers"
        try requireZoomModule(context, action: action)
        try requireProvisioner(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])
        let list = try NumberWire.decodeNumberList(try context.request.jsonBody(maxDepth: 4), allowCustomer: false)
        let customer = try await provisioningCustomer(context)
        let numbers = try await parsedNumberList(list.inputs, region: list.region)

        let outcome = try await store.unpeerZoomNumbers(
            numbers, instanceID: context.instance.id, customerID: customer.id, time: Application.now())
        return zoomResponse(outcome, verb: "unpeered", key: "numbersUnpeered", customer: customer, context: context)
    }

    /// Throws 403 unless the caller's account has the `ucaas` module.
    private func requireZoomModule(_ context: RequestContext, action: String) throws {
        guard context.caller.modules.ucaas else {
            throw APIError.forbidden(
                action: action, detail: "The ucaas module is not enabled for this account; ask the account above it to grant it.")
        }
    }

    /// Turns a store outcome into the status object with a count, or a 409 listing the blocked numbers.
    private func zoomResponse(_ outcome: PeeringOutcome, verb: String, key: String, customer: Account, context: RequestContext)
        -> HTTPResponse
    {
        switch outcome {
        case .changed(let count):
            Log.info(
                "zoom numbers \(verb)",
                [
                    "customer_id": String(customer.id), "count": String(count), "request_id": context.request.requestID,
                ])
            return countResponse(key, count)
        case .rejected(let rejections, let total):
            return ProvisioningWire.rejectionResponse(
                detail:
                    "\(total == 1 ? "1 number" : "\(total) numbers") cannot be \(verb), so nothing changed; see errors for each number and its reason.",
                rejections: rejections, total: total)
        }
    }
}
