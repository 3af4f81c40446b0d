import Foundation
import Testing

/// `GET`, `PUT` and `DELETE /v1/accounts/{accountId}`: id parsing, visibility, partial updates,
/// token revocation and subtree deletion.
@Suite("Account by id")
struct AccountByIDTests {
    static func notFound(_ id: String) -> String { "Account \(id) does not exist or is not visible to you." }

    @Test("malformed id is 400")
    func malformedID() throws {
        let server = try TestServer()
        let token = try server.token(username: TestServer.adminUsername)
        let body = #"{"accountType":"Customer","customerAccount":{}}"#
        for id in ["abc", "-1", "1.5", "1234567890123456789", "0x10"] {
            for method in ["GET", "PUT", "DELETE"] {
                let response = try server.call(method, "/v1/accounts/\(id)", token: token, json: method == "PUT" ? body : nil)
                #expect(response.status == 400, "\(method) \(id): \(response.text)")
                #expect(response.field("status") == StatusText.badRequest, "\(method) \(id)")
                #expect(response.field("detail")?.hasPrefix("The accountId ") == true, "\(method) \(id): \(response.text)")
                #expect(response.field("detail")?.hasSuffix(" is not an id; ids are 1 to 18 decimal digits.") == true, "\(method) \(id)")
            }
        }
        let plain = try server.call("GET", "/v1/accounts/abc", token: token)
        #expect(plain.field("detail") == #"The accountId "abc" is not an id; ids are 1 to 18 decimal digits."#)
    }

    @Test("unknown id is 404")
    func unknownID() throws {
        let server = try TestServer()
        let token = try server.token(username: TestServer.adminUsername)
        let body = #"{"accountType":"Customer","customerAccount":{"city":"Cary"}}"#
        for method in ["GET", "PUT", "DELETE"] {
            let response = try server.call(method, "/v1/accounts/987654", token: token, json: method == "PUT" ? body : nil)
            expectError(response, 404, StatusText.notFound, detail: Self.notFound("987654"))
        }
    }

    @Test("foreign id equals unknown id")
    func foreignID() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let tokenB = try server.token(username: Tenants.Username.resellerB)
        let tokenA1 = try server.token(username: Tenants.Username.customerA1)
        let tokenA1u = try server.token(username: Tenants.Username.userA1u)
        let body = #"{"accountType":"Customer","customerAccount":{"city":"Cary"}}"#
        let cases: [(name: String, token: String, id: String)] = [
            ("reseller B to A1", tokenB, tenants.customerA1),
            ("reseller B to A1x", tokenB, tenants.subCustomerA1x),
            ("customer A1 to A2", tokenA1, tenants.customerA2),
            ("customer A1 to reseller A", tokenA1, tenants.resellerA),
            ("customer A1 to B1", tokenA1, tenants.customerB1),
            ("User A1u to A2", tokenA1u, tenants.customerA2),
        ]
        let unknownID = "987654"
        for (name, token, id) in cases {
            for method in ["GET", "PUT", "DELETE"] {
                let json = method == "PUT" ? body : nil
                let foreign = try server.call(method, "/v1/accounts/\(id)", token: token, json: json)
                let unknown = try server.call(method, "/v1/accounts/\(unknownID)", token: token, json: json)
                #expect(foreign.status == 404, "\(name) \(method): \(foreign.text)")
                #expect(foreign.field("detail") == Self.notFound(id), "\(name) \(method)")
                let renamed = foreign.text.replacingOccurrences(of: "Account \(id) ", with: "Account \(unknownID) ")
                #expect(renamed == unknown.text, "\(name) \(method)")
            }
        }

