import Foundation
import NumberlineJSON
import Testing

/// Inputs on which schemathesis found the server and its OpenAPI document disagreeing, each
/// pinned to the answer the document now states.
@Suite("OpenAPI contract regressions")
struct ContractRegressionTests {
    /// A server with one reseller, signed in as that reseller.
    struct Setup {
        let server: TestServer
        let token: String
        let resellerID: String

        init() throws {
            server = try TestServer()
            let adminToken = try server.token(username: TestServer.adminUsername)
            resellerID = try Tenants.create(server, token: adminToken, json: Tenants.reseller("Reseller A", login: "reseller-a"))
            token = try server.token(username: "reseller-a")
        }

        func user(_ login: String, password: String? = TestServer.password, extra: String = "") -> String {
            let passwordMember = password.map { #","password":"\#($0)""# } ?? ""
            return #"{"accountType":"User","userAccount":{"loginInformation":[{"userName":"\#(login)"\#(passwordMember)}]\#(extra)}}"#
        }
    }

    /// Checks the error shape every 4xx answer shares.
    func expectErrorShape(_ response: TestResponse, status: Int) {
        #expect(response.status == status, "\(response.text)")
        #expect(response.field("statusCode") == String(status))
        #expect(response.field("status") != nil)
        #expect(response.field("detail") != nil)
    }

    // MARK: - Accounts

