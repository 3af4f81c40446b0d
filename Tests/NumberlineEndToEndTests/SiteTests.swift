import Foundation
import Testing

@Suite("Sites")
struct SiteTests {
    typealias F = FeatureFixture

    /// Creates a site and returns its id, failing unless the call returns 200.
    private func createSite(_ f: FeatureFixture, name: String, token: String, query: String = "") throws -> String {
        let response = try f.call("POST", "/v1/sites\(query)", token: token, json: #"{"departmentName":"\#(name)"}"#)
        guard response.status == 200, let id = response.field("siteId") else {
            throw TestError("creating a site answered \(response.status): \(response.text)")
        }
        return id
    }

    @Test("create, list, rename and delete")
    func lifecycle() throws {
        let f = try FeatureFixture()
        let id = try createSite(f, name: "Sales", token: f.customerA1)
        let list = try f.call("GET", "/v1/sites", token: f.customerA1)
        #expect(list.text == #"[{"departmentName":"Sales","siteId":"\#(id)"}]"#)

        #expect(try f.call("PUT", "/v1/sites/\(id)", token: f.customerA1, json: #"{"departmentName":"Marketing"}"#).status == 200)
        let one = try f.call("GET", "/v1/sites/\(id)", token: f.customerA1)
        #expect(one.field("departmentName") == "Marketing")

        #expect(try f.call("DELETE", "/v1/sites/\(id)", token: f.customerA1).status == 200)
        #expect(try f.call("GET", "/v1/sites/\(id)", token: f.customerA1).status == 404)
    }

    @Test("names unique per customer in any case")
    func uniqueNames() throws {
        let f = try FeatureFixture()
        let sales = try createSite(f, name: "Sales", token: f.customerA1)
        let duplicate = try f.call("POST", "/v1/sites", token: f.customerA1, json: #"{"departmentName":"SALES"}"#)
        #expect(duplicate.status == 409)
        let other = try createSite(f, name: "Support", token: f.customerA1)
        let rename = try f.call("PUT", "/v1/sites/\(other)", token: f.customerA1, json: #"{"departmentName":"sales"}"#)
        #expect(rename.status == 409)
        // Renaming a site to its own name in another case is allowed.
        #expect(try f.call("PUT", "/v1/sites/\(sales)", token: f.customerA1, json: #"{"departmentName":"SALES"}"#).status == 200)
        // Another customer may use the same name.
        _ = try createSite(f, name: "Sales", token: f.customerA2)
    }

    @Test("resellers name the customer")
    func resellerNamesCustomer() throws {
        let f = try FeatureFixture()
        let missing = try f.call("POST", "/v1/sites", token: f.resellerA, json: #"{"departmentName":"Sales"}"#)
        #expect(missing.status == 400)
        let id = try createSite(f, name: "Sales", token: f.resellerA, query: "?customerId=\(f.tenants.customerA1)")
        let list = try f.call("GET", "/v1/sites", token: f.customerA1)
        #expect(list.text.contains(#""siteId":"\#(id)""#))
        let resellerList = try f.call("GET", "/v1/sites?customerId=\(f.tenants.customerA1)", token: f.resellerA)
        #expect(resellerList.text == list.text)
        let notCustomer = try f.call("GET", "/v1/sites?customerId=\(f.tenants.resellerA)", token: f.adminToken)
        #expect(notCustomer.status == 400)
    }

    @Test("other tenants see nothing")
    func crossTenant() throws {
        let f = try FeatureFixture()
        let id = try createSite(f, name: "Sales", token: f.customerA1)
        #expect(try f.call("GET", "/v1/sites/\(id)", token: f.customerB1).status == 404)
        #expect(try f.call("GET", "/v1/sites/\(id)", token: f.customerA2).status == 404)
        #expect(try f.call("PUT", "/v1/sites/\(id)", token: f.resellerB, json: #"{"departmentName":"X"}"#).status == 404)
        #expect(try f.call("DELETE", "/v1/sites/\(id)", token: f.resellerB).status == 404)
        #expect(try f.call("GET", "/v1/sites?customerId=\(f.tenants.customerA1)", token: f.resellerB).status == 404)
        #expect(try f.call("GET", "/v1/sites/999999", token: f.customerA1).status == 404)
    }

    @Test("guards: user login, modules, body")
    func guards() throws {
        let f = try FeatureFixture()
        #expect(try f.call("POST", "/v1/sites", token: f.userA1u, json: #"{"departmentName":"Sales"}"#).status == 403)
        #expect(try f.call("GET", "/v1/sites", token: f.userA1u).status == 200)
        let restricted = try f.restrictedCustomer(name: "Plain Co", modules: #"{"msteam":false,"ucaas":false}"#)
        let forbidden = try f.call("GET", "/v1/sites", token: restricted.token)
        #expect(forbidden.status == 403)
        #expect(forbidden.field("status") == "Forbidden not allowed to get departments")
        let teamsOnly = try f.restrictedCustomer(name: "Teams Co", modules: #"{"ucaas":false}"#)
        #expect(try f.call("GET", "/v1/sites", token: teamsOnly.token).status == 200)
        for body in [
            #"{}"#, #"{"departmentName":""}"#, #"{"departmentName":"A","x":1}"#,
            #"{"departmentName":"\#(String(repeating: "a", count: 101))"}"#,
        ] {
            #expect(try f.call("POST", "/v1/sites", token: f.customerA1, json: body).status == 400, "\(body)")
        }
    }

    @Test("assigned users block deletion")
    func assignedUsersBlockDeletion() throws {
        let f = try FeatureFixture()
        let id = try createSite(f, name: "Sales", token: f.customerA1)
        // A Teams user of customer A1 on that site.
        let tenant = #"{"accountType":"Customer","customerAccount":{"msTeamsTenantId":"3f2b6c1e-8d4a-4c2e-9b7f-1a2b3c4d5e6f"}}"#
        #expect(try f.call("PUT", "/v1/accounts/\(f.tenants.customerA1)", token: f.resellerA, json: tenant).status == 200)
        let user =
            #"{"upn":"sam@a1.example","firstName":"Sam","lastName":"Seller","telephoneNumber":"\#(F.numbersA1[0])","siteId":"\#(id)"}"#
        let provisioned = try f.call("POST", "/v1/msteams/\(f.tenants.customerA1)/users", token: f.customerA1, json: user)
        #expect(provisioned.status == 200, "\(provisioned.text)")
        let userID = provisioned.field("id") ?? ""

        let blocked = try f.call("DELETE", "/v1/sites/\(id)", token: f.customerA1)
        #expect(blocked.status == 409)
        #expect(blocked.field("detail")?.contains("1 Microsoft Teams users") == true)

        // A site of another customer cannot be given to A1's user.
        let otherSite = try createSite(f, name: "Sales", token: f.customerA2)
        let moved = try f.call(
            "PUT", "/v1/msteams/\(f.tenants.customerA1)/users/\(userID)", token: f.customerA1, json: #"{"siteId":"\#(otherSite)"}"#)
        #expect(moved.status == 400)

        #expect(try f.call("DELETE", "/v1/msteams/\(f.tenants.customerA1)/users/\(userID)", token: f.customerA1).status == 200)
        #expect(try f.call("DELETE", "/v1/sites/\(id)", token: f.customerA1).status == 200)
    }
}