        // None of the attempts changed or removed anything.
        for id in [tenants.customerA1, tenants.subCustomerA1x, tenants.customerA2, tenants.resellerA, tenants.customerB1] {
            let read = try server.call("GET", "/v1/accounts/\(id)", token: tenants.adminToken)
            #expect(read.status == 200, "\(id)")
            #expect(!read.text.contains("Cary"), "\(id)")
        }
    }

    @Test("partial update keeps other fields")
    func partialUpdate() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.resellerA)
        let path = "/v1/accounts/\(tenants.customerA1)"

        let first = try server.call(
            "PUT", path, token: token,
            json: #"{"accountType":"Customer","customerAccount":{"city":"Raleigh","plan":"gold","billingInfo":{"firstName":"Ada"}}}"#)
        expectNoError(first)
        let afterFirst = try server.call("GET", path, token: token).object?["customerAccount"]?.object
        #expect(afterFirst?["companyName"]?.string == "Customer A1")
        #expect(afterFirst?["city"]?.string == "Raleigh")
        #expect(afterFirst?["plan"]?.string == "gold")
        #expect(afterFirst?["billingInfo"]?.object?["firstName"]?.string == "Ada")
        #expect(afterFirst?["loginInformation"]?.array?.first?.object?["userName"]?.string == Tenants.Username.customerA1)

        let second = try server.call(
            "PUT", path, token: token, json: #"{"accountType":"Customer","customerAccount":{"city":null,"billingInfo":null}}"#)
        expectNoError(second)
        let afterSecond = try server.call("GET", path, token: token).object?["customerAccount"]?.object
        #expect(afterSecond?["city"] == .null)
        #expect(afterSecond?["plan"]?.string == "gold")
        #expect(afterSecond?["billingInfo"]?.object?["firstName"] == .null)
        #expect(afterSecond?["companyName"]?.string == "Customer A1")

        // The login still signs in: leaving loginInformation out keeps it.
        #expect(try server.token(username: Tenants.Username.customerA1).count == 32)
    }

    @Test("update validates like create")
    func updateValidates() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.resellerA)
        let path = "/v1/accounts/\(tenants.customerA1)"

        let badEmail = try server.call(
            "PUT", path, token: token, json: #"{"accountType":"Customer","customerAccount":{"agentEmail":"x@"}}"#)
        expectError(
            badEmail, 400, StatusText.badRequest, detail: "The account body has invalid fields; see errors.",
            fields: ["customerAccount.agentEmail"])

        let clearedName = try server.call(
            "PUT", path, token: token, json: #"{"accountType":"Customer","customerAccount":{"companyName":null}}"#)
        expectError(clearedName, 400, StatusText.badRequest, fields: ["customerAccount.companyName"])

        let read = try server.call("GET", path, token: token).object?["customerAccount"]?.object
        #expect(read?["agentEmail"] == .null)
        #expect(read?["companyName"]?.string == "Customer A1")
    }

    @Test("accountType change is 409")
    func typeChange() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.resellerA)
        let response = try server.call(
            "PUT", "/v1/accounts/\(tenants.customerA1)", token: token,
            json: #"{"accountType":"User","userAccount":{"loginInformation":[]}}"#)
        // The body is valid on its own; it conflicts with the stored account's type.
        expectError(
            response, 409, StatusText.conflict,
            detail: "Account \(tenants.customerA1) is a Customer account; its type cannot change to User.")
    }

    @Test("moving an account is 400")
    func moving() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.resellerA)

        let move = try server.call(
            "PUT", "/v1/accounts/\(tenants.subCustomerA1x)", token: token,
            json: #"{"accountType":"Customer","customerAccount":{"parentId":"\#(tenants.customerA2)"}}"#)
        expectError(
            move, 400, StatusText.badRequest, detail: "The account body has invalid fields; see errors.",
            fields: ["customerAccount.parentId"])

        let reseller = try server.call(
            "PUT", "/v1/accounts/\(tenants.customerA1)", token: tenants.adminToken,
            json: #"{"accountType":"Customer","customerAccount":{"resellerId":"\#(tenants.resellerB)"}}"#)
        expectError(reseller, 400, StatusText.badRequest, fields: ["customerAccount.resellerId"])

        // Echoing the current ids is allowed.
        let same = try server.call(
            "PUT", "/v1/accounts/\(tenants.subCustomerA1x)", token: token,
            json:
                #"{"accountType":"Customer","customerAccount":{"parentId":"\#(tenants.customerA1)","resellerId":"\#(tenants.resellerA)"}}"#)
        expectNoError(same)
        let read = try server.call("GET", "/v1/accounts/\(tenants.subCustomerA1x)", token: token)
        #expect(read.object?["customerAccount"]?.object?["parentId"]?.string == tenants.customerA1)
    }

    @Test("password change revokes tokens")
    func passwordChangeRevokes() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let resellerToken = try server.token(username: Tenants.Username.resellerA)
        let oldToken = try server.token(username: Tenants.Username.customerA1)
        #expect(try server.call("GET", "/v1/accounts", token: oldToken).status == 200)

        let newPassword = "a-brand-new-password-42"
        let update = try server.call(
            "PUT", "/v1/accounts/\(tenants.customerA1)", token: resellerToken,
            json:
                #"{"accountType":"Customer","customerAccount":{"loginInformation":[{"userName":"\#(Tenants.Username.customerA1)","password":"\#(newPassword)"}]}}"#
        )
        expectNoError(update)

        let stale = try server.call("GET", "/v1/accounts", token: oldToken)
        expectError(stale, 401, StatusText.unauthorized, detail: AuthenticationTests.invalidToken)
        let oldPassword = try server.authorize(username: Tenants.Username.customerA1, password: TestServer.password)
        #expect(oldPassword.status == 401)
        let fresh = try server.token(username: Tenants.Username.customerA1, password: newPassword)
        #expect(try server.call("GET", "/v1/accounts", token: fresh).status == 200)

        // Other logins keep their tokens.
        #expect(try server.call("GET", "/v1/accounts", token: resellerToken).status == 200)
    }

    @Test("removed login loses tokens")
    func removedLogin() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let resellerToken = try server.token(username: Tenants.Username.resellerA)
        let oldToken = try server.token(username: Tenants.Username.customerA1)

        let update = try server.call(
            "PUT", "/v1/accounts/\(tenants.customerA1)", token: resellerToken,
            json:
                #"{"accountType":"Customer","customerAccount":{"loginInformation":[{"userName":"customer-a1-new","password":"\#(TestServer.password)"}]}}"#
        )
        expectNoError(update)

        let stale = try server.call("GET", "/v1/accounts", token: oldToken)
        expectError(stale, 401, StatusText.unauthorized, detail: AuthenticationTests.invalidToken)
        let removedSignIn = try server.authorize(username: Tenants.Username.customerA1, password: TestServer.password)
        expectError(removedSignIn, 401, StatusText.unauthorized, detail: "The username or password is wrong.")
        let renamed = try server.token(username: "customer-a1-new")
        let read = try server.call("GET", "/v1/accounts", token: renamed)
        #expect(read.object?["customerAccount"]?.object?["customerId"]?.string == tenants.customerA1)
        let logins = read.object?["customerAccount"]?.object?["loginInformation"]?.array ?? []
        #expect(logins.compactMap { $0.object?["userName"]?.string } == ["customer-a1-new"])
    }

    @Test("update to taken username is 409")
    func updateTakenUsername() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.resellerA)
        let response = try server.call(
            "PUT", "/v1/accounts/\(tenants.customerA1)", token: token,
            json:
                #"{"accountType":"Customer","customerAccount":{"loginInformation":[{"userName":"\#(Tenants.Username.customerA2)","password":"\#(TestServer.password)"}]}}"#
        )
        expectError(
            response, 409, StatusText.conflict,
            detail: "The username \"\(Tenants.Username.customerA2)\" is already taken in this instance; choose another.")

        // The failed update changed nothing: A1's own login still signs in.
        #expect(try server.token(username: Tenants.Username.customerA1).count == 32)
    }

    @Test("own modulesAccess is 403")
    func ownModules() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let cases: [(username: String, id: String, kind: String)] = [
            (Tenants.Username.resellerA, tenants.resellerA, "Reseller"),
            (Tenants.Username.customerA1, tenants.customerA1, "Customer"),
        ]
        for (username, id, kind) in cases {
            let token = try server.token(username: username)
            let key = kind == "Reseller" ? "resellerAccount" : "customerAccount"
            let response = try server.call(
                "PUT", "/v1/accounts/\(id)", token: token, json: #"{"accountType":"\#(kind)","\#(key)":{"modulesAccess":{"ucaas":false}}}"#)
            expectError(
                response, 403, "Forbidden not allowed to update account",
                detail: "An account cannot change its own modulesAccess; ask the account above it.")
            let read = try server.call("GET", "/v1/accounts", token: token)
            #expect(read.object?[key]?.object?["modulesAccess"]?.object?["ucaas"] == .bool(true), "\(username)")
        }

        // The account above may change it.
        let resellerToken = try server.token(username: Tenants.Username.resellerA)
        let byParent = try server.call(
            "PUT", "/v1/accounts/\(tenants.customerA1)", token: resellerToken,
            json: #"{"accountType":"Customer","customerAccount":{"modulesAccess":{"ucaas":false}}}"#)
        expectNoError(byParent)
    }

    @Test("delete removes the subtree")
    func deleteSubtree() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let resellerToken = try server.token(username: Tenants.Username.resellerA)
        let tokens = [
            try server.token(username: Tenants.Username.customerA1),
            try server.token(username: Tenants.Username.subCustomerA1x),
            try server.token(username: Tenants.Username.userA1u),
        ]

        let delete = try server.call("DELETE", "/v1/accounts/\(tenants.customerA1)", token: resellerToken)
        expectNoError(delete)

        for id in [tenants.customerA1, tenants.subCustomerA1x, tenants.userA1u] {
            let read = try server.call("GET", "/v1/accounts/\(id)", token: resellerToken)
            expectError(read, 404, StatusText.notFound, detail: Self.notFound(id))
        }
        for token in tokens {
            let response = try server.call("GET", "/v1/accounts", token: token)
            expectError(response, 401, StatusText.unauthorized, detail: AuthenticationTests.invalidToken)
        }
        let signIn = try server.authorize(username: Tenants.Username.subCustomerA1x, password: TestServer.password)
        #expect(signIn.status == 401)

        // The sibling stays.
        #expect(try server.call("GET", "/v1/accounts/\(tenants.customerA2)", token: resellerToken).status == 200)
        let again = try server.call("DELETE", "/v1/accounts/\(tenants.customerA1)", token: resellerToken)
        expectError(again, 404, StatusText.notFound, detail: Self.notFound(tenants.customerA1))
    }

    @Test("delete of self is 403")
    func deleteSelf() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.customerA1)
        let response = try server.call("DELETE", "/v1/accounts/\(tenants.customerA1)", token: token)
        expectError(
            response, 403, "Forbidden not allowed to delete account",
            detail: "An account cannot delete itself; ask the account above it to delete it.")
        #expect(try server.call("GET", "/v1/accounts", token: token).status == 200)
    }

    @Test("delete with numbers is 409")
    func deleteWithNumbers() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.resellerA)

        // The columns the INSERT below writes, so that a schema change fails here with a clear message.
        let columns = try server.database.columns(of: "numbers")
        #expect(columns["telephone_number"] == true, "telephone_number is missing or nullable: \(columns)")
        #expect(columns["account_id"] != nil, "account_id is missing: \(columns)")
        #expect(columns["status"] == true, "status is missing or nullable: \(columns)")
        try server.sql(
            "INSERT INTO numbers (instance_id, telephone_number, account_id, status) "
                + "SELECT id, '15556667777', \(tenants.subCustomerA1x), 'assigned' FROM instances WHERE name = 'acme'")

        let blocked = try server.call("DELETE", "/v1/accounts/\(tenants.customerA1)", token: token)
        expectError(
            blocked, 409, StatusText.conflict,
            detail:
                "Account \(tenants.customerA1) cannot be deleted: account \(tenants.customerA1) and its subtree hold 1 telephone number(s); release or move them first."
        )
        #expect(try server.call("GET", "/v1/accounts/\(tenants.subCustomerA1x)", token: token).status == 200)

        try server.sql("DELETE FROM numbers WHERE telephone_number = '15556667777'")
        let deleted = try server.call("DELETE", "/v1/accounts/\(tenants.customerA1)", token: token)
        expectNoError(deleted)
        #expect(try server.call("GET", "/v1/accounts/\(tenants.subCustomerA1x)", token: token).status == 404)
    }
}
