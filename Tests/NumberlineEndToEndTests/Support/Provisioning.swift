import Foundation
import NumberlineJSON

/// A server with the standard tenants, a carrier, and numbers uploaded straight to customers.
struct ProvisioningFixture {
    static let tenantID = "0f8fad5b-d9cb-469f-a165-70867728950e"

    let server: TestServer
    let tenants: Tenants
    let tokenA: String
    let tokenA1: String
    let tokenB: String

    /// Uploads `numbersA1` to customer A1 and `numbersB1` to customer B1. `linkA1` sets A1's
    /// Teams tenant id and Zoom account id.
    init(numbersA1: [String], numbersB1: [String] = [], linkA1: Bool = true) throws {
        server = try TestServer()
        tenants = try Tenants(server: server)
        tokenA = try server.token(username: Tenants.Username.resellerA)
        tokenA1 = try server.token(username: Tenants.Username.customerA1)
        tokenB = try server.token(username: Tenants.Username.resellerB)
        let carrier = try server.makeCarrier("Carrier A")
        if !numbersA1.isEmpty {
            try Self.expectOK(
                server.uploadJSON(carrier: carrier, token: tokenA, numbers: numbersA1, extra: #","customerId":"\#(tenants.customerA1)""#))
        }
        if !numbersB1.isEmpty {
            try Self.expectOK(
                server.uploadJSON(carrier: carrier, token: tokenB, numbers: numbersB1, extra: #","customerId":"\#(tenants.customerB1)""#))
        }
        if linkA1 {
            try link(customer: tenants.customerA1, token: tokenA)
        }
    }

    /// Sets the customer's Teams tenant id and Zoom account id.
    func link(customer: String, token: String) throws {
        let body =
            #"{"accountType":"Customer","customerAccount":{"msTeamsTenantId":"\#(Self.tenantID)","zoomAccountId":"zoom-\#(customer)"}}"#
        try Self.expectOK(server.call("PUT", "/v1/accounts/\(customer)", token: token, json: body))
    }

    /// Creates a site of customer A1 and returns its id.
    func createSite(_ name: String) throws -> String {
        let response = try server.call("POST", "/v1/sites", token: tokenA1, json: #"{"departmentName":"\#(name)"}"#)
        guard response.status == 200, let id = response.field("siteId") else {
            throw TestError("creating a site answered \(response.status): \(response.text)")
        }
        return id
    }

    /// Provisions a Teams user through `node`, by default the fixture's server, and returns the response.
    func provision(
        upn: String, number: String, customer: String? = nil, token: String? = nil, extra: String = "", on node: TestServer? = nil
    ) throws -> TestResponse {
        let body = #"{"upn":"\#(upn)","firstName":"Test","lastName":"User","note":"Sales","telephoneNumber":"\#(number)"\#(extra)}"#
        return try (node ?? server).call("POST", "/v1/msteams/\(customer ?? tenants.customerA1)/users", token: token ?? tokenA1, json: body)
    }

    /// Returns the inventory status of a number, read with reseller A's token.
    func inventoryStatus(_ number: String) throws -> String? {
        try server.call("GET", "/v1/numbers/\(number)", token: tokenA).json()["status"]?.string
    }

    static func expectOK(_ response: TestResponse) throws {
        guard response.status == 200 else {
            throw TestError("expected 200, got \(response.status): \(response.text)")
        }
    }
}
