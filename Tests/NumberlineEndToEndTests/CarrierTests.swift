import Foundation
import NumberlineJSON
import Testing

@Suite("Carriers and uploads")
struct CarrierTests {
    // MARK: - Carriers

    @Test("admin defines carriers over HTTP")
    func adminCreatesCarrier() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)

        let created = try server.call("POST", "/v1/carriers", token: tenants.adminToken, json: #"{"name":"Carrier A"}"#)
        #expect(created.status == 200)
        let id = try created.json()["id"]?.int64
        #expect(id != nil)

        let duplicate = try server.call("POST", "/v1/carriers", token: tenants.adminToken, json: #"{"name":"Carrier A"}"#)
        #expect(duplicate.status == 409)

        let tokenA = try server.token(username: Tenants.Username.resellerA)
        let byReseller = try server.call("POST", "/v1/carriers", token: tokenA, json: #"{"name":"Carrier B"}"#)
        #expect(byReseller.status == 403)

        let listed = try server.call("GET", "/v1/carriers", token: tokenA)
        #expect(listed.status == 200)
        #expect(listed.text == #"[{"name":"Carrier A","id":\#(id ?? 0)}]"#)
    }

    @Test("carrier list needs the did module")
    func carrierListNeedsModule() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let tokenA = try server.token(username: Tenants.Username.resellerA)
        _ = try Tenants.create(
            server, token: tokenA,
            json: Tenants.customer("No DID", login: "no-did", extra: #","modulesAccess":{"did":false}"#))
        let token = try server.token(username: "no-did")

        let response = try server.call("GET", "/v1/carriers", token: token)
        #expect(response.status == 403)
        #expect(response.field("status") == "Forbidden not allowed to get carriers")
        _ = tenants
    }

    @Test("CLI creates and lists carriers")
    func cliCarriers() throws {
        let server = try TestServer()
        let id = try server.makeCarrier("Carrier CLI")
        let listed = try server.cli(["carrier", "list", "--instance", server.instance])
        #expect(listed.status == 0)
        #expect(listed.output == "\(id)\tCarrier CLI\n")
        let duplicate = try server.cli(["carrier", "create", "--instance", server.instance, "Carrier CLI"])
        #expect(duplicate.status == 1)
    }

    // MARK: - Uploads

    @Test("JSON upload fills the reseller inventory")
    func jsonUpload() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let tokenA = try server.token(username: Tenants.Username.resellerA)

        let response = try server.uploadJSON(
            carrier: carrier, token: tokenA, numbers: ["+1 (919) 555-0100", "9195550101"],
            extra: #","countryCode":"US","type":"local","subType":"fixed","orderType":"new","routeLabel":"east""#)
        #expect(response.status == 200)
        #expect(response.text == #"{"statusCode":"200","status":"No error","numbersAdded":2}"#)

        let number = try server.call("GET", "/v1/numbers/19195550100", token: tokenA)
        #expect(number.status == 200)
        let json = try number.json()
        #expect(json["telephoneNumber"]?.string == "19195550100")
        #expect(json["country"]?.string == "US")
        #expect(json["carrier"]?["id"]?.int64 == carrier)
        #expect(json["carrier"]?["name"]?.string == "Carrier A")
        #expect(json["accountId"]?.string == tenants.resellerA)
        #expect(json["accountType"]?.string == "Reseller")
        #expect(json["status"]?.string == "available")
        #expect(json["type"]?.string == "local")
        #expect(json["subType"]?.string == "fixed")
        #expect(json["orderType"]?.string == "new")
        #expect(json["routeLabel"]?.string == "east")
        #expect(json["activatedDate"]?.isNull == true)
        // A fresh number carries no feature: each member of `features` is null.
        let features = json["features"]?.object
        #expect(features?.keys.sorted() == ["callForwarding", "cnam", "cpn", "disasterPlan", "emergencyAddress", "internationalCalling"])
        #expect(features?.members.allSatisfy { $0.value.isNull } == true)
    }

    @Test("upload to a customer assigns the numbers")
    func uploadToCustomer() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let tokenA = try server.token(username: Tenants.Username.resellerA)

        let response = try server.uploadJSON(
            carrier: carrier, token: tokenA, numbers: ["19195550100"], extra: #","customerId":"\#(tenants.customerA1)""#)
        #expect(response.status == 200)

        let tokenA1 = try server.token(username: Tenants.Username.customerA1)
        let json = try server.call("GET", "/v1/numbers/+19195550100", token: tokenA1).json()
        #expect(json["accountId"]?.string == tenants.customerA1)
        #expect(json["status"]?.string == "assigned")
        #expect(json["activatedDate"]?.string != nil)
    }

    @Test("CSV upload reads the header columns")
    func csvUpload() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")

        let csv =
            "telephoneNumber,countryCode,type,routeLabel\r\n9195550100,US,local,east\r\n\"+44 20 7946 0000\",,mobile,\"west, gate\"\r\n"
        let response = try server.uploadCSV(
            carrier: carrier, token: tenants.adminToken, csv: csv, query: "?resellerId=\(tenants.resellerA)")
        #expect(response.status == 200)
        #expect(response.field("status") == "No error")

        let tokenA = try server.token(username: Tenants.Username.resellerA)
        let british = try server.call("GET", "/v1/numbers/442079460000", token: tokenA).json()
        #expect(british["country"]?.string == "GB")
        #expect(british["type"]?.string == "mobile")
        #expect(british["routeLabel"]?.string == "west, gate")
        let american = try server.call("GET", "/v1/numbers/19195550100", token: tokenA).json()
        #expect(american["routeLabel"]?.string == "east")
    }

    @Test("CSV with a bad header or row is rejected")
    func csvRejections() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let tokenA = try server.token(username: Tenants.Username.resellerA)

        let noNumberColumn = try server.uploadCSV(carrier: carrier, token: tokenA, csv: "countryCode\nUS\n")
        #expect(noNumberColumn.status == 400)
        let unknownColumn = try server.uploadCSV(carrier: carrier, token: tokenA, csv: "telephoneNumber,color\n19195550100,red\n")
        #expect(unknownColumn.status == 400)
        let shortRow = try server.uploadCSV(carrier: carrier, token: tokenA, csv: "telephoneNumber,type\n19195550100,local\n19195550101\n")
        #expect(shortRow.status == 400)
        #expect(shortRow.rejectedNumbers() == ["19195550101"])
        let openQuote = try server.uploadCSV(carrier: carrier, token: tokenA, csv: "telephoneNumber\n\"19195550100\n")
        #expect(openQuote.status == 400)
        #expect(try server.listAll("/v1/numbers", token: tokenA).isEmpty)
        _ = tenants
    }

    @Test("each rejection reason is listed")
    func rejectionReasons() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let tokenA = try server.token(username: Tenants.Username.resellerA)
        let tokenB = try server.token(username: Tenants.Username.resellerB)
        #expect(try server.uploadJSON(carrier: carrier, token: tokenB, numbers: ["19195550199"]).status == 200)
        let before = try server.listAll("/v1/numbers", token: tenants.adminToken)

        let invalid = try server.uploadJSON(carrier: carrier, token: tokenA, numbers: ["19195550100", "1-800-FLOWERS", "12"])
        #expect(invalid.status == 400)
        #expect(invalid.rejectedNumbers() == ["1-800-FLOWERS", "12"])
        #expect(try invalid.json()["errorCount"]?.int64 == 2)

        let repeated = try server.uploadJSON(carrier: carrier, token: tokenA, numbers: ["19195550100", "+1 919 555 0100"])
        #expect(repeated.status == 400)
        #expect(repeated.rejectedNumbers() == ["19195550100"])
        #expect(repeated.rejectionReasons().first?.contains("more than once") == true)

        // Present in reseller B's inventory, which reseller A cannot see.
        let present = try server.uploadJSON(carrier: carrier, token: tokenA, numbers: ["19195550100", "19195550199"])
        #expect(present.status == 409)
        #expect(present.rejectedNumbers() == ["19195550199"])
        #expect(present.rejectionReasons().first?.contains("already") == true)

        let after = try server.listAll("/v1/numbers", token: tenants.adminToken)
        #expect(after == before)
    }

    @Test("strict mode rejects unassigned ranges")
    func strictMode() throws {
        let server = try TestServer()
        _ = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let tokenA = try server.token(username: Tenants.Username.resellerA)

        // Area code 555 is not assigned, but the number has a possible NANP length.
        #expect(try server.uploadJSON(carrier: carrier, token: tokenA, numbers: ["15556667777"]).status == 200)

        let set = try server.cli(["instance", "set", server.instance, "--number-validation", "strict"])
        #expect(set.status == 0)
        let strict = try server.uploadJSON(carrier: carrier, token: tokenA, numbers: ["15556667778", "12015550123"])
        #expect(strict.status == 400)
        #expect(strict.rejectedNumbers() == ["15556667778"])
        #expect(try server.uploadJSON(carrier: carrier, token: tokenA, numbers: ["12015550123"]).status == 200)
    }

    @Test("only admins and resellers upload")
    func uploadPermissions() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")

        for username in [Tenants.Username.customerA1, Tenants.Username.userA1u] {
            let token = try server.token(username: username)
            let response = try server.uploadJSON(carrier: carrier, token: token, numbers: ["19195550100"])
            #expect(response.status == 403)
            #expect(response.field("status") == "Forbidden not allowed to upload numbers to carrier management")
        }
        let noTarget = try server.uploadJSON(carrier: carrier, token: tenants.adminToken, numbers: ["19195550100"])
        #expect(noTarget.status == 400)
        let unknownCarrier = try server.uploadJSON(
            carrier: carrier + 100, token: tenants.adminToken, numbers: ["19195550100"], extra: #","resellerId":"\#(tenants.resellerA)""#)
        #expect(unknownCarrier.status == 404)
    }

    @Test("uploads stay inside the caller's tree")
    func uploadCrossTenant() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let tokenB = try server.token(username: Tenants.Username.resellerB)

        let toForeignCustomer = try server.uploadJSON(
            carrier: carrier, token: tokenB, numbers: ["19195550100"], extra: #","customerId":"\#(tenants.customerA1)""#)
        let toMissingCustomer = try server.uploadJSON(
            carrier: carrier, token: tokenB, numbers: ["19195550100"], extra: #","customerId":"999999""#)
        #expect(toForeignCustomer.status == 404)
        #expect(toMissingCustomer.status == 404)
        #expect(toForeignCustomer.field("status") == toMissingCustomer.field("status"))
        let toForeignReseller = try server.uploadJSON(
            carrier: carrier, token: tokenB, numbers: ["19195550100"], extra: #","resellerId":"\#(tenants.resellerA)""#)
        #expect(toForeignReseller.status == 404)
        #expect(try server.listAll("/v1/numbers", token: tenants.adminToken).isEmpty)
    }

    // MARK: - Listing and removal

    @Test("carrier numbers list what the caller sees")
    func carrierNumbersListing() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let other = try server.makeCarrier("Carrier B")
        let tokenA = try server.token(username: Tenants.Username.resellerA)
        let tokenB = try server.token(username: Tenants.Username.resellerB)
        #expect(try server.uploadJSON(carrier: carrier, token: tokenA, numbers: numberRange(from: 19_195_550_100, count: 5)).status == 200)
        #expect(try server.uploadJSON(carrier: other, token: tokenA, numbers: ["19195550200"]).status == 200)
        #expect(try server.uploadJSON(carrier: carrier, token: tokenB, numbers: ["19195550300"]).status == 200)

        #expect(
            try server.listAll("/v1/carriers/\(carrier)/numbers", token: tokenA, limit: 2) == numberRange(from: 19_195_550_100, count: 5))
        #expect(try server.listAll("/v1/carriers/\(carrier)/numbers", token: tokenB) == ["19195550300"])
        #expect(try server.listAll("/v1/carriers/\(carrier)/numbers", token: tenants.adminToken).count == 6)
        #expect(try server.call("GET", "/v1/carriers/\(carrier + 100)/numbers", token: tokenA).status == 404)
    }

    @Test("delete removes all or nothing")
    func deleteNumbers() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let other = try server.makeCarrier("Carrier B")
        let tokenA = try server.token(username: Tenants.Username.resellerA)
        let tokenB = try server.token(username: Tenants.Username.resellerB)
        #expect(try server.uploadJSON(carrier: carrier, token: tokenA, numbers: ["19195550100", "19195550101"]).status == 200)
        #expect(try server.uploadJSON(carrier: carrier, token: tokenB, numbers: ["19195550300"]).status == 200)

        // A foreign number, a missing one and one of another carrier all read as not found.
        let foreign = try server.call(
            "DELETE", "/v1/carriers/\(carrier)/numbers", token: tokenA, json: #"{"telephoneNumbers":["19195550100","19195550300"]}"#)
        let missing = try server.call(
            "DELETE", "/v1/carriers/\(carrier)/numbers", token: tokenA, json: #"{"telephoneNumbers":["19195550100","19195550399"]}"#)
        let otherCarrier = try server.call(
            "DELETE", "/v1/carriers/\(other)/numbers", token: tokenA, json: #"{"telephoneNumbers":["19195550100"]}"#)
        #expect(foreign.status == 409)
        #expect(missing.status == 409)
        #expect(otherCarrier.status == 409)
        #expect(foreign.rejectionReasons() == missing.rejectionReasons())
        #expect(try server.listAll("/v1/numbers", token: tenants.adminToken).count == 3)

        let customer = try server.token(username: Tenants.Username.customerA1)
        let byCustomer = try server.call(
            "DELETE", "/v1/carriers/\(carrier)/numbers", token: customer, json: #"{"telephoneNumbers":["19195550100"]}"#)
        #expect(byCustomer.status == 403)

        let deleted = try server.call(
            "DELETE", "/v1/carriers/\(carrier)/numbers", token: tokenA, json: #"{"telephoneNumbers":["19195550100","+1 919 555 0101"]}"#)
        #expect(deleted.status == 200)
        #expect(try server.listAll("/v1/numbers", token: tokenA).isEmpty)
    }

    @Test("provisioned numbers cannot be removed")
    func provisionedBlocksDelete() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let tokenA = try server.token(username: Tenants.Username.resellerA)
        #expect(
            try server.uploadJSON(
                carrier: carrier, token: tokenA, numbers: ["19195550100"], extra: #","customerId":"\#(tenants.customerA1)""#
            ).status == 200)
        // No route provisions numbers yet, so the test sets the status in the database.
        try server.sql("UPDATE numbers SET status = 'provisioned'")

        let response = try server.call(
            "DELETE", "/v1/carriers/\(carrier)/numbers", token: tokenA, json: #"{"telephoneNumbers":["19195550100"]}"#)
        #expect(response.status == 409)
        #expect(response.rejectionReasons().first?.contains("provisioned") == true)
        let release = try server.call("POST", "/v1/numbers/release", token: tokenA, json: #"{"telephoneNumbers":["19195550100"]}"#)
        #expect(release.status == 409)
    }

    @Test("account with numbers cannot be deleted")
    func accountDeleteConflict() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let carrier = try server.makeCarrier("Carrier A")
        let tokenA = try server.token(username: Tenants.Username.resellerA)
        #expect(
            try server.uploadJSON(
                carrier: carrier, token: tokenA, numbers: ["19195550100"], extra: #","customerId":"\#(tenants.subCustomerA1x)""#
            ).status == 200)

        let blocked = try server.call("DELETE", "/v1/accounts/\(tenants.customerA1)", token: tokenA)
        #expect(blocked.status == 409)

        #expect(try server.call("POST", "/v1/numbers/release", token: tokenA, json: #"{"telephoneNumbers":["19195550100"]}"#).status == 200)
        let deleted = try server.call("DELETE", "/v1/accounts/\(tenants.customerA1)", token: tokenA)
        #expect(deleted.status == 200)
    }
}
