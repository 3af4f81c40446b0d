import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore

// The token call: POST /v1/oauth2/authorize with x-api-key and form-encoded credentials.
extension Application {
    func registerAuthorization(_ router: inout Router) {
        // 16 KiB fits the longest valid form: 1024 four-byte password characters percent-encode to 12 KiB.
        router.add(.post, "/v1/oauth2/authorize", maxBodyBytes: 16 << 10, handler(authorize))
    }

    private func authorize(_ request: HTTPRequest) async throws -> HTTPResponse {
        // Decode.
        guard request.mediaType == "application/x-www-form-urlencoded" else {
            throw APIError.badRequest(
                "Send username, password and instance as application/x-www-form-urlencoded; the body was \(request.mediaType ?? "without a content type")."
            )
        }
        guard let pairs = URLEncoding.decodeForm(request.body) else {
            throw APIError.badRequest("The form body is not valid percent-encoded UTF-8; encode it as application/x-www-form-urlencoded.")
        }
        // Other fields, such as OAuth 2 clients' grant_type, are ignored, even when repeated.
        let knownNames: Set<String> = ["username", "password", "instance"]
        var fields: [String: String] = [:]
        for (name, value) in pairs where knownNames.contains(name) {
            guard fields[name] == nil else {
                throw APIError.badRequest("The form field \(name.prefix(64)) is given more than once; give it once.")
            }
            fields[name] = value
        }
        var missing: [FieldError] = []
        for name in ["username", "password"] where (fields[name] ?? "").isEmpty {
            missing.append(FieldError(field: name, message: "\(name) is required"))
        }
        if !missing.isEmpty {
            throw APIError.badRequest("The form must carry username and password.", fields: missing)
        }
        let username = fields["username"]!
        let password = fields["password"]!
        // Counted in Unicode scalars, as the OpenAPI document's maxLength counts.
        if username.unicodeScalars.count > 64 || password.unicodeScalars.count > FieldRules.maxPasswordLength {
            throw APIError.badRequest(
                "The username is limited to 64 characters and the password to \(FieldRules.maxPasswordLength) characters.")
        }
        let instanceName = try instanceName(request, fallback: fields["instance"])
        if let formInstance = fields["instance"], formInstance != instanceName {
            throw APIError.badRequest(
                "The instance in the form (\(formInstance.prefix(64))) differs from the instance query parameter (\(instanceName)); give one."
            )
        }

        // Authorize the client.
        guard let key = request.header("x-api-key"), !key.isEmpty else {
            throw APIError.unauthorized("The x-api-key header is missing; ask the operator for an API key.")
        }
        guard let instance = try await store.instance(named: instanceName) else {
            throw APIError.notFound("The instance \(instanceName) does not exist; check the instance parameter.")
        }
        guard let apiKey = try await store.activeAPIKey(keyHash: Crypto.secretHash(key)), apiKey.instanceID == instance.id else {
            throw APIError.unauthorized("The API key is not valid for instance \(instanceName); check x-api-key.")
        }

        // Check the credentials, throttled.
        let now = Application.now()
        let failureDelay: Int
        switch try await throttle.begin(instanceID: instance.id, username: username, address: request.remoteAddress, now: now) {
        case .proceed(let delay):
            failureDelay = delay
        case .locked(let seconds):
            Log.warning("login locked", ["instance": instanceName, "remote": request.remoteAddress, "retry_after": String(seconds)])
            throw APIError.tooManyRequests(
                "Too many failed logins for this username or address; retry after \(seconds) seconds.", retryAfterSeconds: seconds)
        }
        let login = try await store.login(instanceID: instance.id, username: username)
        let hash = login?.passwordHash ?? decoyPasswordHash
        let matches: Bool
        do {
            matches = try await pool.run { Crypto.verifyPassword(password, hash: hash) }
        } catch is BlockingPool.Overloaded {
            try await throttle.cancel(instanceID: instance.id, username: username, address: request.remoteAddress)
            throw APIError.unavailable("Too many logins are being checked at once; retry in a second.")
        }
        guard let login, matches else {
            if failureDelay > 0 {
                try? await Task.sleep(for: .milliseconds(failureDelay))
            }
            Log.warning("login failed", ["instance": instanceName, "remote": request.remoteAddress])
            throw APIError.unauthorized("The username or password is wrong.")
        }
        try await throttle.succeeded(instanceID: instance.id, username: username, address: request.remoteAddress)

        // Issue the token.
        let token = Crypto.randomHex(byteCount: 16)
        let expiresAt = now + configuration.tokenLifetimeSeconds
        try await store.storeToken(
            AccessTokenRecord(tokenHash: Crypto.secretHash(token), instanceID: instance.id, loginID: login.id, expiresAt: expiresAt))

        var writer = JSONWriter()
        writer.beginObject()
        writer.key("access_token")
        writer.string(token)
        writer.key("expires_at")
        writer.string(String(expiresAt))
        writer.endObject()
        var response = HTTPResponse.json(200, writer.bytes, headers: [("cache-control", "no-store")])
        response.logAccountID = login.accountID.map { String($0) } ?? "admin"
        return response
    }
}
