import Foundation
import NumberlineJSON
import Testing

@Suite("Zoom")
struct ZoomTests {
    @Test("peer, list and un-peer numbers")
    func peeringLifecycle() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100", "19195550101", "19195550102"])
        let server = fixture.server
        let path = "/v1/zoom/\(fixture.tenants.customerA1)/numbers"

        let peered = try server.call(
            "POST", path, token: fixture.tokenA1, json: #"{"telephoneNumbers":["+1 (919) 555-0101","19195550100"]}"#)
        #expect(peered.status == 200)
        #expect(peered.text == #"{"statusCode":"200","status":"No error","numbersPeered":2}"#)
        #expect(try fixture.inventoryStatus("19195550100") == "provisioned")

        let listed = try server.call("GET", path, token: fixture.tokenA).json().array ?? []
        #expect(listed.compactMap { $0["telephoneNumber"]?.string } == ["19195550100", "19195550101"])
        #expect(listed.first?["status"]?.string == "peered")
        #expect(listed.first?["upn"]?.isNull == true)
        #expect(listed.first?["id"]?.string != nil)

        let paged = try server.call("GET", "\(path)?limit=1", token: fixture.tokenA1)
        let cursor = try #require(paged.headers["x-next-cursor"])
        let second = try server.call("GET", "\(path)?limit=1&cursor=\(cursor)", token: fixture.tokenA1)
        #expect(try second.json().array?.first?["telephoneNumber"]?.string == "19195550101")
        #expect(second.headers["x-next-cursor"] == nil)

        // A peered number cannot move.
        #expect(
            try server.call("POST", "/v1/numbers/release", token: fixture.tokenA, json: #"{"telephoneNumbers":["19195550100"]}"#).status
                == 409)

        let unpeered = try server.call("DELETE", path, token: fixture.tokenA1, json: #"{"telephoneNumbers":["19195550100","19195550101"]}"#)
        #expect(unpeered.status == 200)
        #expect(unpeered.field("numbersUnpeered") == nil)
        #expect(try unpeered.json()["numbersUnpeered"]?.int64 == 2)
        #expect(try fixture.inventoryStatus("19195550100") == "assigned")
        #expect(try server.call("GET", path, token: fixture.tokenA1).text == "[]")
    }

    @Test("conflicts list every number and change nothing")
    func peeringConflicts() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100", "19195550101", "19195550102"], numbersB1: ["19195550200"])
        let server = fixture.server
        let path = "/v1/zoom/\(fixture.tenants.customerA1)/numbers"
        #expect(try fixture.provision(upn: "a@example.com", number: "19195550100").status == 200)
        #expect(try server.call("POST", path, token: fixture.tokenA1, json: #"{"telephoneNumbers":["19195550101"]}"#).status == 200)

        let blocked = try server.call(
            "POST", path, token: fixture.tokenA1,
            json: #"{"telephoneNumbers":["19195550102","19195550100","19195550101","19195550200","19195550999"]}"#)
        #expect(blocked.status == 409)
        #expect(blocked.rejectedNumbers() == ["19195550100", "19195550101", "19195550200", "19195550999"])
        let reasons = blocked.rejectionReasons()
        #expect(reasons.first?.contains("Microsoft Teams user") == true)
        #expect(reasons.dropFirst().first?.contains("already peered") == true)
        #expect(reasons.last?.contains("not held by this customer") == true)
        #expect(try blocked.json()["errorCount"]?.int64 == 4)
        #expect(try fixture.inventoryStatus("19195550102") == "assigned")

        // A peered number cannot be provisioned to a Teams user.
        let teams = try fixture.provision(upn: "b@example.com", number: "19195550101")
        #expect(teams.status == 409)
        #expect(teams.field("detail")?.contains("peered to Zoom") == true)

        let notPeered = try server.call(
            "DELETE", path, token: fixture.tokenA1, json: #"{"telephoneNumbers":["19195550101","19195550102"]}"#)
        #expect(notPeered.status == 409)
        #expect(notPeered.rejectedNumbers() == ["19195550102"])
        #expect(try fixture.inventoryStatus("19195550101") == "provisioned")
        // A Teams user's number is not un-peered.
        let teamsNumber = try server.call("DELETE", path, token: fixture.tokenA1, json: #"{"telephoneNumbers":["19195550100"]}"#)
        #expect(teamsNumber.status == 409)
    }

    @Test("Zoom account change with peerings is 409")
    func accountIDChangeWithPeerings() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100", "19195550101", "19195550102"])
        let server = fixture.server
        let customer = fixture.tenants.customerA1
        let path = "/v1/zoom/\(customer)/numbers"
        #expect(
            try server.call("POST", path, token: fixture.tokenA1, json: #"{"telephoneNumbers":["19195550100","19195550101"]}"#).status
                == 200)

        for value in ["null", #""zoom-other""#] {
            let body = #"{"accountType":"Customer","customerAccount":{"zoomAccountId":\#(value),"companyName":"Renamed"}}"#
            let response = try server.call("PUT", "/v1/accounts/\(customer)", token: fixture.tokenA, json: body)
            #expect(response.status == 409, "\(value): \(response.text)")
            #expect(response.field("statusCode") == "409")
            let detail = response.field("detail") ?? ""
            #expect(detail.contains("2 number(s) peered to Zoom"), "\(detail)")
            #expect(detail.contains("un-peer"), "\(detail)")
        }

        // Nothing changed: the Zoom account id, the other field of the body, and the peerings stay.
        let account = try server.call("GET", "/v1/accounts/\(customer)", token: fixture.tokenA).json()
        #expect(account["customerAccount"]?["zoomAccountId"]?.string == "zoom-\(customer)")
        #expect(account["customerAccount"]?["companyName"]?.string == "Customer A1")
        #expect(try server.call("GET", path, token: fixture.tokenA1).json().array?.count == 2)
    }

    @Test("Zoom account change without peerings works")
    func accountIDChangeWithoutPeerings() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100"])
        let server = fixture.server
        let customer = fixture.tenants.customerA1
        let path = "/v1/zoom/\(customer)/numbers"
        let numbers = #"{"telephoneNumbers":["19195550100"]}"#
        #expect(try server.call("POST", path, token: fixture.tokenA1, json: numbers).status == 200)
        #expect(try server.call("DELETE", path, token: fixture.tokenA1, json: numbers).status == 200)

        let changed = #"{"accountType":"Customer","customerAccount":{"zoomAccountId":"zoom-other"}}"#
        let changeResponse = try server.call("PUT", "/v1/accounts/\(customer)", token: fixture.tokenA, json: changed)
        #expect(changeResponse.status == 200, "\(changeResponse.text)")
        let afterChange = try server.call("GET", "/v1/accounts/\(customer)", token: fixture.tokenA).json()
        #expect(afterChange["customerAccount"]?["zoomAccountId"]?.string == "zoom-other")

        let removed = #"{"accountType":"Customer","customerAccount":{"zoomAccountId":null}}"#
        let removeResponse = try server.call("PUT", "/v1/accounts/\(customer)", token: fixture.tokenA, json: removed)
        #expect(removeResponse.status == 200, "\(removeResponse.text)")
        let afterRemoval = try server.call("GET", "/v1/accounts/\(customer)", token: fixture.tokenA).json()
        #expect(afterRemoval["customerAccount"]?["zoomAccountId"]?.isNull == true)
    }

    @Test("peering validates its input")
    func peeringValidation() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100"], linkA1: false)
        let server = fixture.server
        let path = "/v1/zoom/\(fixture.tenants.customerA1)/numbers"

        let unlinked = try server.call("POST", path, token: fixture.tokenA1, json: #"{"telephoneNumbers":["19195550100"]}"#)
        #expect(unlinked.status == 400)
        #expect(unlinked.text.contains("zoomAccountId"))

        try fixture.link(customer: fixture.tenants.customerA1, token: fixture.tokenA)
        let bodies = [
            #"{"telephoneNumbers":[]}"#,
            #"{"telephoneNumbers":["19195550100","19195550100"]}"#,
            #"{"telephoneNumbers":["not a number"]}"#,
            #"{"telephoneNumbers":["19195550100"],"colour":"red"}"#,
            #"{}"#,
        ]
        for body in bodies {
            #expect(try server.call("POST", path, token: fixture.tokenA1, json: body).status == 400, "\(body)")
        }
        #expect(try server.call("GET", "\(path)?cursor=zz", token: fixture.tokenA1).status == 400)
        #expect(try fixture.inventoryStatus("19195550100") == "assigned")
    }

    @Test("section needs the ucaas module")
    func moduleRequired() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100"])
        let server = fixture.server
        _ = try Tenants.create(
            server, token: fixture.tokenA,
            json: Tenants.customer("No UCaaS", login: "no-ucaas", extra: #","modulesAccess":{"ucaas":false}"#))
        let token = try server.token(username: "no-ucaas")
        let path = "/v1/zoom/\(fixture.tenants.customerA1)/numbers"

        let listed = try server.call("GET", path, token: token)
        #expect(listed.status == 403)
        #expect(listed.field("status") == "Forbidden not allowed to get numbers")
        #expect(try server.call("POST", path, token: token, json: #"{"telephoneNumbers":["19195550100"]}"#).status == 403)
    }

    @Test("routes stay inside the caller's tree")
    func crossTenant() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100"])
        let server = fixture.server
        let body = #"{"telephoneNumbers":["19195550100"]}"#
        for (method, json) in [("GET", nil), ("POST", body), ("DELETE", body)] as [(String, String?)] {
            let foreign = try server.call(method, "/v1/zoom/\(fixture.tenants.customerA1)/numbers", token: fixture.tokenB, json: json)
            let unknown = try server.call(method, "/v1/zoom/999999/numbers", token: fixture.tokenB, json: json)
            #expect(foreign.status == 404, "\(method)")
            #expect(
                foreign.text.replacingOccurrences(of: fixture.tenants.customerA1, with: "N")
                    == unknown.text.replacingOccurrences(of: "999999", with: "N"))
        }
        let userToken = try server.token(username: Tenants.Username.userA1u)
        #expect(try server.call("GET", "/v1/zoom/\(fixture.tenants.customerA1)/numbers", token: userToken).status == 200)
        #expect(try server.call("POST", "/v1/zoom/\(fixture.tenants.customerA1)/numbers", token: userToken, json: body).status == 403)
        #expect(try server.call("DELETE", "/v1/zoom/\(fixture.tenants.customerA1)/numbers", token: userToken, json: body).status == 403)
        #expect(try fixture.inventoryStatus("19195550100") == "assigned")
    }
}
