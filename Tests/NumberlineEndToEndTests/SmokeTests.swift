import Foundation
import Testing

@Suite("Server smoke")
struct SmokeTests {
    @Test("health answers without credentials")
    func healthAnswers() throws {
        let server = try TestServer()
        let response = try server.request("GET", "/v1/health")
        #expect(response.status == 200)
        #expect(response.text == #"{"status":"ok"}"#)
        #expect(response.headers["x-request-id"]?.count == 16)
    }

    @Test("tenant tree builds over HTTP")
    func tenantTreeBuilds() throws {
        let server = try TestServer()
        let tenants = try Tenants(server: server)
        let tokenB = try server.token(username: Tenants.Username.resellerB)
        let foreign = try server.call("GET", "/v1/accounts/\(tenants.customerA1)", token: tokenB)
        #expect(foreign.status == 404)
        let tokenA = try server.token(username: Tenants.Username.resellerA)
        let own = try server.call("GET", "/v1/accounts/\(tenants.customerA1)", token: tokenA)
        #expect(own.status == 200)
    }

    @Test("docs page renders on first request and stays the same")
    func docsPageServes() throws {
        let server = try TestServer()
        let first = try server.request("GET", "/docs")
        #expect(first.status == 200)
        #expect(first.headers["content-type"] == "text/html; charset=utf-8")
        #expect(first.text.contains("id=\"op-getHealth\""))
        #expect(first.text.contains("resellerAccount.companyName"))
        let second = try server.request("GET", "/docs")
        #expect(second.status == 200)
        #expect(second.body == first.body)
    }
}
