import Foundation
import NumberlineJSON
import Testing

private typealias F = FeatureFixture

@Suite("Audit trail") struct AuditTests {
    // MARK: - Helpers

    /// Returns every record the token can see under `query`, walking all pages.
    private func records(_ f: F, token: String, query: String = "", limit: Int = 1000) throws -> [JSONValue] {
        var all: [JSONValue] = []
        var cursor: String?
        repeat {
            var target = "/v1/audit?limit=\(limit)" + (query.isEmpty ? "" : "&\(query)")
            if let cursor {
                target += "&cursor=\(cursor)"
            }
            let response = try f.call("GET", target, token: token)
            guard response.status == 200 else {
                throw TestError("GET \(target) answered \(response.status): \(response.text)")
            }
            let page = try response.json()
            all += page["records"]?.array ?? []
            cursor = page["nextCursor"]?.string
        } while cursor != nil
        return all
    }

    /// Returns the record written by the request with this `x-request-id`, read as the admin.
    private func auditRecord(_ f: F, of response: TestResponse) throws -> JSONValue? {
        let id = response.headers["x-request-id"] ?? ""
        return try records(f, token: f.adminToken).first { $0["requestId"]?.string == id }
    }

    /// Returns the first change entry of `record` for the object with this id.
    private func change(_ record: JSONValue?, id: String) -> JSONValue? {
        record?["changes"]?.array?.first { $0["id"]?.string == id }
    }

    private func ids(_ records: [JSONValue]) -> [String] {
        records.compactMap { $0["auditId"]?.string }
    }

    // MARK: - Contents

