import Foundation
import NumberlineJSON

/// The standard account tree the isolation tests run against, created over HTTP by the
/// platform admin and the accounts themselves:
///
///     reseller A ── customer A1 ── sub-customer A1x
///               │              └─ User account A1u
///               └─ customer A2
///     reseller B ── customer B1
struct Tenants {
    var adminToken: String
    var resellerA: String
    var resellerB: String
    var customerA1: String
    var subCustomerA1x: String
    var customerA2: String
    var customerB1: String
    var userA1u: String

    /// Usernames of each account's login.
    enum Username {
        static let resellerA = "reseller-a"
        static let resellerB = "reseller-b"
        static let customerA1 = "customer-a1"
        static let subCustomerA1x = "customer-a1x"
        static let customerA2 = "customer-a2"
        static let customerB1 = "customer-b1"
        static let userA1u = "user-a1u"
    }

    init(server: TestServer) throws {
        adminToken = try server.token(username: TestServer.adminUsername)
        resellerA = try Tenants.create(server, token: adminToken, json: Tenants.reseller("Reseller A", login: Username.resellerA))
        resellerB = try Tenants.create(server, token: adminToken, json: Tenants.reseller("Reseller B", login: Username.resellerB))
        let tokenA = try server.token(username: Username.resellerA)
        let tokenB = try server.token(username: Username.resellerB)
        customerA1 = try Tenants.create(server, token: tokenA, json: Tenants.customer("Customer A1", login: Username.customerA1))
        customerA2 = try Tenants.create(server, token: tokenA, json: Tenants.customer("Customer A2", login: Username.customerA2))
        customerB1 = try Tenants.create(server, token: tokenB, json: Tenants.customer("Customer B1", login: Username.customerB1))
        let tokenA1 = try server.token(username: Username.customerA1)
        subCustomerA1x = try Tenants.create(server, token: tokenA1, json: Tenants.customer("Customer A1x", login: Username.subCustomerA1x))
        userA1u = try Tenants.create(
            server, token: tokenA1,
            json:
                #"{"accountType":"User","userAccount":{"loginInformation":[{"userName":"\#(Username.userA1u)","password":"\#(TestServer.password)"}]}}"#
        )
    }

    static func reseller(_ name: String, login: String) -> String {
        #"{"accountType":"Reseller","resellerAccount":{"companyName":"\#(name)","country":"US","state":"NC","zipCode":"27601","loginInformation":[{"userName":"\#(login)","password":"\#(TestServer.password)","email":"\#(login)@example.com"}]}}"#
    }

    /// A customer body; `extra` is spliced in after `companyName` (start it with a comma).
    static func customer(_ name: String, login: String, extra: String = "") -> String {
        #"{"accountType":"Customer","customerAccount":{"companyName":"\#(name)"\#(extra),"loginInformation":[{"userName":"\#(login)","password":"\#(TestServer.password)"}]}}"#
    }

    /// Creates an account and returns its id, failing unless the call returns 200.
    static func create(_ server: TestServer, token: String, json: String) throws -> String {
        let response = try server.call("POST", "/v1/accounts", token: token, json: json)
        guard response.status == 200, let id = response.field("accountId") else {
            throw TestError("creating an account answered \(response.status): \(response.text)")
        }
        return id
    }
}
