import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The `x-api-key` and `x-access-token` checks and the `instance` parameter on authenticated routes.
@Suite("Authenticated routes")
struct AuthenticationTests {
    static let invalidToken = "The access token is unknown, expired or revoked; request a new one from POST /v1/oauth2/authorize."

    @Test("missing API key is 401")
    func missingKey() throws {
        let server = try TestServer()
        let token = try server.token(username: TestServer.adminUsername)
        let response = try server.request("GET", "/v1/accounts", headers: [("x-access-token", token)])
        expectError(
            response, 401, StatusText.unauthorized, detail: "The x-api-key header is missing; send the API key the operator issued.")
    }

    @Test("missing access token is 401")
    func missingToken() throws {
        let server = try TestServer()
        let response = try server.request("GET", "/v1/accounts", headers: [("x-api-key", server.apiKey)])
        expectError(
            response, 401, StatusText.unauthorized,
            detail: "The x-access-token header is missing; get a token from POST /v1/oauth2/authorize.")
    }

    @Test("unknown access token is 401")
    func unknownToken() throws {
        let server = try TestServer()
        let response = try server.call("GET", "/v1/accounts", token: "0123456789abcdef0123456789abcdef")
        expectError(response, 401, StatusText.unauthorized, detail: Self.invalidToken)
    }

    @Test("revoked API key is 401")
    func revokedKey() throws {
        let server = try TestServer()
        let token = try server.token(username: TestServer.adminUsername)
        #expect(try server.call("GET", "/v1/accounts", token: token).status == 200)

        let list = try server.cli(["apikey", "list", "--instance", server.instance])
        #expect(list.status == 0)
        let lines = list.output.split(separator: "\n")
        #expect(lines.count == 1, "list: \(list.output)")
        let columns = lines.first?.split(separator: "\t", omittingEmptySubsequences: false) ?? []
        #expect(columns.count == 4)
        #expect(columns.dropFirst(2).first == "active")
        #expect(columns.last == "tests")
        let id = String(columns.first ?? "")

        let revoke = try server.cli(["apikey", "revoke", id])
        #expect(revoke.status == 0, "stderr: \(revoke.error)")
        #expect(revoke.output == "revoked API key \(id)\n")
        let listed = try server.cli(["apikey", "list", "--instance", server.instance])
        #expect(listed.output.contains("\trevoked "))

        // The server reuses resolved credentials for up to --credential-cache-ms (1000 by
        // default), so a key revoked by another process stops working within that time.
        usleep(1_200_000)
        let response = try server.call("GET", "/v1/accounts", token: token)
        expectError(response, 401, StatusText.unauthorized, detail: "The API key is not valid; check x-api-key.")
        let signIn = try server.authorize(username: TestServer.adminUsername, password: TestServer.password)
        expectError(signIn, 401, StatusText.unauthorized, detail: "The API key is not valid for instance acme; check x-api-key.")
    }

    @Test("revocation without cache is immediate")
    func revokedKeyWithoutCache() throws {
        let server = try TestServer(arguments: ["--credential-cache-ms", "0"])
        let token = try server.token(username: TestServer.adminUsername)
        #expect(try server.call("GET", "/v1/accounts", token: token).status == 200)
        let id = String(try server.cli(["apikey", "list", "--instance", server.instance]).output.split(separator: "\t").first ?? "")
        #expect(try server.cli(["apikey", "revoke", id]).status == 0)

        let response = try server.call("GET", "/v1/accounts", token: token)
        expectError(response, 401, StatusText.unauthorized, detail: "The API key is not valid; check x-api-key.")
    }

    @Test("expired token is 401")
    func expiredToken() throws {
        let server = try TestServer(arguments: ["--token-ttl", "1"])
        let response = try server.authorize(username: TestServer.adminUsername, password: TestServer.password)
        let token = response.field("access_token") ?? ""
        let expiresAt = Int64(response.field("expires_at") ?? "") ?? 0
        #expect(abs(expiresAt - (Int64(Date().timeIntervalSince1970) + 1)) <= 1)

        usleep(2_100_000)
        let late = try server.call("GET", "/v1/accounts", token: token)
        expectError(late, 401, StatusText.unauthorized, detail: Self.invalidToken)
    }

    @Test("other instance's token is 401")
    func otherInstanceToken() throws {
        let server = try TestServer()
        let otherKey = try server.createOtherInstance("other")
        let signIn = try server.authorize(username: "other-admin", password: TestServer.password, apiKey: otherKey, instance: "other")
        let otherToken = signIn.field("access_token") ?? ""
        #expect(signIn.status == 200)

        // This instance's key with the other instance's token.
        let mixed = try server.call("GET", "/v1/accounts", token: otherToken)
        expectError(mixed, 401, StatusText.unauthorized, detail: Self.invalidToken)

        // The other instance's key and token, naming this instance.
        let named = try server.request(
            "GET", "/v1/accounts?instance=acme", headers: [("x-api-key", otherKey), ("x-access-token", otherToken)])
        expectError(
            named, 401, StatusText.unauthorized, detail: "The access token belongs to another instance than acme; sign in to acme.")

        // Both of the other instance, naming it: allowed.
        let own = try server.request(
            "GET", "/v1/accounts?instance=other", headers: [("x-api-key", otherKey), ("x-access-token", otherToken)])
        #expect(own.status == 200)
        #expect(own.text.contains(#""instance":"other""#))
    }

    @Test("other parameters are not instance")
    func otherParameterNames() throws {
        let server = try TestServer()
        let otherKey = try server.createOtherInstance("other")
        let signIn = try server.authorize(username: "other-admin", password: TestServer.password, apiKey: otherKey, instance: "other")
        let headers = [("x-api-key", otherKey), ("x-access-token", signIn.field("access_token") ?? "")]

        // Only a parameter named instance selects one; without it the token's instance applies.
        for query in ["instances=acme", "note=instance", "xinstance=acme"] {
            let response = try server.request("GET", "/v1/accounts?\(query)", headers: headers)
            #expect(response.status == 200, "\(query): \(response.text)")
            #expect(response.text.contains(#""instance":"other""#), "\(query)")
        }
    }

    @Test("unknown instance parameter is 404")
    func unknownInstance() throws {
        let server = try TestServer()
        let token = try server.token(username: TestServer.adminUsername)
        let response = try server.call("GET", "/v1/accounts?instance=nowhere", token: token)
        expectError(response, 404, StatusText.notFound, detail: "The instance nowhere does not exist; check the instance parameter.")
    }

    @Test("malformed instance parameter is 400")
    func malformedInstance() throws {
        let server = try TestServer()
        let token = try server.token(username: TestServer.adminUsername)
        let upper = try server.call("GET", "/v1/accounts?instance=Acme_1", token: token)
        expectError(
            upper, 400, StatusText.badRequest,
            detail: #"The instance "Acme_1" is not a valid instance name; use lower-case letters, digits and hyphens."#)
        let twice = try server.call("GET", "/v1/accounts?instance=acme&instance=acme", token: token)
        expectError(twice, 400, StatusText.badRequest, detail: "The query parameter instance is given 2 times; give it once.")
        let badEscape = try server.call("GET", "/v1/accounts?instance=%zz", token: token)
        expectError(
            badEscape, 400, StatusText.badRequest, detail: "The query string is not valid percent-encoding; encode it per RFC 3986.")
    }
}
