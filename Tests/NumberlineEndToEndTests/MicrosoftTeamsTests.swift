import Foundation
import NumberlineJSON
import Testing

@Suite("Microsoft Teams")
struct MicrosoftTeamsTests {
    // MARK: - Customers

    @Test("account accepts and validates the tenant id")
    func accountTenantID() throws {
        let fixture = try ProvisioningFixture(numbersA1: [], linkA1: false)
        let server = fixture.server
        let customer = fixture.tenants.customerA1

        let invalid = try server.call(
            "PUT", "/v1/accounts/\(customer)", token: fixture.tokenA,
            json: #"{"accountType":"Customer","customerAccount":{"msTeamsTenantId":"not-a-guid"}}"#)
        #expect(invalid.status == 400)
        #expect(invalid.text.contains("customerAccount.msTeamsTenantId"))

        try fixture.link(customer: customer, token: fixture.tokenA)
        let account = try server.call("GET", "/v1/accounts/\(customer)", token: fixture.tokenA).json()
        #expect(account["customerAccount"]?["msTeamsTenantId"]?.string == ProvisioningFixture.tenantID)
        #expect(account["customerAccount"]?["zoomAccountId"]?.string == "zoom-\(customer)")

        let created = try server.call(
            "POST", "/v1/accounts", token: fixture.tokenA,
            json: Tenants.customer("Bad Tenant", login: "bad-tenant", extra: #","msTeamsTenantId":"0f8fad5b-d9cb-469f-a165-70867728950""#))
        #expect(created.status == 400)
    }

    @Test("customers list shows Teams-enabled ones")
    func customersList() throws {
        let fixture = try ProvisioningFixture(numbersA1: [])
        let server = fixture.server
        let expected =
            #"[{"customerId":"\#(fixture.tenants.customerA1)","companyName":"Customer A1","msTeamsTenantId":"\#(ProvisioningFixture.tenantID)"}]"#

        #expect(try server.call("GET", "/v1/msteams/customers", token: fixture.tokenA).text == expected)
        #expect(try server.call("GET", "/v1/msteams/customers", token: fixture.tokenA1).text == expected)
        #expect(try server.call("GET", "/v1/msteams/customers", token: fixture.tokenB).text == "[]")
        #expect(try server.call("GET", "/v1/msteams/customers?colour=red", token: fixture.tokenA).status == 400)
    }

    @Test("section needs the msteam module")
    func moduleRequired() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100"])
        let server = fixture.server
        _ = try Tenants.create(
            server, token: fixture.tokenA,
            json: Tenants.customer("No Teams", login: "no-teams", extra: #","modulesAccess":{"msteam":false}"#))
        let token = try server.token(username: "no-teams")

        let listed = try server.call("GET", "/v1/msteams/customers", token: token)
        #expect(listed.status == 403)
        #expect(listed.field("status") == "Forbidden not allowed to get customers")
        #expect(try server.call("GET", "/v1/msteams/\(fixture.tenants.customerA1)/users", token: token).status == 403)
        #expect(try server.call("GET", "/v1/msteams/\(fixture.tenants.customerA1)/numbers", token: token).status == 403)
        #expect(try fixture.provision(upn: "a@example.com", number: "19195550100", token: token).status == 403)
    }

    // MARK: - Users

    @Test("provision, read, list and unprovision")
    func userLifecycle() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100"])
        let server = fixture.server
        let customer = fixture.tenants.customerA1

        let site = try fixture.createSite("Sales")
        let created = try fixture.provision(upn: "test.user@example.com", number: "+1 919 555 0100", extra: #","siteId":"\#(site)""#)
        #expect(created.status == 200)
        #expect(created.field("status") == "No error")
        let id = try #require(created.field("id"))
        #expect(try fixture.inventoryStatus("19195550100") == "provisioned")

        let expected =
            #"{"id":"\#(id)","upn":"test.user@example.com","firstName":"Test","lastName":"User","note":"Sales","status":"configured","telephoneNumber":"19195550100","siteId":"\#(site)"}"#
        #expect(try server.call("GET", "/v1/msteams/\(customer)/users/\(id)", token: fixture.tokenA1).text == expected)
        #expect(try server.call("GET", "/v1/msteams/\(customer)/users", token: fixture.tokenA).text == "[\(expected)]")

        let deleted = try server.call("DELETE", "/v1/msteams/\(customer)/users/\(id)", token: fixture.tokenA1)
        #expect(deleted.status == 200)
        #expect(try fixture.inventoryStatus("19195550100") == "assigned")
        #expect(try server.call("GET", "/v1/msteams/\(customer)/users/\(id)", token: fixture.tokenA1).status == 404)
        #expect(try server.call("DELETE", "/v1/msteams/\(customer)/users/\(id)", token: fixture.tokenA1).status == 404)
    }

    @Test("provision rejects invalid bodies")
    func provisionValidation() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100"])
        let server = fixture.server
        let path = "/v1/msteams/\(fixture.tenants.customerA1)/users"
        let longName = String(repeating: "a", count: 65)
        let cases: [(String, String)] = [
            (#"{"firstName":"A","lastName":"B","telephoneNumber":"19195550100"}"#, "upn"),
            (#"{"upn":"a@example.com","lastName":"B","telephoneNumber":"19195550100"}"#, "firstName"),
            (#"{"upn":"a@example.com","firstName":"A","lastName":"B"}"#, "telephoneNumber"),
            (#"{"upn":"no-at-sign","firstName":"A","lastName":"B","telephoneNumber":"19195550100"}"#, "upn"),
            (#"{"upn":"\#(longName)@example.com","firstName":"A","lastName":"B","telephoneNumber":"19195550100"}"#, "upn"),
            (#"{"upn":"a b@example.com","firstName":"A","lastName":"B","telephoneNumber":"19195550100"}"#, "upn"),
            (#"{"upn":"a.@example.com","firstName":"A","lastName":"B","telephoneNumber":"19195550100"}"#, "upn"),
            (#"{"upn":"a@localhost","firstName":"A","lastName":"B","telephoneNumber":"19195550100"}"#, "upn"),
            (#"{"upn":"a@example.com","firstName":"A","lastName":"B","telephoneNumber":"not a number"}"#, "telephoneNumber"),
            (#"{"upn":"a@example.com","firstName":"A","lastName":"B","telephoneNumber":"19195550100","siteId":"x"}"#, "siteId"),
            (#"{"upn":"a@example.com","firstName":"A","lastName":"B","telephoneNumber":"19195550100","colour":"red"}"#, "colour"),
            (#"{"upn":"a@example.com","firstName":"A\u0001","lastName":"B","telephoneNumber":"19195550100"}"#, "firstName"),
        ]
        for (body, field) in cases {
            let response = try server.call("POST", path, token: fixture.tokenA1, json: body)
            #expect(response.status == 400, "\(body)")
            let fields = try response.json()["errors"]?.array?.compactMap { $0["field"]?.string } ?? []
            #expect(fields.contains(field), "\(body) answered \(response.text)")
        }
        #expect(try server.call("POST", path, token: fixture.tokenA1, json: "[]").status == 400)
        #expect(try fixture.inventoryStatus("19195550100") == "assigned")

        // 64 characters before the @ is the maximum.
        let maxName = String(repeating: "a", count: 64)
        #expect(try fixture.provision(upn: "\(maxName)@example.com", number: "19195550100").status == 200)
    }

    @Test("provision needs a Teams-enabled customer")
    func provisionNeedsTenant() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100"], linkA1: false)
        let response = try fixture.provision(upn: "a@example.com", number: "19195550100")
        #expect(response.status == 400)
        #expect(response.text.contains("msTeamsTenantId"))
    }

    @Test("provision conflicts answer 409")
    func provisionConflicts() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100", "19195550101"], numbersB1: ["19195550200"])
        let server = fixture.server
        let tenants = fixture.tenants
        let carrier = try server.makeCarrier("Carrier B")
        try ProvisioningFixture.expectOK(server.uploadJSON(carrier: carrier, token: fixture.tokenA, numbers: ["19195550300"]))
        try ProvisioningFixture.expectOK(
            server.uploadJSON(
                carrier: carrier, token: fixture.tokenA, numbers: ["19195550400"], extra: #","customerId":"\#(tenants.subCustomerA1x)""#))
        #expect(try fixture.provision(upn: "first@example.com", number: "19195550100").status == 200)

        let cases: [(upn: String, number: String, detail: String)] = [
            ("second@example.com", "19195550100", "provisioned to a Microsoft Teams user"),
            ("FIRST@Example.com", "19195550101", "already has a Teams user"),
            ("third@example.com", "19195550200", "not held by this customer"),
            ("third@example.com", "19195550300", "not held by this customer"),
            ("third@example.com", "19195550400", "not held by this customer"),
            ("third@example.com", "19195550999", "not held by this customer"),
        ]
        for entry in cases {
            let response = try fixture.provision(upn: entry.upn, number: entry.number)
            #expect(response.status == 409, "\(entry.number)")
            #expect(response.field("detail")?.contains(entry.detail) == true, "\(response.text)")
        }
        #expect(try fixture.inventoryStatus("19195550101") == "assigned")

        // A provisioned number cannot move or be released.
        let release = try server.call("POST", "/v1/numbers/release", token: fixture.tokenA, json: #"{"telephoneNumbers":["19195550100"]}"#)
        #expect(release.status == 409)
    }

    @Test("update changes fields and moves numbers")
    func userUpdate() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100", "19195550101", "19195550102"])
        let server = fixture.server
        let customer = fixture.tenants.customerA1
        let site = try fixture.createSite("Support")
        let id = try #require(try fixture.provision(upn: "a@example.com", number: "19195550100", extra: #","siteId":\#(site)"#).field("id"))
        #expect(try fixture.provision(upn: "b@example.com", number: "19195550102").status == 200)
        let path = "/v1/msteams/\(customer)/users/\(id)"

        let updated = try server.call(
            "PUT", path, token: fixture.tokenA1, json: #"{"firstName":"New","note":null,"siteId":null,"telephoneNumber":"19195550101"}"#)
        #expect(updated.status == 200)
        let user = try server.call("GET", path, token: fixture.tokenA1).json()
        #expect(user["firstName"]?.string == "New")
        #expect(user["lastName"]?.string == "User")
        #expect(user["note"]?.isNull == true)
        #expect(user["siteId"]?.isNull == true)
        #expect(user["telephoneNumber"]?.string == "19195550101")
        #expect(try fixture.inventoryStatus("19195550100") == "assigned")
        #expect(try fixture.inventoryStatus("19195550101") == "provisioned")

        // Moving to a taken number changes nothing, not even the names sent with it.
        let taken = try server.call("PUT", path, token: fixture.tokenA1, json: #"{"firstName":"Other","telephoneNumber":"19195550102"}"#)
        #expect(taken.status == 409)
        #expect(try server.call("GET", path, token: fixture.tokenA1).json()["firstName"]?.string == "New")
        #expect(try fixture.inventoryStatus("19195550101") == "provisioned")

        #expect(try server.call("PUT", path, token: fixture.tokenA1, json: #"{"upn":"B@example.com"}"#).status == 409)
        #expect(try server.call("PUT", path, token: fixture.tokenA1, json: #"{"upn":"renamed@example.com"}"#).status == 200)
        #expect(try server.call("PUT", path, token: fixture.tokenA1, json: #"{"lastName":null}"#).status == 400)
        #expect(try server.call("PUT", path, token: fixture.tokenA1, json: #"{"upn":"bad"}"#).status == 400)
        #expect(
            try server.call("PUT", "/v1/msteams/\(customer)/users/999999", token: fixture.tokenA1, json: #"{"note":"x"}"#).status == 404)
    }

    @Test("routes stay inside the caller's tree")
    func crossTenant() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100"], numbersB1: ["19195550200"])
        let server = fixture.server
        let tenants = fixture.tenants
        try fixture.link(customer: tenants.customerB1, token: fixture.tokenB)
        let id = try #require(try fixture.provision(upn: "a@example.com", number: "19195550100").field("id"))

        // Reseller B reaches A1 exactly as it reaches an unknown customer.
        let routes: [(String, String, String?)] = [
            ("GET", "/v1/msteams/{c}/users", nil),
            ("GET", "/v1/msteams/{c}/users/\(id)", nil),
            ("GET", "/v1/msteams/{c}/numbers", nil),
            ("POST", "/v1/msteams/{c}/users", #"{"upn":"b@example.com","firstName":"A","lastName":"B","telephoneNumber":"19195550200"}"#),
            ("PUT", "/v1/msteams/{c}/users/\(id)", #"{"note":"x"}"#),
            ("DELETE", "/v1/msteams/{c}/users/\(id)", nil),
        ]
        for (method, pattern, body) in routes {
            let foreign = try server.call(
                method, pattern.replacingOccurrences(of: "{c}", with: tenants.customerA1), token: fixture.tokenB, json: body)
            let unknown = try server.call(
                method, pattern.replacingOccurrences(of: "{c}", with: "999999"), token: fixture.tokenB, json: body)
            #expect(foreign.status == 404, "\(method) \(pattern)")
            #expect(
                foreign.text.replacingOccurrences(of: tenants.customerA1, with: "N")
                    == unknown.text.replacingOccurrences(of: "999999", with: "N"))
        }
        // A sibling customer cannot reach A1 either, and a user id of A1 is unknown under B1.
        let tokenA2 = try server.token(username: Tenants.Username.customerA2)
        #expect(try server.call("GET", "/v1/msteams/\(tenants.customerA1)/users", token: tokenA2).status == 404)
        #expect(try server.call("GET", "/v1/msteams/\(tenants.customerB1)/users/\(id)", token: fixture.tokenB).status == 404)
        #expect(try server.call("GET", "/v1/msteams/\(tenants.resellerA)/users", token: fixture.tokenA).status == 400)
        #expect(try server.call("GET", "/v1/msteams/abc/users", token: fixture.tokenA).status == 400)
        #expect(try fixture.inventoryStatus("19195550100") == "provisioned")
    }

    @Test("User logins are read-only")
    func userLoginReadOnly() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100", "19195550101"])
        let server = fixture.server
        let customer = fixture.tenants.customerA1
        let id = try #require(try fixture.provision(upn: "a@example.com", number: "19195550100").field("id"))
        let token = try server.token(username: Tenants.Username.userA1u)

        #expect(try server.call("GET", "/v1/msteams/\(customer)/users", token: token).status == 200)
        #expect(try server.call("GET", "/v1/msteams/\(customer)/numbers", token: token).status == 200)
        #expect(try fixture.provision(upn: "b@example.com", number: "19195550101", token: token).status == 403)
        #expect(try server.call("PUT", "/v1/msteams/\(customer)/users/\(id)", token: token, json: #"{"note":"x"}"#).status == 403)
        #expect(try server.call("DELETE", "/v1/msteams/\(customer)/users/\(id)", token: token).status == 403)
    }

    // MARK: - Numbers

    @Test("numbers listing filters and pages")
    func numbersListing() throws {
        let numbers = numberRange(from: 19_195_550_100, count: 5)
        let fixture = try ProvisioningFixture(numbersA1: numbers)
        let server = fixture.server
        let customer = fixture.tenants.customerA1
        #expect(try fixture.provision(upn: "a@example.com", number: "19195550101").status == 200)
        #expect(
            try server.call("POST", "/v1/zoom/\(customer)/numbers", token: fixture.tokenA1, json: #"{"telephoneNumbers":["19195550104"]}"#)
                .status == 200)

        func walk(_ status: String?) throws -> [JSONValue] {
            var items: [JSONValue] = []
            var cursor: String?
            repeat {
                var target = "/v1/msteams/\(customer)/numbers?limit=2"
                if let status { target += "&status=\(status)" }
                if let cursor { target += "&cursor=\(cursor)" }
                let response = try server.call("GET", target, token: fixture.tokenA1)
                guard response.status == 200 else { throw TestError("\(target) answered \(response.status): \(response.text)") }
                items += try response.json().array ?? []
                cursor = response.headers["x-next-cursor"]
            } while cursor != nil
            return items
        }
        let all = try walk(nil)
        #expect(all.compactMap { $0["tn"]?.string } == ["19195550100", "19195550101", "19195550102", "19195550103"])
        #expect(try walk("all").count == 4)
        #expect(try walk("available").compactMap { $0["tn"]?.string } == ["19195550100", "19195550102", "19195550103"])
        let assigned = try walk("assigned")
        #expect(assigned.compactMap { $0["tn"]?.string } == ["19195550101"])
        #expect(assigned.first?["status"]?.string == "assigned")
        #expect(assigned.first?["provisionUser"]?["upn"]?.string == "a@example.com")
        #expect(all.first?["status"]?.string == "available")
        #expect(all.first?["provisionUser"]?.isNull == true)
        #expect(all.first?["tnFeatures"]?["cnam"]?.isNull == true)
        #expect(all.first?["activatatedDate"]?.string != nil)

        #expect(try server.call("GET", "/v1/msteams/\(customer)/numbers?status=provisioned", token: fixture.tokenA1).status == 400)
        #expect(try server.call("GET", "/v1/msteams/\(customer)/numbers?limit=0", token: fixture.tokenA1).status == 400)
        #expect(try server.call("GET", "/v1/msteams/\(customer)/numbers?limit=1001", token: fixture.tokenA1).status == 400)
        #expect(try server.call("GET", "/v1/msteams/\(customer)/numbers?cursor=zz", token: fixture.tokenA1).status == 400)
        let last = try server.call("GET", "/v1/msteams/\(customer)/numbers", token: fixture.tokenA1)
        #expect(last.headers["x-next-cursor"] == nil)
    }

    @Test("numbers listing shows CNAM and E911")
    func numbersListingFeatures() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100", "19195550101"])
        let server = fixture.server
        let customer = fixture.tenants.customerA1

        let cnam = try server.call(
            "POST", "/v1/cnam", token: fixture.tokenA1, json: #"{"telephoneNumbers":["19195550100"],"callingName":"Acme Sales"}"#)
        #expect(cnam.status == 200, "\(cnam.text)")
        let address =
            #"{"name":"Head office","streetNumber":"100","streetName":"Main Street","addressType":"OFC","countryCode":"US","postalCode":"27601","stateCode":"NC","city":"Raleigh","telephoneNumbers":["19195550100"]}"#
        let created = try server.call("POST", "/v1/emergencyaddresses", token: fixture.tokenA1, json: address)
        #expect(created.status == 200, "\(created.text)")
        let locationID = try #require(created.member("locationId")?.int64)

        let listed = try server.call("GET", "/v1/msteams/\(customer)/numbers", token: fixture.tokenA1).json().array ?? []
        #expect(listed.count == 2)
        let withFeatures = listed.first { $0["tn"]?.string == "19195550100" }
        #expect(withFeatures?["tnFeatures"]?["cnam"]?.string == "Acme Sales")
        #expect(withFeatures?["tnFeatures"]?["e911"]?.string == String(locationID))
        let without = listed.first { $0["tn"]?.string == "19195550101" }
        #expect(without?["tnFeatures"]?["cnam"]?.isNull == true)
        #expect(without?["tnFeatures"]?["e911"]?.isNull == true)

        // A provisioned number keeps showing its features.
        #expect(try fixture.provision(upn: "a@example.com", number: "19195550100").status == 200)
        let assigned = try server.call("GET", "/v1/msteams/\(customer)/numbers?status=assigned", token: fixture.tokenA1).json().array
        #expect(assigned?.first?["tnFeatures"]?["cnam"]?.string == "Acme Sales")
        #expect(assigned?.first?["tnFeatures"]?["e911"]?.string == String(locationID))
    }

    // MARK: - Tenant id changes

    @Test("tenant id change with users is 409")
    func tenantIDChangeWithUsers() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100", "19195550101"])
        let server = fixture.server
        let customer = fixture.tenants.customerA1
        #expect(try fixture.provision(upn: "a@example.com", number: "19195550100").status == 200)
        #expect(try fixture.provision(upn: "b@example.com", number: "19195550101").status == 200)

        let otherTenant = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
        for value in ["null", #""\#(otherTenant)""#] {
            let body = #"{"accountType":"Customer","customerAccount":{"msTeamsTenantId":\#(value),"companyName":"Renamed"}}"#
            let response = try server.call("PUT", "/v1/accounts/\(customer)", token: fixture.tokenA, json: body)
            #expect(response.status == 409, "\(value): \(response.text)")
            #expect(response.field("statusCode") == "409")
            let detail = response.field("detail") ?? ""
            #expect(detail.contains("2 Microsoft Teams user(s)"), "\(detail)")
            #expect(detail.contains("unprovision"), "\(detail)")
        }

        // Nothing changed: the tenant id, the other field of the body, and the users stay.
        let account = try server.call("GET", "/v1/accounts/\(customer)", token: fixture.tokenA).json()
        #expect(account["customerAccount"]?["msTeamsTenantId"]?.string == ProvisioningFixture.tenantID)
        #expect(account["customerAccount"]?["companyName"]?.string == "Customer A1")
        let users = try server.call("GET", "/v1/msteams/\(customer)/users", token: fixture.tokenA1).json().array
        #expect(users?.count == 2)

        // Sending the same tenant id again is no change.
        let same = #"{"accountType":"Customer","customerAccount":{"msTeamsTenantId":"\#(ProvisioningFixture.tenantID)"}}"#
        #expect(try server.call("PUT", "/v1/accounts/\(customer)", token: fixture.tokenA, json: same).status == 200)
    }

    @Test("tenant id change without users works")
    func tenantIDChangeWithoutUsers() throws {
        let fixture = try ProvisioningFixture(numbersA1: ["19195550100"])
        let server = fixture.server
        let customer = fixture.tenants.customerA1
        let id = try #require(try fixture.provision(upn: "a@example.com", number: "19195550100").field("id"))
        #expect(try server.call("DELETE", "/v1/msteams/\(customer)/users/\(id)", token: fixture.tokenA1).status == 200)

        let otherTenant = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
        let changed = #"{"accountType":"Customer","customerAccount":{"msTeamsTenantId":"\#(otherTenant)"}}"#
        let changeResponse = try server.call("PUT", "/v1/accounts/\(customer)", token: fixture.tokenA, json: changed)
        #expect(changeResponse.status == 200, "\(changeResponse.text)")
        let afterChange = try server.call("GET", "/v1/accounts/\(customer)", token: fixture.tokenA).json()
        #expect(afterChange["customerAccount"]?["msTeamsTenantId"]?.string == otherTenant)

        let removed = #"{"accountType":"Customer","customerAccount":{"msTeamsTenantId":null}}"#
        let removeResponse = try server.call("PUT", "/v1/accounts/\(customer)", token: fixture.tokenA, json: removed)
        #expect(removeResponse.status == 200, "\(removeResponse.text)")
        let afterRemoval = try server.call("GET", "/v1/accounts/\(customer)", token: fixture.tokenA).json()
        #expect(afterRemoval["customerAccount"]?["msTeamsTenantId"]?.isNull == true)
    }

    @Test("users listing pages by id")
    func usersPaging() throws {
        let numbers = numberRange(from: 19_195_550_100, count: 5)
        let fixture = try ProvisioningFixture(numbersA1: numbers)
        for (index, number) in numbers.enumerated() {
            #expect(try fixture.provision(upn: "user\(index)@example.com", number: number).status == 200)
        }
        var upns: [String] = []
        var cursor: String?
        repeat {
            let target = "/v1/msteams/\(fixture.tenants.customerA1)/users?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
            let response = try fixture.server.call("GET", target, token: fixture.tokenA1)
            #expect(response.status == 200)
            upns += try response.json().array?.compactMap { $0["upn"]?.string } ?? []
            cursor = response.headers["x-next-cursor"]
        } while cursor != nil
        #expect(upns == (0..<5).map { "user\($0)@example.com" })
        #expect(
            try fixture.server.call("GET", "/v1/msteams/\(fixture.tenants.customerA1)/users?cursor=6e313a31", token: fixture.tokenA1).status
                == 400)
    }

    // MARK: - Concurrency

    @Test("one of many parallel provisions wins")
    func provisioningRace() async throws {
        let rounds = 20
        let clients = 8
        let numbers = numberRange(from: 19_195_550_100, count: rounds)
        let fixture = try ProvisioningFixture(numbersA1: numbers)

        for (round, number) in numbers.enumerated() {
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for client in 0..<clients {
                    group.addTask {
                        try fixture.provision(upn: "r\(round)-c\(client)@example.com", number: number).status
                    }
                }
                var statuses: [Int] = []
                for try await status in group {
                    statuses.append(status)
                }
                return statuses
            }
            #expect(statuses.filter { $0 == 200 }.count == 1, "round \(round): \(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == clients - 1, "round \(round): \(statuses)")
        }
        let users = try fixture.server.call("GET", "/v1/msteams/\(fixture.tenants.customerA1)/users?limit=1000", token: fixture.tokenA1)
            .json()
        #expect(users.array?.count == rounds)
    }
}