    @Test("feature change records actor and values")
    func featureChangeValues() throws {
        let f = try F()
        let number = F.numbersA1[0]
        let added = try f.call(
            "POST", "/v1/callforwarding", token: f.resellerA,
            json: #"{"telephoneNumbers":["\#(number)"],"callForwardNumber":"19195550199","countryCode":"US"}"#)
        #expect(added.status == 200, "\(added.text)")

        let record = try auditRecord(f, of: added)
        #expect(record?["method"]?.string == "POST")
        #expect(record?["route"]?.string == "/v1/callforwarding")
        #expect(record?["username"]?.string == Tenants.Username.resellerA)
        #expect(record?["accountId"]?.string == f.tenants.resellerA)
        #expect(record?["instance"]?.string == f.server.instance)
        #expect(record?["time"]?.string?.hasSuffix("Z") == true)
        let entry = change(record, id: number)
        #expect(entry?["object"]?.string == "telephoneNumber")
        #expect(entry?["before"]?["call_forwarding"] == nil)
        #expect(entry?["before"]?["account_id"]?.int64 == Int64(f.tenants.customerA1))
        #expect(entry?["after"]?["call_forwarding"]?["forward_to"]?.string == "19195550199")

        let updated = try f.call(
            "PUT", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(number)"],"callForwardNumber":"19195550198","countryCode":"US"}"#)
        #expect(updated.status == 200, "\(updated.text)")
        let update = change(try auditRecord(f, of: updated), id: number)
        #expect(update?["before"]?["call_forwarding"]?["forward_to"]?.string == "19195550199")
        #expect(update?["after"]?["call_forwarding"]?["forward_to"]?.string == "19195550198")

        let removed = try f.call("DELETE", "/v1/callforwarding/\(number)", token: f.customerA1)
        #expect(removed.status == 200, "\(removed.text)")
        let removal = try auditRecord(f, of: removed)
        #expect(removal?["route"]?.string == "/v1/callforwarding/{telephoneNumber}")
        #expect(change(removal, id: number)?["before"]?["call_forwarding"]?["forward_to"]?.string == "19195550198")
        #expect(change(removal, id: number)?["after"]?["call_forwarding"] == nil)
    }

    @Test("every kind of mutation writes one record")
    func everyMutationKind() throws {
        let f = try F()
        let a1 = f.tenants.customerA1
        let n = F.numbersA1
        // Link A1 to Teams and Zoom so that provisioning calls succeed.
        let link =
            #"{"accountType":"Customer","customerAccount":{"msTeamsTenantId":"\#(ProvisioningFixture.tenantID)","zoomAccountId":"zoom-a1"}}"#

        var calls: [(method: String, path: String, token: String, json: String?, route: String)] = [
            ("PUT", "/v1/accounts/\(a1)", f.resellerA, link, "/v1/accounts/{accountId}"),
            ("POST", "/v1/carriers", f.adminToken, #"{"name":"Carrier B"}"#, "/v1/carriers"),
            (
                "POST", "/v1/carriers/\(f.carrierID)/numbers", f.resellerA, #"{"telephoneNumbers":["19195550500","19195550501"]}"#,
                "/v1/carriers/{carrierId}/numbers"
            ),
            (
                "POST", "/v1/numbers/assign", f.resellerA, #"{"telephoneNumbers":["19195550500"],"customerId":"\#(a1)"}"#,
                "/v1/numbers/assign"
            ),
            ("POST", "/v1/numbers/release", f.resellerA, #"{"telephoneNumbers":["19195550500"]}"#, "/v1/numbers/release"),
            (
                "DELETE", "/v1/carriers/\(f.carrierID)/numbers", f.resellerA, #"{"telephoneNumbers":["19195550501"]}"#,
                "/v1/carriers/{carrierId}/numbers"
            ),
            (
                "POST", "/v1/cpn", f.customerA1, #"{"telephoneNumbers":["\#(n[1])"],"cpnNumber":"\#(n[2])","countryCode":"US"}"#,
                "/v1/cpn"
            ),
            ("DELETE", "/v1/cpn/\(n[1])", f.customerA1, nil, "/v1/cpn/{telephoneNumber}"),
            ("POST", "/v1/cnam", f.customerA1, #"{"telephoneNumbers":["\#(n[1])"],"callingName":"Acme"}"#, "/v1/cnam"),
            (
                "POST", "/v1/internationalcalling", f.customerA1, #"{"telephoneNumbers":["\#(n[1])"],"criteria":"BLOCK-ALL-INTL"}"#,
                "/v1/internationalcalling"
            ),
            (
                "POST", "/v1/disasterplans", f.customerA1,
                #"{"telephoneNumbers":["\#(n[3])"],"callForwardNumber":"19195550199","countryCode":"US"}"#, "/v1/disasterplans"
            ),
            (
                "PUT", "/v1/disasterplans", f.customerA1,
                #"{"telephoneNumbers":["\#(n[3])"],"callForwardNumber":"19195550198","countryCode":"US"}"#, "/v1/disasterplans"
            ),
            ("DELETE", "/v1/disasterplans/\(n[3])", f.customerA1, nil, "/v1/disasterplans/{telephoneNumber}"),
            ("POST", "/v1/sites", f.customerA1, #"{"departmentName":"Sales"}"#, "/v1/sites"),
            (
                "POST", "/v1/emergencyaddresses", f.customerA1,
                #"{"name":"Head office","streetNumber":"100","streetName":"Main Street","addressType":"OFC","addressDescription":"Floor 2","countryCode":"US","postalCode":"27601","stateCode":"NC","city":"Raleigh","telephoneNumbers":["\#(n[1])"]}"#,
                "/v1/emergencyaddresses"
            ),
            (
                "POST", "/v1/msteams/\(a1)/users", f.customerA1,
                #"{"upn":"pat@example.com","firstName":"Pat","lastName":"Lee","telephoneNumber":"\#(n[4])"}"#,
                "/v1/msteams/{customerId}/users"
            ),
            ("POST", "/v1/zoom/\(a1)/numbers", f.customerA1, #"{"telephoneNumbers":["\#(n[2])"]}"#, "/v1/zoom/{customerId}/numbers"),
            ("POST", "/v1/accounts", f.resellerA, Tenants.customer("Customer A3", login: "customer-a3"), "/v1/accounts"),
        ]
        var recorded: [String: JSONValue] = [:]
        for call in calls {
            let response = try f.call(call.method, call.path, token: call.token, json: call.json)
            #expect(response.status == 200, "\(call.method) \(call.path): \(response.text)")
            let requestID = response.headers["x-request-id"] ?? ""
            let matching = try records(f, token: f.adminToken).filter { $0["requestId"]?.string == requestID }
            #expect(matching.count == 1, "\(call.method) \(call.path) wrote \(matching.count) records")
            #expect(matching.first?["route"]?.string == call.route, "\(call.method) \(call.path)")
            if let first = matching.first {
                recorded["\(call.method) \(call.path)"] = first
            }
        }

        // Spot checks of values per section.
        let site = try f.call("GET", "/v1/sites", token: f.customerA1).json().array?.first?["siteId"]?.string ?? ""
        calls = [
            ("PUT", "/v1/sites/\(site)", f.customerA1, #"{"departmentName":"Marketing"}"#, "/v1/sites/{siteId}"),
            ("DELETE", "/v1/sites/\(site)", f.customerA1, nil, "/v1/sites/{siteId}"),
        ]
        for call in calls {
            let response = try f.call(call.method, call.path, token: call.token, json: call.json)
            #expect(response.status == 200, "\(call.method) \(call.path): \(response.text)")
            let entry = change(try auditRecord(f, of: response), id: site)
            #expect(entry?["object"]?.string == "site")
            if call.method == "PUT" {
                #expect(entry?["before"]?["department_name"]?.string == "Sales")
                #expect(entry?["after"]?["department_name"]?.string == "Marketing")
            } else {
                #expect(entry?["after"] == .null)
            }
        }

        let assign = recorded["POST /v1/numbers/assign"]
        #expect(change(assign, id: "19195550500")?["before"]?["status"]?.string == "available")
        #expect(change(assign, id: "19195550500")?["after"]?["status"]?.string == "assigned")
        #expect(change(assign, id: "19195550500")?["after"]?["account_id"]?.int64 == Int64(a1))
        let deleted = recorded["DELETE /v1/carriers/\(f.carrierID)/numbers"]
        #expect(change(deleted, id: "19195550501")?["after"] == .null)
        let upload = recorded["POST /v1/carriers/\(f.carrierID)/numbers"]
        #expect(upload?["summary"]?["count"]?.int64 == 2)
        #expect(upload?["summary"]?["firstTelephoneNumber"]?.string == "19195550500")
        #expect(change(upload, id: "19195550501")?["before"] == .null)
        let teams = recorded["POST /v1/msteams/\(a1)/users"]
        #expect(change(teams, id: n[4])?["after"]?["status"]?.string == "provisioned")
        #expect(teams?["changes"]?.array?.contains { $0["object"]?.string == "msteamsUser" } == true)
        let created = recorded["POST /v1/accounts"]
        #expect(created?["changes"]?.array?.first?["before"] == .null)
        #expect(created?["changes"]?.array?.first?["after"]?["company_name"]?.string == "Customer A3")
    }

    @Test("password change is named, never stored")
    func secretsNeverStored() throws {
        let f = try F()
        let newPassword = "a-brand-new-password-77"
        let changed = try f.call(
            "PUT", "/v1/accounts/\(f.tenants.customerA1)", token: f.resellerA,
            json:
                #"{"accountType":"Customer","customerAccount":{"loginInformation":[{"userName":"\#(Tenants.Username.customerA1)","password":"\#(newPassword)"}]}}"#
        )
        #expect(changed.status == 200, "\(changed.text)")
        let record = try auditRecord(f, of: changed)
        #expect(record?["summary"]?["passwordSetFor"]?.array?.first?.string == Tenants.Username.customerA1)
        #expect(change(record, id: f.tenants.customerA1)?["after"]?["logins"]?.array?.count == 1)

        // Grep the whole audit table for anything that looks like a secret.
        let dump = try f.server.sql("SELECT CAST(changes AS TEXT) || ' ' || coalesce(CAST(summary AS TEXT), '') FROM audit_records")
        #expect(!dump.isEmpty)
        for secret in [
            newPassword, TestServer.password, f.server.apiKey, f.resellerA, f.customerA1, "$argon2", "password_hash", "token_hash",
            "key_hash",
        ] {
            #expect(!dump.contains(secret), "the audit table contains \(secret.prefix(12))…")
        }
    }

    @Test("failed calls write no record")
    func failedCallsWriteNothing() throws {
        let f = try F()
        let before = try records(f, token: f.adminToken).count

        let failures: [(String, String, String, String?)] = [
            // One foreign number makes the whole call fail.
            (
                "POST", "/v1/callforwarding", f.resellerA,
                #"{"telephoneNumbers":["\#(F.numbersA1[0])","\#(F.numbersB1[0])"],"callForwardNumber":"19195550199","countryCode":"US"}"#
            ),
            ("POST", "/v1/carriers/\(f.carrierID)/numbers", f.resellerA, #"{"telephoneNumbers":["\#(F.numbersA1[0])"]}"#),
            ("POST", "/v1/numbers/release", f.resellerA, #"{"telephoneNumbers":["\#(F.numbersB1[0])"]}"#),
            ("DELETE", "/v1/accounts/\(f.tenants.customerA1)", f.resellerA, nil),
            ("POST", "/v1/sites", f.customerA1, #"{"departmentName":""}"#),
            ("DELETE", "/v1/cnam/\(F.numbersA1[0])", f.customerA1, nil),
            ("POST", "/v1/accounts", f.userA1u, Tenants.customer("Nope", login: "nope")),
        ]
        for (method, path, token, json) in failures {
            let response = try f.call(method, path, token: token, json: json)
            #expect((400..<500).contains(response.status), "\(method) \(path) answered \(response.status)")
        }
        #expect(try records(f, token: f.adminToken).count == before)
    }

    // MARK: - Tenancy

    @Test("records stay inside the caller's subtree")
    func tenancy() throws {
        let f = try F()
        let forward = #"{"telephoneNumbers":["%@"],"callForwardNumber":"19195550199","countryCode":"US"}"#
        #expect(
            try f.call("POST", "/v1/callforwarding", token: f.resellerA, json: forward.replacingOccurrences(of: "%@", with: F.numbersA1[0]))
                .status == 200)
        #expect(
            try f.call(
                "POST", "/v1/callforwarding", token: f.customerA2, json: forward.replacingOccurrences(of: "%@", with: F.numbersA2[0])
            ).status == 200)
        #expect(
            try f.call(
                "POST", "/v1/callforwarding", token: f.customerB1, json: forward.replacingOccurrences(of: "%@", with: F.numbersB1[0])
            ).status == 200)

        func numbers(_ records: [JSONValue]) -> Set<String> {
            Set(
                records.flatMap { $0["changes"]?.array ?? [] }.compactMap {
                    $0["object"]?.string == "telephoneNumber" ? $0["id"]?.string : nil
                })
        }
        func accounts(_ records: [JSONValue]) -> Set<String> {
            Set(records.flatMap { $0["changes"]?.array ?? [] }.compactMap { $0["object"]?.string == "account" ? $0["id"]?.string : nil })
        }
        let admin = try records(f, token: f.adminToken)
        let resellerA = try records(f, token: f.resellerA)
        let resellerB = try records(f, token: f.resellerB)
        let customerA1 = try records(f, token: f.customerA1)
        let userA1u = try records(f, token: f.userA1u)
        let customerA2 = try records(f, token: f.customerA2)
        let subCustomer = try records(f, token: f.subCustomerA1x)

        let a = Set(F.numbersA1 + F.numbersA1x + F.numbersA2)
        let b = Set(F.numbersB1)
        #expect(numbers(admin).isSuperset(of: a.union(b)))
        #expect(numbers(resellerA) == a)
        #expect(numbers(resellerB) == b)
        #expect(accounts(resellerA).isDisjoint(with: [f.tenants.resellerB, f.tenants.customerB1]))
        #expect(accounts(resellerB).isDisjoint(with: [f.tenants.resellerA, f.tenants.customerA1, f.tenants.customerA2]))
        // A customer reads its reseller's change to its own number, but nothing of its sibling or parent.
        #expect(numbers(customerA1) == Set(F.numbersA1 + F.numbersA1x))
        #expect(numbers(userA1u) == numbers(customerA1))
        #expect(!accounts(customerA1).contains(f.tenants.resellerA))
        #expect(numbers(customerA2) == Set(F.numbersA2))
        #expect(numbers(subCustomer) == Set(F.numbersA1x))
        // The reseller's change shows up without its author, whose login is outside the subtree.
        let byReseller = customerA1.filter { $0["route"]?.string == "/v1/callforwarding" && $0["username"]?.isNull == true }
        #expect(!byReseller.isEmpty)
        #expect(byReseller.allSatisfy { $0["loginId"]?.isNull == true })
        #expect(byReseller.allSatisfy { $0["accountId"]?.isNull == true })
        #expect(!customerA1.contains { $0["username"]?.string == Tenants.Username.resellerA })
        let resellerForwarding = resellerA.filter { $0["route"]?.string == "/v1/callforwarding" }
        #expect(resellerForwarding.contains { $0["username"]?.string == Tenants.Username.resellerA })

        // Filters never reach outside the subtree either.
        #expect(try records(f, token: f.resellerB, query: "accountId=\(f.tenants.customerA1)").isEmpty)
        #expect(try records(f, token: f.resellerB, query: "telephoneNumber=\(F.numbersA1[0])").isEmpty)
        #expect(try records(f, token: f.customerA2, query: "telephoneNumber=\(F.numbersA1[0])").isEmpty)
    }

    // MARK: - Filters and pages

    @Test("filters select records")
    func filters() throws {
        let f = try F()
        let body = #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callingName":"Acme"}"#
        #expect(try f.call("POST", "/v1/cnam", token: f.customerA1, json: body).status == 200)

        let byNumber = try records(f, token: f.resellerA, query: "telephoneNumber=\(F.numbersA1[0])")
        // The upload to A1 listed the number, and the CNAM call changed it.
        #expect(byNumber.compactMap { $0["route"]?.string } == ["/v1/cnam", "/v1/carriers/{carrierId}/numbers"])

        let byRoute = try records(f, token: f.resellerA, query: "route=/v1/cnam")
        #expect(byRoute.count == 1)
        let byAccount = try records(f, token: f.resellerA, query: "accountId=\(f.tenants.customerA2)")
        #expect(byAccount.contains { $0["route"]?.string == "/v1/accounts" })
        #expect(!byAccount.contains { $0["route"]?.string == "/v1/cnam" })

        let all = try records(f, token: f.adminToken)
        #expect(try records(f, token: f.adminToken, query: "from=2000-01-01&to=2999-12-31T23:59:59Z").count == all.count)
        #expect(try records(f, token: f.adminToken, query: "to=2000-01-01T00:00:00%2B02:00").isEmpty)
        #expect(try records(f, token: f.adminToken, query: "from=2999-01-01").isEmpty)
        let newest = all.first?["time"]?.string ?? ""
        #expect(try records(f, token: f.adminToken, query: "from=\(newest)").first?["auditId"] == all.first?["auditId"])
    }

    @Test("pages walk every record once")
    func pagination() throws {
        let f = try F()
        let all = ids(try records(f, token: f.adminToken))
        #expect(all.count >= 10)
        #expect(all == all.sorted { Int64($0)! > Int64($1)! })
        #expect(ids(try records(f, token: f.adminToken, limit: 3)) == all)

        let first = try f.call("GET", "/v1/audit?limit=1000", token: f.adminToken)
        #expect(first.member("nextCursor") == .null)
    }

    @Test("bad filters get 400 naming the value")
    func badFilters() throws {
        let f = try F()
        let cases: [(String, String)] = [
            ("from=yesterday", "yesterday"),
            ("to=2026-02-31", "2026-02-31"),
            ("from=2026-01-01T10:00:00", "2026-01-01T10:00:00"),
            ("from=2026-02-01&to=2026-01-01", "2026-02-01"),
            ("telephoneNumber=%2B19195550100", "+19195550100"),
            ("accountId=abc", "abc"),
            ("route=accounts", "accounts"),
            ("cursor=zz", "zz"),
            ("cursor=6e313a3139313935353530313030", "6e313a"),
            ("limit=0", "0"),
            ("color=red", "color"),
        ]
        for (query, value) in cases {
            let response = try f.call("GET", "/v1/audit?\(query)", token: f.resellerA)
            #expect(response.status == 400, "\(query) answered \(response.status)")
            #expect(response.member("detail")?.string?.contains(value) == true, "\(query): \(response.text)")
        }
        #expect(try f.server.request("GET", "/v1/audit").status == 401)
    }
}
