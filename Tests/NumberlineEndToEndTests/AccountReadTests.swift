import Foundation
import NumberlineJSON
import Testing

/// `GET /v1/accounts`, `/v1/accounts/customers` and `/v1/accounts/resellers` for each kind of caller.
@Suite("Account reads")
struct AccountReadTests {
    // Member order of the reference's resellerAccount and customerAccount objects.
    static let resellerOrder = [
        "resellerId", "companyName", "streetNumber", "streetName", "zipCode", "city", "country", "state",
        "notificationEmail", "agent", "agentEmail", "vendorInfo", "billingInfo", "technicalContactInfo",
        "primaryServiceAddress", "routingProfile", "domesticDIDProvider", "internationalDIDProvider",
        "loginInformation", "modulesAccess",
    ]
    static let customerOrder = [
        "resellerId", "customerId", "companyName", "streetNumber", "streetName", "zipCode", "city", "country", "state",
        "notificationEmail", "agent", "agentEmail", "customerContractingEntity", "endCustomerName", "fqdnId",
        "serviceId", "parentId", "plan", "orderType", "role", "vendorInfo", "billingInfo", "technicalContactInfo",
        "primaryServiceAddress", "routingProfile", "domesticDIDProvider", "internationalDIDProvider",
        "loginInformation", "modulesAccess",
    ]
    /// Members this server adds after the reference's, for the Teams and Zoom sections.
    static let customerAdditions = ["msTeamsTenantId", "zoomAccountId"]
    static let vendorOrder = ["accountId", "productCode", "profileName"] + (1...9).map { "vendorField\($0)" }
    static let contactOrder = ["firstName", "lastName", "email", "phone"]
    static let addressOrder = ["streetNumber", "streetName", "zipCode", "city", "country", "state"]
    /// The reference's login members without `password`, which is never returned.
    static let loginOrder = ["userName", "firstName", "lastName", "email", "phoneNumber"]
    static let modulesOrder = ["did", "msteam", "ucaas", "enhancedServices", "stats"]

    @Test("admin reads Admin account")
    func adminAccount() throws {
        let server = try TestServer()
        let token = try server.token(username: TestServer.adminUsername)
        let response = try server.call("GET", "/v1/accounts", token: token)
        #expect(response.status == 200)
        #expect(response.object?.keys == ["accountType", "adminAccount"])
        #expect(response.field("accountType") == "Admin")
        let admin = response.object?["adminAccount"]?.object
        #expect(admin?.keys == ["instance", "loginInformation"])
        #expect(admin?["instance"]?.string == "acme")
        let logins = admin?["loginInformation"]?.array ?? []
        #expect(logins.count == 1)
        #expect(logins.first?.object?.keys == Self.loginOrder)
        #expect(logins.first?.object?["userName"]?.string == TestServer.adminUsername)
        #expect(!containsKey(try response.json(), "password"))
    }

