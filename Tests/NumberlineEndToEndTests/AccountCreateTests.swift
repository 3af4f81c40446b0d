import Foundation
import Testing

/// `POST /v1/accounts`: each kind, the body validation rules and the tree permissions.
@Suite("Account creation")
struct AccountCreateTests {
    static let invalidFields = "The account body has invalid fields; see errors."
    static let incomplete = "The account body is incomplete."

    /// Builds a customer body with one login; `fields` are spliced in before `loginInformation`.
    static func customer(fields: String = "", login: String = #"{"userName":"new-customer","password":"\#(TestServer.password)"}"#)
        -> String
    {
        #"{"accountType":"Customer","customerAccount":{"companyName":"New Co"\#(fields),"loginInformation":[\#(login)]}}"#
    }

    @Test("each kind is created")
    func createsEachKind() throws {
        let server = try TestServer()
        let adminToken = try server.token(username: TestServer.adminUsername)

        let reseller = try server.call("POST", "/v1/accounts", token: adminToken, json: Tenants.reseller("Reseller R", login: "reseller-r"))
        expectNoError(reseller)
        #expect(reseller.object?.keys == ["statusCode", "status", "accountId"])
        let resellerID = reseller.field("accountId") ?? ""
        #expect(!resellerID.isEmpty, "\(reseller.text)")
        #expect(resellerID.allSatisfy { $0.isNumber }, "accountId: \(resellerID)")

        let resellerToken = try server.token(username: "reseller-r")
        let customer = try server.call(
            "POST", "/v1/accounts", token: resellerToken,
            json: Tenants.customer("Customer C", login: "customer-c", extra: #","resellerId":"\#(resellerID)""#))
        expectNoError(customer)
        let customerID = customer.field("accountId") ?? ""
        #expect(!customerID.isEmpty, "\(customer.text)")
        #expect(customerID.allSatisfy { $0.isNumber }, "accountId: \(customerID)")

        let sub = try server.call(
            "POST", "/v1/accounts", token: resellerToken,
            json: Tenants.customer("Customer C1", login: "customer-c1", extra: #","parentId":"\#(customerID)""#))
        expectNoError(sub)
        let subID = sub.field("accountId") ?? ""

        let user = try server.call(
            "POST", "/v1/accounts", token: resellerToken,
            json:
                #"{"accountType":"User","userAccount":{"parentId":"\#(customerID)","loginInformation":[{"userName":"user-u","password":"\#(TestServer.password)"}]}}"#
        )
        expectNoError(user)
        let userID = user.field("accountId") ?? ""

        #expect(Set([resellerID, customerID, subID, userID]).count == 4)
        let readSub = try server.call("GET", "/v1/accounts/\(subID)", token: adminToken)
        #expect(readSub.object?["customerAccount"]?.object?["parentId"]?.string == customerID)
        #expect(readSub.object?["customerAccount"]?.object?["resellerId"]?.string == resellerID)
        let readUser = try server.call("GET", "/v1/accounts/\(userID)", token: adminToken)
        #expect(readUser.object?["userAccount"]?.object?["parentId"]?.string == customerID)
        #expect(try server.token(username: "user-u").count == 32)
    }

    @Test("invalid fields are named")
    func invalidFields() throws {
        let server = try TestServer()
        let adminToken = try server.token(username: TestServer.adminUsername)
        _ = try Tenants.create(server, token: adminToken, json: Tenants.reseller("Reseller A", login: Tenants.Username.resellerA))
        let token = try server.token(username: Tenants.Username.resellerA)

        let login = { (name: String, password: String) in #"{"userName":"\#(name)","password":"\#(password)"}"# }
        let cases: [(name: String, body: String, fields: [String])] = [
            ("bad email", Self.customer(fields: #","notificationEmail":"not-an-email""#), ["customerAccount.notificationEmail"]),
            (
                "bad login email", Self.customer(login: #"{"userName":"new-customer","password":"\#(TestServer.password)","email":"a@b"}"#),
                ["customerAccount.loginInformation[0].email"]
            ),
            ("3-letter country", Self.customer(fields: #","country":"USA","state":"NC","zipCode":"27601""#), ["customerAccount.country"]),
            ("lower-case country", Self.customer(fields: #","country":"us","state":"NC","zipCode":"27601""#), ["customerAccount.country"]),
            ("bad US state", Self.customer(fields: #","country":"US","state":"XX","zipCode":"27601""#), ["customerAccount.state"]),
            ("bad ZIP", Self.customer(fields: #","country":"US","state":"NC","zipCode":"2760""#), ["customerAccount.zipCode"]),
            ("state without country", Self.customer(fields: #","state":"NC""#), ["customerAccount.country", "customerAccount.zipCode"]),
            (
                "bad service ZIP", Self.customer(fields: #","primaryServiceAddress":{"country":"US","state":"NC","zipCode":"ABCDE"}"#),
                ["customerAccount.primaryServiceAddress.zipCode"]
            ),
            ("short password", Self.customer(login: login("new-customer", "short")), ["customerAccount.loginInformation[0].password"]),
            ("missing password", Self.customer(login: #"{"userName":"new-customer"}"#), ["customerAccount.loginInformation[0].password"]),
            (
                "bad username", Self.customer(login: login("-bad name", TestServer.password)),
                ["customerAccount.loginInformation[0].userName"]
            ),
            ("short username", Self.customer(login: login("ab", TestServer.password)), ["customerAccount.loginInformation[0].userName"]),
            ("unknown field", Self.customer(fields: #","colour":"blue""#), ["customerAccount.colour"]),
            (
                "unknown login field",
                Self.customer(login: #"{"userName":"new-customer","password":"\#(TestServer.password)","role":"x"}"#),
                ["customerAccount.loginInformation[0].role"]
            ),
            ("number for string", Self.customer(fields: #","city":5"#), ["customerAccount.city"]),
            ("string for boolean", Self.customer(fields: #","modulesAccess":{"did":"yes"}"#), ["customerAccount.modulesAccess.did"]),
            (
                "string for array", #"{"accountType":"Customer","customerAccount":{"companyName":"New Co","loginInformation":"x"}}"#,
                ["customerAccount.loginInformation"]
            ),
            (
                "missing company",
                #"{"accountType":"Customer","customerAccount":{"loginInformation":[\#(login("new-customer", TestServer.password))]}}"#,
                ["customerAccount.companyName"]
            ),
            (
                "wrong account object", #"{"accountType":"Customer","customerAccount":{"companyName":"New Co"},"resellerAccount":{}}"#,
                ["resellerAccount"]
            ),
        ]
        for (name, body, fields) in cases {
            let response = try server.call("POST", "/v1/accounts", token: token, json: body)
            #expect(response.status == 400, "\(name): \(response.text)")
            #expect(response.field("statusCode") == "400", "\(name)")
            #expect(response.field("status") == StatusText.badRequest, "\(name)")
            #expect(response.field("detail") == Self.invalidFields, "\(name)")
            #expect(response.errorFields == fields, "\(name)")
        }

        // Nothing above was stored.
        let list = try server.call("GET", "/v1/accounts/customers", token: token)
        #expect(list.text == "[]")
    }

    @Test("incomplete bodies are 400")
    func incompleteBodies() throws {
        let server = try TestServer()
        let token = try server.token(username: TestServer.adminUsername)
        let cases: [(name: String, body: String, fields: [String])] = [
            ("empty accountType", #"{"accountType":"","resellerAccount":{"companyName":"X"}}"#, ["accountType"]),
            ("missing accountType", #"{"resellerAccount":{"companyName":"X"}}"#, ["accountType"]),
            ("unknown accountType", #"{"accountType":"Vendor","resellerAccount":{"companyName":"X"}}"#, ["accountType"]),
            ("number accountType", #"{"accountType":1,"resellerAccount":{"companyName":"X"}}"#, ["accountType"]),
            ("missing account object", #"{"accountType":"Reseller"}"#, ["resellerAccount"]),
            ("array account object", #"{"accountType":"Reseller","resellerAccount":[]}"#, ["resellerAccount"]),
            ("array body", #"[]"#, ["body"]),
        ]
        for (name, body, fields) in cases {
            let response = try server.call("POST", "/v1/accounts", token: token, json: body)
            #expect(response.status == 400, "\(name): \(response.text)")
            #expect(response.field("status") == StatusText.badRequest, "\(name)")
            #expect(response.field("detail") == Self.incomplete, "\(name)")
            #expect(response.errorFields == fields, "\(name)")
        }
    }

    @Test("malformed JSON is 400")
    func malformedJSON() throws {
        let server = try TestServer()
        let token = try server.token(username: TestServer.adminUsername)
        let truncated = try server.call("POST", "/v1/accounts", token: token, json: #"{"accountType":"Reseller""#)
        expectError(truncated, 400, StatusText.badRequest)
        #expect(truncated.field("detail")?.hasPrefix("The body is not valid JSON: ") == true, "\(truncated.text)")

        let form = try server.call(
            "POST", "/v1/accounts", token: token, headers: [("content-type", "application/x-www-form-urlencoded")])
        expectError(
            form, 400, StatusText.badRequest,
            detail: "Send the body as application/json; the content type was application/x-www-form-urlencoded.")
    }

    @Test("User login cannot change accounts")
    func userLoginForbidden() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.userA1u)

        let create = try server.call("POST", "/v1/accounts", token: token, json: Self.customer())
        expectError(
            create, 403, "Forbidden not allowed to create account",
            detail: "A User login cannot create accounts; sign in with the parent account's login.")

        let update = try server.call(
            "PUT", "/v1/accounts/\(tenants.subCustomerA1x)", token: token,
            json: #"{"accountType":"Customer","customerAccount":{"city":"Durham"}}"#)
        expectError(
            update, 403, "Forbidden not allowed to update account",
            detail: "A User login cannot update accounts; sign in with the parent account's login.")

        let delete = try server.call("DELETE", "/v1/accounts/\(tenants.subCustomerA1x)", token: token)
        expectError(
            delete, 403, "Forbidden not allowed to delete account",
            detail: "A User login cannot delete accounts; sign in with the parent account's login.")

        let still = try server.call("GET", "/v1/accounts/\(tenants.subCustomerA1x)", token: tenants.adminToken)
        #expect(still.status == 200)
        #expect(still.object?["customerAccount"]?.object?["city"] == .null)
    }

    @Test("customer cannot create Reseller")
    func customerCreatesReseller() throws {
        let server = try TestServer()
        _ = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.customerA1)
        let response = try server.call("POST", "/v1/accounts", token: token, json: Tenants.reseller("Reseller Z", login: "reseller-z"))
        expectError(
            response, 403, "Forbidden not allowed to create account", detail: "Only a platform admin can create a Reseller account.")
    }

    @Test("child module needs parent module")
    func childModule() throws {
        let server = try TestServer()
        let adminToken = try server.token(username: TestServer.adminUsername)
        let body =
            #"{"accountType":"Reseller","resellerAccount":{"companyName":"Narrow","modulesAccess":{"msteam":false,"stats":false},"loginInformation":[{"userName":"narrow-reseller","password":"\#(TestServer.password)"}]}}"#
        let resellerID = try Tenants.create(server, token: adminToken, json: body)
        let token = try server.token(username: "narrow-reseller")

        let response = try server.call(
            "POST", "/v1/accounts", token: token, json: Self.customer(fields: #","modulesAccess":{"msteam":true,"stats":true}"#))
        expectError(
            response, 400, StatusText.badRequest, detail: Self.invalidFields,
            fields: ["customerAccount.modulesAccess.msteam", "customerAccount.modulesAccess.stats"])

        // Left out, modules follow the parent.
        let inherited = try server.call("POST", "/v1/accounts", token: token, json: Self.customer())
        expectNoError(inherited)
        let read = try server.call("GET", "/v1/accounts/\(inherited.field("accountId") ?? "")", token: token)
        let modules = read.object?["customerAccount"]?.object?["modulesAccess"]?.object
        #expect(modules?["did"] == .bool(true))
        #expect(modules?["msteam"] == .bool(false))
        #expect(modules?["stats"] == .bool(false))
        #expect(read.object?["customerAccount"]?.object?["resellerId"]?.string == resellerID)
    }

    @Test("taken username is 409")
    func takenUsername() throws {
        let server = try TestServer()
        _ = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.resellerA)
        for takenUsername in [Tenants.Username.customerB1, TestServer.adminUsername] {
            let response = try server.call(
                "POST", "/v1/accounts", token: token,
                json: Self.customer(login: #"{"userName":"\#(takenUsername)","password":"\#(TestServer.password)"}"#))
            expectError(
                response, 409, StatusText.conflict,
                detail: "The username \"\(takenUsername)\" is already taken in this instance; choose another.")
        }
        let list = try server.call("GET", "/v1/accounts/customers", token: token)
        #expect(!list.text.contains("New Co"))
    }

    @Test("foreign parent is 404")
    func foreignParent() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.resellerB)
        let viaParent = try server.call(
            "POST", "/v1/accounts", token: token, json: Self.customer(fields: #","parentId":"\#(tenants.customerA1)""#))
        expectError(
            viaParent, 404, StatusText.notFound,
            detail: "The customerAccount.parentId \(tenants.customerA1) does not exist or is not visible to you.")
        let viaReseller = try server.call(
            "POST", "/v1/accounts", token: token, json: Self.customer(fields: #","resellerId":"\#(tenants.resellerA)""#))
        expectError(
            viaReseller, 404, StatusText.notFound,
            detail: "The customerAccount.resellerId \(tenants.resellerA) does not exist or is not visible to you.")
    }
}
