import Foundation
import NumberlineJSON
import Testing

@Suite("Number inventory")
struct NumberTests {
    @Test("listing filters by status, carrier, customer and prefix")
    func listingFilters() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let other = try server.makeCarrier("Carrier B")
        let tokenA = try server.token(username: Tenants.Username.resellerA)
        #expect(try server.uploadJSON(carrier: carrier, token: tokenA, numbers: ["19195550100", "19195550101"]).status == 200)
        #expect(
            try server.uploadJSON(
                carrier: other, token: tokenA, numbers: ["12125550100"], extra: #","customerId":"\#(tenants.customerA1)""#
            ).status == 200)

        #expect(try server.listAll("/v1/numbers?status=available", token: tokenA) == ["19195550100", "19195550101"])
        #expect(try server.listAll("/v1/numbers?status=assigned", token: tokenA) == ["12125550100"])
        #expect(try server.listAll("/v1/numbers?carrierId=\(other)", token: tokenA) == ["12125550100"])
        #expect(try server.listAll("/v1/numbers?customerId=\(tenants.customerA1)", token: tokenA) == ["12125550100"])
        #expect(try server.listAll("/v1/numbers?prefix=1919", token: tokenA) == ["19195550100", "19195550101"])

        #expect(try server.call("GET", "/v1/numbers?status=lost", token: tokenA).status == 400)
        #expect(try server.call("GET", "/v1/numbers?prefix=1-919", token: tokenA).status == 400)
        #expect(try server.call("GET", "/v1/numbers?limit=0", token: tokenA).status == 400)
        #expect(try server.call("GET", "/v1/numbers?limit=1001", token: tokenA).status == 400)
        #expect(try server.call("GET", "/v1/numbers?cursor=zz", token: tokenA).status == 400)
        #expect(try server.call("GET", "/v1/numbers?colour=red", token: tokenA).status == 400)
    }

    @Test("each caller sees its own subtree")
    func listingVisibility() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let tokenA = try server.token(username: Tenants.Username.resellerA)
        let tokenB = try server.token(username: Tenants.Username.resellerB)
        #expect(try server.uploadJSON(carrier: carrier, token: tokenA, numbers: ["19195550100"]).status == 200)
        #expect(
            try server.uploadJSON(
                carrier: carrier, token: tokenA, numbers: ["19195550101"], extra: #","customerId":"\#(tenants.customerA1)""#
            ).status == 200)
        #expect(
            try server.uploadJSON(
                carrier: carrier, token: tokenA, numbers: ["19195550102"], extra: #","customerId":"\#(tenants.subCustomerA1x)""#
            ).status == 200)
        #expect(
            try server.uploadJSON(
                carrier: carrier, token: tokenA, numbers: ["19195550103"], extra: #","customerId":"\#(tenants.customerA2)""#
            ).status == 200)
        #expect(try server.uploadJSON(carrier: carrier, token: tokenB, numbers: ["19195550200"]).status == 200)

        let tokenA1 = try server.token(username: Tenants.Username.customerA1)
        let tokenUser = try server.token(username: Tenants.Username.userA1u)
        #expect(try server.listAll("/v1/numbers", token: tokenA) == numberRange(from: 19_195_550_100, count: 4))
        #expect(try server.listAll("/v1/numbers", token: tokenA1) == ["19195550101", "19195550102"])
        #expect(try server.listAll("/v1/numbers", token: tokenUser) == ["19195550101", "19195550102"])
        #expect(try server.listAll("/v1/numbers", token: tokenB) == ["19195550200"])
        #expect(try server.listAll("/v1/numbers", token: tenants.adminToken).count == 5)

        // A foreign number reads exactly like one that does not exist.
        let foreign = try server.call("GET", "/v1/numbers/19195550200", token: tokenA)
        let missing = try server.call("GET", "/v1/numbers/19195550999", token: tokenA)
        #expect(foreign.status == 404)
        #expect(missing.status == 404)
        #expect(
            foreign.text.replacingOccurrences(of: "19195550200", with: "N")
                == missing.text.replacingOccurrences(of: "19195550999", with: "N"))
        #expect(try server.call("GET", "/v1/numbers/19195550103", token: tokenA1).status == 404)
        #expect(try server.call("GET", "/v1/numbers?customerId=\(tenants.customerA1)", token: tokenB).status == 404)
        #expect(try server.call("GET", "/v1/numbers/not-a-number", token: tokenA).status == 400)
    }

    @Test("number routes need the did module")
    func numberRoutesNeedModule() throws {
        let server = try TestServer()
        _ = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let tokenA = try server.token(username: Tenants.Username.resellerA)
        _ = try Tenants.create(
            server, token: tokenA, json: Tenants.customer("No DID", login: "no-did", extra: #","modulesAccess":{"did":false}"#))
        let token = try server.token(username: "no-did")

        #expect(try server.call("GET", "/v1/numbers", token: token).status == 403)
        #expect(try server.call("GET", "/v1/numbers/19195550100", token: token).status == 403)
        #expect(try server.call("GET", "/v1/carriers/\(carrier)/numbers", token: token).status == 403)
        #expect(try server.call("POST", "/v1/numbers/release", token: token, json: #"{"telephoneNumbers":["19195550100"]}"#).status == 403)
    }

    @Test("assign and release move numbers down and back")
    func assignAndRelease() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let tokenA = try server.token(username: Tenants.Username.resellerA)
        let tokenA1 = try server.token(username: Tenants.Username.customerA1)
        #expect(try server.uploadJSON(carrier: carrier, token: tokenA, numbers: ["19195550100", "19195550101"]).status == 200)

        let assigned = try server.call(
            "POST", "/v1/numbers/assign", token: tokenA,
            json: #"{"telephoneNumbers":["19195550100","+1 919 555 0101"],"customerId":"\#(tenants.customerA1)"}"#)
        #expect(assigned.status == 200)
        #expect(assigned.text == #"{"statusCode":"200","status":"No error","numbersAssigned":2}"#)

        // The customer passes one number down to its sub-customer but cannot reach its sibling.
        let down = try server.call(
            "POST", "/v1/numbers/assign", token: tokenA1,
            json: #"{"telephoneNumbers":["19195550100"],"customerId":"\#(tenants.subCustomerA1x)"}"#)
        #expect(down.status == 200)
        let sideways = try server.call(
            "POST", "/v1/numbers/assign", token: tokenA1,
            json: #"{"telephoneNumbers":["19195550101"],"customerId":"\#(tenants.customerA2)"}"#)
        #expect(sideways.status == 404)
        // The reseller cannot move the sub-customer's number sideways to A2 without releasing it.
        let heldElsewhere = try server.call(
            "POST", "/v1/numbers/assign", token: tokenA,
            json: #"{"telephoneNumbers":["19195550100"],"customerId":"\#(tenants.customerA2)"}"#)
        #expect(heldElsewhere.status == 409)

        let tokenUser = try server.token(username: Tenants.Username.userA1u)
        #expect(
            try server.call("POST", "/v1/numbers/release", token: tokenUser, json: #"{"telephoneNumbers":["19195550100"]}"#).status == 403)

        let released = try server.call(
            "POST", "/v1/numbers/release", token: tokenA1, json: #"{"telephoneNumbers":["19195550100","19195550101"]}"#)
        #expect(released.status == 200)
        let back = try server.call("GET", "/v1/numbers/19195550100", token: tokenA).json()
        #expect(back["accountId"]?.string == tenants.resellerA)
        #expect(back["status"]?.string == "available")
        #expect(back["activatedDate"]?.isNull == true)
    }

    @Test("moves stay inside the caller's tree")
    func movesCrossTenant() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let tokenA = try server.token(username: Tenants.Username.resellerA)
        let tokenB = try server.token(username: Tenants.Username.resellerB)
        #expect(try server.uploadJSON(carrier: carrier, token: tokenA, numbers: ["19195550100"]).status == 200)
        #expect(try server.uploadJSON(carrier: carrier, token: tokenB, numbers: ["19195550200"]).status == 200)

        // B moving A's number gets the same response as moving a number that does not exist.
        let foreign = try server.call(
            "POST", "/v1/numbers/assign", token: tokenB,
            json: #"{"telephoneNumbers":["19195550100"],"customerId":"\#(tenants.customerB1)"}"#)
        let missing = try server.call(
            "POST", "/v1/numbers/assign", token: tokenB,
            json: #"{"telephoneNumbers":["19195550999"],"customerId":"\#(tenants.customerB1)"}"#)
        #expect(foreign.status == 409)
        #expect(foreign.status == missing.status)
        #expect(foreign.rejectionReasons() == missing.rejectionReasons())
        let release = try server.call("POST", "/v1/numbers/release", token: tokenB, json: #"{"telephoneNumbers":["19195550100"]}"#)
        #expect(release.rejectionReasons() == missing.rejectionReasons())
        let toForeignCustomer = try server.call(
            "POST", "/v1/numbers/assign", token: tokenB,
            json: #"{"telephoneNumbers":["19195550200"],"customerId":"\#(tenants.customerA1)"}"#)
        #expect(toForeignCustomer.status == 404)

        // One blocked number leaves the others where they were.
        let mixed = try server.call(
            "POST", "/v1/numbers/assign", token: tokenB,
            json: #"{"telephoneNumbers":["19195550200","19195550100"],"customerId":"\#(tenants.customerB1)"}"#)
        #expect(mixed.status == 409)
        let unchanged = try server.call("GET", "/v1/numbers/19195550200", token: tokenB).json()
        #expect(unchanged["status"]?.string == "available")
    }

    @Test("pages stay consistent during uploads")
    func paginationUnderInserts() async throws {
        let server = try TestServer()
        _ = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let tokenA = try server.token(username: Tenants.Username.resellerA)
        // Even numbers exist before the walk; odd ones arrive while it runs.
        let existing = (0..<3000).map { String(19_190_000_000 + 2 * Int64($0)) }
        #expect(try server.uploadJSON(carrier: carrier, token: tokenA, numbers: existing).status == 200)

        let uploader = Task.detached {
            var statuses: [Int] = []
            for batch in 0..<10 {
                let odd = (0..<300).map { String(19_190_000_001 + 2 * Int64(batch * 300 + $0)) }
                statuses.append(try server.uploadJSON(carrier: carrier, token: tokenA, numbers: odd).status)
            }
            return statuses
        }
        let walked = try server.listAll("/v1/numbers", token: tokenA, limit: 50)
        let statuses = try await uploader.value

        #expect(statuses.allSatisfy { $0 == 200 })
        #expect(Set(walked).count == walked.count)
        #expect(walked == walked.sorted())
        #expect(Set(existing).isSubset(of: Set(walked)))
    }
}
