import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Stopping, restarting on the same database, and what the log must never contain.
@Suite("Server lifecycle")
struct LifecycleTests {
    @Test("SIGTERM stops with status 0")
    func sigtermStops() throws {
        let server = try TestServer()
        #expect(try server.request("GET", "/v1/health").status == 200)
        let status = server.stop(signal: SIGTERM)
        #expect(status == 0)
        let lines = server.log().split(separator: "\n")
        #expect(lines.contains { $0.contains("level=info msg=stopping signal=SIGTERM") })
        #expect(lines.contains { $0.contains("level=info msg=stopped abandoned_requests=0") })
        #expect(lines.last?.contains("msg=stopped") == true)
    }

    @Test("SIGINT stops with status 0")
    func sigintStops() throws {
        let server = try TestServer()
        #expect(server.stop(signal: SIGINT) == 0)
        #expect(server.log().contains("msg=stopping signal=SIGINT"))
        #expect(server.log().contains("msg=stopped"))
    }

    @Test("restart keeps data and tokens")
    func restartKeepsData() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let tokenA1 = try server.token(username: Tenants.Username.customerA1)
        let before = try server.call("GET", "/v1/accounts/\(tenants.subCustomerA1x)", token: tokenA1)
        #expect(before.status == 200)

        #expect(server.stop() == 0)
        try server.start()

        let instances = try server.cli(["instance", "list"])
        #expect(instances.output.split(separator: "\n").map { $0.split(separator: "\t").last.map(String.init) } == ["acme"])
        let after = try server.call("GET", "/v1/accounts/\(tenants.subCustomerA1x)", token: tokenA1)
        #expect(after.status == 200)
        #expect(after.body == before.body)
        let adminList = try server.call("GET", "/v1/accounts/customers", token: tenants.adminToken)
        #expect(adminList.status == 200)
        #expect((try adminList.json()).array?.count == 4)
        let signIn = try server.token(username: Tenants.Username.userA1u)
        #expect(try server.call("GET", "/v1/accounts", token: signIn).field("accountType") == "User")
        #expect(server.log().components(separatedBy: "msg=listening").count == 3)
    }

    @Test("log holds no secrets")
    func logHoldsNoSecrets() throws {
        let server = try TestServer()
        let wrongPassword = "wrong-secret-password-1"
        let newPassword = "fresh-secret-password-2"
        let adminToken = try server.token(username: TestServer.adminUsername)
        _ = try server.authorize(username: TestServer.adminUsername, password: wrongPassword)
        _ = try server.authorize(username: "nobody-at-all", password: wrongPassword)
        let created = try server.call(
            "POST", "/v1/accounts", token: adminToken, json: Tenants.reseller("Reseller L", login: "reseller-l"))
        let resellerID = created.field("accountId") ?? ""
        let resellerToken = try server.token(username: "reseller-l")
        _ = try server.call(
            "PUT", "/v1/accounts/\(resellerID)", token: adminToken,
            json:
                #"{"accountType":"Reseller","resellerAccount":{"loginInformation":[{"userName":"reseller-l","password":"\#(newPassword)"}]}}"#
        )
        _ = try server.call("GET", "/v1/accounts", token: resellerToken)
        _ = try server.request(
            "GET", "/v1/accounts", headers: [("x-api-key", "0123456789abcdef0123456789abcdef"), ("x-access-token", adminToken)])
        _ = try server.postToken("username=a&password=\(wrongPassword)&username=b", headers: server.formHeaders)
        #expect(server.stop() == 0)

        let log = server.log()
        #expect(log.contains("msg=request method=POST path=/v1/oauth2/authorize status=200"))
        #expect(log.contains("msg=\"login failed\""))
        for (name, secret) in [
            ("password", TestServer.password), ("wrong password", wrongPassword), ("new password", newPassword),
            ("API key", server.apiKey), ("admin token", adminToken), ("reseller token", resellerToken),
            ("unknown API key", "0123456789abcdef0123456789abcdef"),
        ] {
            #expect(!log.contains(secret), "the log contains the \(name)")
        }
    }
}
