import Foundation
import NumberlineJSON

/// A server with the standard tenant tree, one carrier and numbers held by each customer,
/// for the tests of the per-number features, sites and emergency addresses.
struct FeatureFixture {
    let server: TestServer
    let tenants: Tenants
    let carrierID: String
    let adminToken: String
    let resellerA: String
    let resellerB: String
    let customerA1: String
    let subCustomerA1x: String
    let customerA2: String
    let customerB1: String
    let userA1u: String

    /// Numbers held by customer A1.
    static let numbersA1 = ["19195550100", "19195550101", "19195550102", "19195550103", "19195550104"]
    /// Numbers held by sub-customer A1x.
    static let numbersA1x = ["19195550200", "19195550201"]
    /// Numbers held by customer A2.
    static let numbersA2 = ["19195550300", "19195550301"]
    /// Numbers held by customer B1 of the other reseller.
    static let numbersB1 = ["19195550400", "19195550401"]
    /// A valid number that no account holds.
    static let unknownNumber = "19195550999"

    init() throws {
        server = try TestServer()
        tenants = try Tenants(server: server)
        adminToken = tenants.adminToken
        resellerA = try server.token(username: Tenants.Username.resellerA)
        resellerB = try server.token(username: Tenants.Username.resellerB)
        customerA1 = try server.token(username: Tenants.Username.customerA1)
        subCustomerA1x = try server.token(username: Tenants.Username.subCustomerA1x)
        customerA2 = try server.token(username: Tenants.Username.customerA2)
        customerB1 = try server.token(username: Tenants.Username.customerB1)
        userA1u = try server.token(username: Tenants.Username.userA1u)

        let carrier = try server.call("POST", "/v1/carriers", token: adminToken, json: #"{"name":"Carrier A"}"#)
        guard carrier.status == 200, case .object(let object)? = try? carrier.json(), let id = object["id"]?.int64 else {
            throw TestError("creating a carrier answered \(carrier.status): \(carrier.text)")
        }
        carrierID = String(id)

        try upload(Self.numbersA1, customerID: tenants.customerA1, token: resellerA)
        try upload(Self.numbersA1x, customerID: tenants.subCustomerA1x, token: resellerA)
        try upload(Self.numbersA2, customerID: tenants.customerA2, token: resellerA)
        try upload(Self.numbersB1, customerID: tenants.customerB1, token: resellerB)
    }

    /// Uploads numbers of the carrier straight to a customer.
    func upload(_ numbers: [String], customerID: String, token: String) throws {
        let body = #"{"telephoneNumbers":\#(Self.list(numbers)),"customerId":"\#(customerID)"}"#
        let response = try server.call("POST", "/v1/carriers/\(carrierID)/numbers", token: token, json: body)
        guard response.status == 200 else {
            throw TestError("uploading numbers answered \(response.status): \(response.text)")
        }
    }

    /// Creates a customer under reseller A with some modules switched off, and returns its id and token.
    func restrictedCustomer(name: String, modules: String) throws -> (id: String, token: String) {
        let login = name.lowercased().replacingOccurrences(of: " ", with: "-")
        let id = try Tenants.create(
            server, token: resellerA, json: Tenants.customer(name, login: login, extra: #","modulesAccess":\#(modules)"#))
        return (id, try server.token(username: login))
    }

    func call(_ method: String, _ target: String, token: String, json: String? = nil) throws -> TestResponse {
        try server.call(method, target, token: token, json: json)
    }

    /// Renders a JSON array of strings.
    static func list(_ numbers: [String]) -> String {
        "[" + numbers.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }
}

extension TestResponse {
    /// Returns the `message` of each entry of a validation `errors` list.
    func errorMessages() -> [String] {
        guard case .object(let object)? = try? json(), let errors = object["errors"]?.array else { return [] }
        return errors.compactMap { $0.object?["message"]?.string }
    }

    /// Returns a member of a JSON object body.
    func member(_ name: String) -> JSONValue? {
        guard case .object(let object)? = try? json() else { return nil }
        return object[name]
    }
}
