import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore

// The Sites section: departments of a customer, to which Microsoft Teams users are assigned.
// A customer's login works on its own sites. Resellers, admins and customers acting for a
// sub-customer name the customer with the customerId query parameter on GET and POST /v1/sites.
extension Application {
    func registerSites(_ router: inout Router) {
        router.add(.get, "/v1/sites", authenticated(listSites))
        router.add(.post, "/v1/sites", maxBodyBytes: 8 << 10, authenticated(createSite))
        router.add(.get, "/v1/sites/{siteId}", authenticated(getSite))
        router.add(.put, "/v1/sites/{siteId}", maxBodyBytes: 8 << 10, authenticated(updateSite))
        router.add(.delete, "/v1/sites/{siteId}", authenticated(deleteSite))
    }

    private func listSites(_ context: RequestContext) async throws -> HTTPResponse {
        try requireSiteModules(context, action: "get departments")
        let parameters = try rejectQueryParameters(context.request, allowed: ["customerId"])
        let customer = try await featureCustomer(context, customerID: parameters["customerId"])
        let sites = try await store.sites(customerID: customer.id, instanceID: context.instance.id)

        var writer = JSONWriter(capacity: 64 + sites.count * 96)
        writer.beginArray()
        for site in sites {
            Self.write(site, into: &writer)
        }
        writer.endArray()
        return .json(200, writer.bytes)
    }

    private func createSite(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "create department"
        try requireSiteModules(context, action: action)
        try requireWriter(context, action: action)
        let parameters = try rejectQueryParameters(context.request, allowed: ["customerId"])
        let name = try decodeDepartmentName(context)
        let customer = try await featureCustomer(context, customerID: parameters["customerId"])

        let site: Site
        do {
            site = try await store.createSite(customerID: customer.id, instanceID: context.instance.id, departmentName: name)
        } catch StoreError.duplicate {
            throw APIError.conflict(
                "Customer \(customer.id) already has a site named \"\(name.prefix(80))\" in some letter case; choose another name.")
        }
        Log.info("site created", ["site_id": String(site.id), "customer_id": String(customer.id), "request_id": context.request.requestID])
        return noErrorResponse(extra: ("siteId", String(site.id)))
    }

    private func getSite(_ context: RequestContext) async throws -> HTTPResponse {
        try requireSiteModules(context, action: "get departments")
        try rejectQueryParameters(context.request, allowed: [])
        let site = try await visibleSite(context)
        var writer = JSONWriter(capacity: 128)
        Self.write(site, into: &writer)
        return .json(200, writer.bytes)
    }

    private func updateSite(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "remove department"
        try requireSiteModules(context, action: action)
        try requireWriter(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])
        let name = try decodeDepartmentName(context)
        let site = try await visibleSite(context)

        do {
            try await store.renameSite(id: site.id, instanceID: context.instance.id, departmentName: name)
        } catch StoreError.duplicate {
            throw APIError.conflict(
                "Customer \(site.customerID) already has a site named \"\(name.prefix(80))\" in some letter case; choose another name.")
        }
        Log.info("site renamed", ["site_id": String(site.id), "request_id": context.request.requestID])
        return noErrorResponse()
    }

    private func deleteSite(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "delete department"
        try requireSiteModules(context, action: action)
        try requireWriter(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])
        let site = try await visibleSite(context)

        do {
            try await store.deleteSite(id: site.id, instanceID: context.instance.id)
        } catch StoreError.conflict {
            let users = try await store.siteAssignmentCount(siteID: site.id)
            throw APIError.conflict(
                "\(users) Microsoft Teams users are still assigned to site \(site.id); move or remove them, then retry.")
        }
        Log.info("site deleted", ["site_id": String(site.id), "request_id": context.request.requestID])
        return noErrorResponse()
    }

    // MARK: - Helpers

    /// Returns the site of the `siteId` path parameter; another tenant's site is reported like a missing one.
    private func visibleSite(_ context: RequestContext) async throws -> Site {
        let id = try context.request.idParameter("siteId")
        guard let site = try await store.site(id: id, instanceID: context.instance.id), context.caller.canSee(path: site.customerPath)
        else {
            throw APIError.notFound("Site \(id) does not exist or is not visible to you.")
        }
        return site
    }

    private func decodeDepartmentName(_ context: RequestContext) throws -> String {
        let body = try FeatureWire.decode(
            try context.request.jsonBody(maxDepth: 2), numbers: .absent, strings: ["departmentName"], required: ["departmentName"])
        let name = body.strings["departmentName"] ?? ""
        if let problem = FeatureRules.departmentNameProblem(name) {
            throw APIError.badRequest(
                "The body has invalid fields; see errors.", fields: [FieldError(field: "departmentName", message: problem)])
        }
        return name
    }

    /// Writes `{"departmentName", "siteId"}`; `siteId` is an addition to the reference.
    private static func write(_ site: Site, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("departmentName")
        writer.string(site.departmentName)
        writer.key("siteId")
        writer.string(String(site.id))
        writer.endObject()
    }
}