    @Test("empty parentId means the caller's account")
    func emptyParentID() throws {
        let setup = try Setup()
        let response = try setup.server.call(
            "POST", "/v1/accounts", token: setup.token, json: setup.user("user-empty-parent", extra: #","parentId":"""#))
        #expect(response.status == 200, "\(response.text)")
    }

    @Test("userId on create is ignored")
    func userIDIgnoredOnCreate() throws {
        let setup = try Setup()
        let response = try setup.server.call(
            "POST", "/v1/accounts", token: setup.token, json: setup.user("user-with-id", extra: #","userId":{}"#))
        #expect(response.status == 200, "\(response.text)")
    }

    @Test("control character in free text is 400")
    func controlCharacterRejected() throws {
        let setup = try Setup()
        let body = Tenants.customer("Tab\\tCompany", login: "customer-tab")
        let response = try setup.server.call("POST", "/v1/accounts", token: setup.token, json: body)
        expectErrorShape(response, status: 400)
        #expect(response.text.contains("customerAccount.companyName"))
    }

    @Test("blank companyName is 400")
    func blankCompanyNameRejected() throws {
        let setup = try Setup()
        let response = try setup.server.call(
            "POST", "/v1/accounts", token: setup.token, json: Tenants.customer("   ", login: "customer-blank"))
        expectErrorShape(response, status: 400)
    }

    @Test("duplicate usernames in body are 409")
    func duplicateUsernamesConflict() throws {
        let setup = try Setup()
        let login = #"{"userName":"twice-over","password":"\#(TestServer.password)"}"#
        let body = #"{"accountType":"User","userAccount":{"loginInformation":[\#(login),\#(login)]}}"#
        let response = try setup.server.call("POST", "/v1/accounts", token: setup.token, json: body)
        expectErrorShape(response, status: 409)
    }

    @Test("account without logins is 400")
    func accountWithoutLoginsRejected() throws {
        let setup = try Setup()
        let created = try Tenants.create(setup.server, token: setup.token, json: setup.user("user-keeps-login"))
        let cleared = try setup.server.call(
            "PUT", "/v1/accounts/\(created)", token: setup.token,
            json: #"{"accountType":"User","userAccount":{"loginInformation":[],"parentId":null}}"#)
        expectErrorShape(cleared, status: 400)

        let customer = #"{"accountType":"Customer","customerAccount":{"companyName":"No Logins"}}"#
        let uncreated = try setup.server.call("POST", "/v1/accounts", token: setup.token, json: customer)
        expectErrorShape(uncreated, status: 400)
    }

    @Test("update keeps password of existing login")
    func updateKeepsExistingPassword() throws {
        let setup = try Setup()
        let created = try Tenants.create(setup.server, token: setup.token, json: setup.user("000"))
        let kept = try setup.server.call(
            "PUT", "/v1/accounts/\(created)", token: setup.token,
            json: #"{"accountType":"User","userAccount":{"loginInformation":[{"userName":"000","password":null,"email":"0@0.com"}]}}"#)
        #expect(kept.status == 200, "\(kept.text)")
        #expect(try setup.server.authorize(username: "000", password: TestServer.password).status == 200)

        let newLogin = try setup.server.call(
            "PUT", "/v1/accounts/\(created)", token: setup.token, json: setup.user("brand-new", password: nil))
        expectErrorShape(newLogin, status: 409)
    }

    @Test("accountType change is 409")
    func accountTypeChangeConflict() throws {
        let setup = try Setup()
        let created = try Tenants.create(setup.server, token: setup.token, json: setup.user("user-stays-user"))
        let response = try setup.server.call(
            "PUT", "/v1/accounts/\(created)", token: setup.token, json: #"{"accountType":"Customer","customerAccount":{"plan":"gold"}}"#)
        expectErrorShape(response, status: 409)
    }

    @Test("parent of the wrong kind is 404")
    func wrongKindParentNotFound() throws {
        let setup = try Setup()
        let user = try Tenants.create(setup.server, token: setup.token, json: setup.user("user-as-parent"))
        let underUser = try setup.server.call(
            "POST", "/v1/accounts", token: setup.token, json: setup.user("user-under-user", extra: #","parentId":"\#(user)""#))
        expectErrorShape(underUser, status: 404)

        let customer = try Tenants.create(setup.server, token: setup.token, json: Tenants.customer("Customer One", login: "customer-one"))
        let resellerIsCustomer = try setup.server.call(
            "POST", "/v1/accounts", token: setup.token,
            json: Tenants.customer("Customer Two", login: "customer-two", extra: #","resellerId":"\#(customer)""#))
        expectErrorShape(resellerIsCustomer, status: 404)
    }

    @Test("module the parent lacks is 400")
    func moduleBeyondParentRejected() throws {
        let setup = try Setup()
        let parent = try Tenants.create(
            setup.server, token: setup.token,
            json: Tenants.customer("No Stats", login: "customer-no-stats", extra: #","modulesAccess":{"stats":false}"#))
        let child = try setup.server.call(
            "POST", "/v1/accounts", token: setup.token,
            json: Tenants.customer(
                "Wants Stats", login: "customer-wants-stats", extra: #","parentId":"\#(parent)","modulesAccess":{"stats":true}"#))
        expectErrorShape(child, status: 400)
        #expect(child.text.contains("customerAccount.modulesAccess.stats"))
    }

    @Test("state without country is 400")
    func addressGroupIncomplete() throws {
        let setup = try Setup()
        let response = try setup.server.call(
            "PUT", "/v1/accounts/\(setup.resellerID)", token: setup.token,
            json: #"{"accountType":"Reseller","resellerAccount":{"state":"ZZ"}}"#)
        expectErrorShape(response, status: 400)
        #expect(response.text.contains("resellerAccount.country"))
    }

    // MARK: - Token call

    @Test("token call ignores unknown form fields")
    func tokenCallIgnoresUnknownFields() throws {
        let server = try TestServer()
        let form = "username=\(TestServer.adminUsername)&password=\(formEncode(TestServer.password))&grant_type=password&x=1&x=2"
        let response = try server.request(
            "POST", "/v1/oauth2/authorize",
            headers: [("x-api-key", server.apiKey), ("content-type", "application/x-www-form-urlencoded")], body: Array(form.utf8))
        #expect(response.status == 200, "\(response.text)")
    }

    @Test("token call with differing instances is 400")
    func tokenCallInstanceMismatch() throws {
        let server = try TestServer()
        let form = "username=\(TestServer.adminUsername)&password=\(formEncode(TestServer.password))&instance=trd"
        let response = try server.request(
            "POST", "/v1/oauth2/authorize?instance=\(server.instance)",
            headers: [("x-api-key", server.apiKey), ("content-type", "application/x-www-form-urlencoded")], body: Array(form.utf8))
        expectErrorShape(response, status: 400)
    }

    @Test("token call counts characters, not bytes")
    func tokenCallCountsCharacters() throws {
        let server = try TestServer()
        // 64 two-byte characters: 128 bytes, but within the documented 64 characters.
        let username = String(repeating: "é", count: 64)
        let fits = try server.authorize(username: username, password: TestServer.password)
        #expect(fits.status == 401, "\(fits.text)")
        let tooLong = try server.authorize(username: username + "é", password: TestServer.password)
        expectErrorShape(tooLong, status: 400)
    }

    // MARK: - Listings

    @Test("limit outside the pattern is 400")
    func limitOutsidePattern() throws {
        let setup = try Setup()
        let customer = try Tenants.create(setup.server, token: setup.token, json: Tenants.customer("Customer L", login: "customer-l"))
        // The document's limit pattern admits 1 to 1000 in plain digits. The server also read a
        // sign and leading zeros, so schema-invalid values such as "+5" got 200.
        for path in ["/v1/numbers", "/v1/msteams/\(customer)/numbers", "/v1/zoom/\(customer)/numbers"] {
            for limit in ["%2B5", "0100", "-1", "1001"] {
                let response = try setup.server.call("GET", "\(path)?limit=\(limit)", token: setup.token)
                expectErrorShape(response, status: 400)
                #expect(response.field("detail")?.contains("limit") == true, "\(path)?limit=\(limit): \(response.text)")
            }
            let plain = try setup.server.call("GET", "\(path)?limit=100", token: setup.token)
            #expect(plain.status == 200, "\(path): \(plain.text)")
        }
    }
}