    @Test("reseller account keeps reference order")
    func resellerOrder() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.resellerA)
        let response = try server.call("GET", "/v1/accounts", token: token)

        #expect(response.status == 200)
        #expect(response.object?.keys == ["accountType", "resellerAccount"])
        #expect(response.field("accountType") == "Reseller")
        let account = response.object?["resellerAccount"]?.object
        #expect(account?.keys == Self.resellerOrder)
        #expect(account?["resellerId"]?.string == tenants.resellerA)
        #expect(account?["companyName"]?.string == "Reseller A")
        #expect(account?["country"]?.string == "US")
        #expect(account?["state"]?.string == "NC")
        #expect(account?["zipCode"]?.string == "27601")
        #expect(account?["city"] == .null)
        expectNestedOrder(account)
        let login = account?["loginInformation"]?.array?.first?.object
        #expect(login?["userName"]?.string == Tenants.Username.resellerA)
        #expect(login?["email"]?.string == "reseller-a@example.com")
        #expect(account?["modulesAccess"]?.object?.members.allSatisfy { $0.value == .bool(true) } == true)
        #expect(!containsKey(try response.json(), "password"))
    }

    @Test("customer account keeps reference order")
    func customerOrder() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.subCustomerA1x)
        let response = try server.call("GET", "/v1/accounts", token: token)

        #expect(response.status == 200)
        #expect(response.object?.keys == ["accountType", "customerAccount"])
        #expect(response.field("accountType") == "Customer")
        let account = response.object?["customerAccount"]?.object
        #expect(account?.keys == Self.customerOrder + Self.customerAdditions)
        #expect(account?["resellerId"]?.string == tenants.resellerA)
        #expect(account?["customerId"]?.string == tenants.subCustomerA1x)
        #expect(account?["parentId"]?.string == tenants.customerA1)
        #expect(account?["companyName"]?.string == "Customer A1x")
        expectNestedOrder(account)
        #expect(!containsKey(try response.json(), "password"))
    }

    @Test("User login reads User account")
    func userAccount() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.userA1u)
        let response = try server.call("GET", "/v1/accounts", token: token)

        #expect(response.status == 200)
        #expect(response.field("accountType") == "User")
        let account = response.object?["userAccount"]?.object
        #expect(account?.keys == ["loginInformation", "userId", "parentId"])
        #expect(account?["userId"]?.string == tenants.userA1u)
        #expect(account?["parentId"]?.string == tenants.customerA1)
        let logins = account?["loginInformation"]?.array ?? []
        #expect(logins.count == 1)
        #expect(logins.first?.object?.keys == Self.loginOrder)
        #expect(!containsKey(try response.json(), "password"))
    }

    @Test("customer lists follow the tree")
    func customerLists() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let cases: [(username: String, expected: Set<String>)] = [
            (TestServer.adminUsername, [tenants.customerA1, tenants.subCustomerA1x, tenants.customerA2, tenants.customerB1]),
            (Tenants.Username.resellerA, [tenants.customerA1, tenants.subCustomerA1x, tenants.customerA2]),
            (Tenants.Username.resellerB, [tenants.customerB1]),
            (Tenants.Username.customerA1, [tenants.subCustomerA1x]),
            (Tenants.Username.userA1u, [tenants.subCustomerA1x]),
            (Tenants.Username.subCustomerA1x, []),
        ]
        for (username, expected) in cases {
            let token = try server.token(username: username)
            let response = try server.call("GET", "/v1/accounts/customers", token: token)
            #expect(response.status == 200, "\(username): \(response.text)")
            let items = (try response.json()).array ?? []
            #expect(items.allSatisfy { $0.object?["accountType"]?.string == "Customer" }, "\(username)")
            let ids = items.compactMap { $0.object?["customerAccount"]?.object?["customerId"]?.string }
            #expect(ids.count == items.count, "\(username)")
            #expect(Set(ids) == expected, "\(username)")
            #expect(!containsKey(try response.json(), "password"), "\(username)")
            #expect(!response.text.contains(TestServer.password), "\(username)")
        }
    }

    @Test("reseller lists follow the tree")
    func resellerLists() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let cases: [(username: String, expected: Set<String>)] = [
            (TestServer.adminUsername, [tenants.resellerA, tenants.resellerB]),
            (Tenants.Username.resellerA, [tenants.resellerA]),
            (Tenants.Username.customerA1, []),
            (Tenants.Username.userA1u, []),
        ]
        for (username, expected) in cases {
            let token = try server.token(username: username)
            let response = try server.call("GET", "/v1/accounts/resellers", token: token)
            #expect(response.status == 200, "\(username): \(response.text)")
            let items = (try response.json()).array ?? []
            let ids = items.compactMap { $0.object?["resellerAccount"]?.object?["resellerId"]?.string }
            #expect(ids.count == items.count, "\(username)")
            #expect(Set(ids) == expected, "\(username)")
            #expect(!containsKey(try response.json(), "password"), "\(username)")
        }
    }

    @Test("lists show logins without passwords")
    func listLogins() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let response = try server.call("GET", "/v1/accounts/customers", token: tenants.adminToken)
        let items = (try response.json()).array ?? []
        let a1 = items.first { $0.object?["customerAccount"]?.object?["customerId"]?.string == tenants.customerA1 }
        let logins = a1?.object?["customerAccount"]?.object?["loginInformation"]?.array ?? []
        #expect(logins.count == 1)
        #expect(logins.first?.object?["userName"]?.string == Tenants.Username.customerA1)
        #expect(logins.first?.object?.keys == Self.loginOrder)
    }

    @Test("GET by id shows one account")
    func getByID() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let token = try server.token(username: Tenants.Username.resellerA)
        let response = try server.call("GET", "/v1/accounts/\(tenants.subCustomerA1x)", token: token)
        #expect(response.status == 200)
        let account = response.object?["customerAccount"]?.object
        #expect(account?.keys == Self.customerOrder + Self.customerAdditions)
        #expect(account?["customerId"]?.string == tenants.subCustomerA1x)
        #expect(!containsKey(try response.json(), "password"))

        let user = try server.call("GET", "/v1/accounts/\(tenants.userA1u)", token: token)
        #expect(user.status == 200)
        #expect(user.field("accountType") == "User")
        #expect(!containsKey(try user.json(), "password"))
    }

    /// Checks the member order of the nested objects of a reseller or customer account.
    private func expectNestedOrder(_ account: JSONObject?, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(account?["vendorInfo"]?.object?.keys == Self.vendorOrder, sourceLocation: sourceLocation)
        #expect(account?["billingInfo"]?.object?.keys == Self.contactOrder, sourceLocation: sourceLocation)
        #expect(account?["technicalContactInfo"]?.object?.keys == Self.contactOrder, sourceLocation: sourceLocation)
        #expect(account?["primaryServiceAddress"]?.object?.keys == Self.addressOrder, sourceLocation: sourceLocation)
        #expect(account?["routingProfile"]?.object?.keys == ["accountId"], sourceLocation: sourceLocation)
        #expect(account?["domesticDIDProvider"]?.array == [], sourceLocation: sourceLocation)
        #expect(account?["internationalDIDProvider"]?.array == [], sourceLocation: sourceLocation)
        #expect(account?["modulesAccess"]?.object?.keys == Self.modulesOrder, sourceLocation: sourceLocation)
        let logins = account?["loginInformation"]?.array ?? []
        #expect(logins.count == 1, sourceLocation: sourceLocation)
        #expect(logins.first?.object?.keys == Self.loginOrder, sourceLocation: sourceLocation)
    }
}
