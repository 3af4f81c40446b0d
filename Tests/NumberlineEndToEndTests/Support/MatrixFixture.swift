import Foundation
import NumberlineJSON

/// An account of the standard tree that owns objects in the authorization matrix, or
/// `missing`, which stands for ids and numbers that no account holds. `missingReseller` is
/// a missing account named where a Reseller is expected, so that a foreign reseller's response
/// has a missing one in the same words to be compared with.
enum Owner: String, CaseIterable, Sendable {
    case resellerA, customerA1, subCustomerA1x, customerA2, resellerB, customerB1, missing, missingReseller

    /// The owners that are Customer accounts, which alone hold sites, addresses, Teams users and numbers here.
    static let customers: [Owner] = [.customerA1, .subCustomerA1x, .customerA2, .customerB1, .missing]

    /// The accounts above this one, nearest first.
    var ancestors: [Owner] {
        switch self {
        case .customerA1, .customerA2: return [.resellerA]
        case .subCustomerA1x: return [.customerA1, .resellerA]
        case .customerB1: return [.resellerB]
        case .resellerA, .resellerB, .missing, .missingReseller: return []
        }
    }

    var isReseller: Bool { self == .resellerA || self == .resellerB || self == .missingReseller }
    var isMissing: Bool { self == .missing || self == .missingReseller }
}

/// A login the matrix calls with. `scope` is the account whose subtree it acts in: its own
/// account, or the parent for the User login; `nil` for the platform admin and for the
/// module-less customer, whose subtree contains none of the owners.
enum MatrixCaller: String, CaseIterable, Sendable {
    case platformAdmin, resellerA, resellerB, customerA1, subCustomerA1x, customerA2, customerB1, userA1u, noModules

    var scope: Owner? {
        switch self {
        case .platformAdmin, .noModules: return nil
        case .resellerA: return .resellerA
        case .resellerB: return .resellerB
        case .customerA1, .userA1u: return .customerA1
        case .subCustomerA1x: return .subCustomerA1x
        case .customerA2: return .customerA2
        case .customerB1: return .customerB1
        }
    }

    /// The owner that is the caller's own account, which no caller may delete.
    var ownAccount: Owner? { self == .userA1u ? nil : scope }

    var isPlatformAdmin: Bool { self == .platformAdmin }
    var isUserLogin: Bool { self == .userA1u }
    var isReseller: Bool { self == .resellerA || self == .resellerB }

    /// Returns whether `owner` lies in the caller's subtree, the tenancy rule every route applies.
    func sees(_ owner: Owner) -> Bool {
        guard !owner.isMissing else { return false }
        if isPlatformAdmin { return true }
        guard let scope else { return false }
        return owner == scope || owner.ancestors.contains(scope)
    }
}

/// The standard tenant tree plus a customer of reseller A with every module switched off.
/// Each customer is linked to Teams and Zoom and holds numbers, a site, an emergency address,
/// a Teams user and per-number features, so that every route has an object of each owner.
final class MatrixFixture {
    let features: FeatureFixture
    var server: TestServer { features.server }
    let tokens: [MatrixCaller: String]
    let usernames: [MatrixCaller: String]
    let accountIDs: [Owner: String]
    /// Numbers held by each customer owner: `[0]` carries the per-number features and
    /// `[1]` a disaster plan. The missing owner's numbers are valid but held by nobody.
    let numbers: [Owner: [String]]
    private(set) var siteIDs: [Owner: String] = [.missing: "999999"]
    private(set) var locationIDs: [Owner: String] = [.missing: "999999"]
    private(set) var teamsUserIDs: [Owner: String] = [.missing: "999999"]
    let carrierID: String
    /// The next number `freshNumber` hands out; no fixture number lies in its range.
    private var nextNumber: Int64 = 19_195_560_000
    /// A counter for unique names (sites, logins, carriers, Teams users).
    private var serial = 0
    /// Disaster plan ids the server handed out, so that a "missing" plan id is never one of them.
    private(set) var seenPlanIDs: Set<String> = []

    static let forwardTarget = "19195551234"

    init() throws {
        features = try FeatureFixture()
        let tenants = features.tenants
        let noModules = try features.restrictedCustomer(
            name: "Plain Co", modules: #"{"did":false,"msteam":false,"ucaas":false,"enhancedServices":false,"stats":false}"#)
        tokens = [
            .platformAdmin: features.adminToken, .resellerA: features.resellerA, .resellerB: features.resellerB,
            .customerA1: features.customerA1, .subCustomerA1x: features.subCustomerA1x, .customerA2: features.customerA2,
            .customerB1: features.customerB1, .userA1u: features.userA1u, .noModules: noModules.token,
        ]
        usernames = [
            .platformAdmin: TestServer.adminUsername, .resellerA: Tenants.Username.resellerA, .resellerB: Tenants.Username.resellerB,
            .customerA1: Tenants.Username.customerA1, .subCustomerA1x: Tenants.Username.subCustomerA1x,
            .customerA2: Tenants.Username.customerA2, .customerB1: Tenants.Username.customerB1, .userA1u: Tenants.Username.userA1u,
            .noModules: "plain-co",
        ]
        accountIDs = [
            .resellerA: tenants.resellerA, .customerA1: tenants.customerA1, .subCustomerA1x: tenants.subCustomerA1x,
            .customerA2: tenants.customerA2, .resellerB: tenants.resellerB, .customerB1: tenants.customerB1, .missing: "999999",
            .missingReseller: "999998",
        ]
        numbers = [
            .customerA1: FeatureFixture.numbersA1, .subCustomerA1x: FeatureFixture.numbersA1x, .customerA2: FeatureFixture.numbersA2,
            .customerB1: FeatureFixture.numbersB1, .missing: [FeatureFixture.unknownNumber, "19195550998"],
        ]
        carrierID = features.carrierID

        for owner in Owner.customers where owner != .missing {
            let id = accountIDs[owner]!
            let reseller = owner == .customerB1 ? features.resellerB : features.resellerA
            let link =
                #"{"accountType":"Customer","customerAccount":{"msTeamsTenantId":"\#(UUID().uuidString.lowercased())","zoomAccountId":"zoom-\#(id)"}}"#
            try expect(200, server.call("PUT", "/v1/accounts/\(id)", token: reseller, json: link), "linking customer \(id)")
            siteIDs[owner] = try createSite(for: owner)
            locationIDs[owner] = try createEmergencyAddress(for: owner)
            teamsUserIDs[owner] = try createTeamsUser(for: owner)
            for feature in FeatureKind.allCases {
                _ = try ensure(feature, for: owner)
            }
        }
    }

    /// Returns the username of an owner's login.
    func loginName(of owner: Owner) -> String {
        switch owner {
        case .resellerA: return Tenants.Username.resellerA
        case .resellerB: return Tenants.Username.resellerB
        case .customerA1: return Tenants.Username.customerA1
        case .subCustomerA1x: return Tenants.Username.subCustomerA1x
        case .customerA2: return Tenants.Username.customerA2
        case .customerB1: return Tenants.Username.customerB1
        case .missing, .missingReseller: return "no-such-login"
        }
    }

    // MARK: - Objects made on demand, as the platform admin

    var adminToken: String { tokens[.platformAdmin]! }

    func nextName(_ prefix: String) -> String {
        serial += 1
        return "\(prefix)-\(serial)"
    }

    /// Uploads a number that no account holds straight to `owner` and returns it; for the missing
    /// owner it returns a number that stays unknown.
    func freshNumber(for owner: Owner) throws -> String {
        nextNumber += 1
        let number = String(nextNumber)
        guard owner != .missing else { return number }
        let body = #"{"telephoneNumbers":["\#(number)"],"customerId":"\#(accountIDs[owner]!)"}"#
        try expect(200, server.call("POST", "/v1/carriers/\(carrierID)/numbers", token: adminToken, json: body), "uploading \(number)")
        return number
    }

    func createSite(for owner: Owner) throws -> String {
        guard owner != .missing else { return siteIDs[.missing]! }
        let response = try server.call(
            "POST", "/v1/sites?customerId=\(accountIDs[owner]!)", token: adminToken, json: #"{"departmentName":"\#(nextName("Site"))"}"#)
        try expect(200, response, "creating a site")
        return try require(response.field("siteId"), "siteId in \(response.text)")
    }

    static let addressBody =
        #"{"name":"Head office","streetNumber":"100","streetName":"Main Street","addressType":"OFC","countryCode":"US","postalCode":"27601","stateCode":"NC","city":"Raleigh"}"#

    func createEmergencyAddress(for owner: Owner) throws -> String {
        guard owner != .missing else { return locationIDs[.missing]! }
        let response = try server.call(
            "POST", "/v1/emergencyaddresses?customerId=\(accountIDs[owner]!)", token: adminToken, json: Self.addressBody)
        try expect(200, response, "creating an emergency address")
        guard let id = response.member("locationId") else { throw TestError("no locationId in \(response.text)") }
        return id.string ?? id.int64.map { String($0) } ?? ""
    }

    /// Returns a Teams user body for a new user on `number`.
    func teamsUserBody(number: String) -> String {
        #"{"upn":"\#(nextName("user"))@example.com","firstName":"Test","lastName":"User","note":"Sales","telephoneNumber":"\#(number)"}"#
    }

    func createTeamsUser(for owner: Owner) throws -> String {
        guard owner != .missing else { return teamsUserIDs[.missing]! }
        let body = teamsUserBody(number: try freshNumber(for: owner))
        let response = try server.call("POST", "/v1/msteams/\(accountIDs[owner]!)/users", token: adminToken, json: body)
        try expect(200, response, "provisioning a Teams user")
        return try require(response.field("id"), "id in \(response.text)")
    }

    /// Peers a fresh number of `owner` to Zoom and returns it.
    func peeredNumber(for owner: Owner) throws -> String {
        let number = try freshNumber(for: owner)
        guard owner != .missing else { return number }
        let body = #"{"telephoneNumbers":["\#(number)"]}"#
        try expect(200, server.call("POST", "/v1/zoom/\(accountIDs[owner]!)/numbers", token: adminToken, json: body), "peering \(number)")
        return number
    }

    // MARK: - Per-number features

    /// The per-number features, each with the path of its routes and a body that sets it.
    enum FeatureKind: CaseIterable {
        case callForwarding, callingPartyNumber, callerName, internationalCalling, disasterPlan

        var path: String {
            switch self {
            case .callForwarding: return "/v1/callforwarding"
            case .callingPartyNumber: return "/v1/cpn"
            case .callerName: return "/v1/cnam"
            case .internationalCalling: return "/v1/internationalcalling"
            case .disasterPlan: return "/v1/disasterplans"
            }
        }
    }

    /// Returns the number a feature is set on: `[1]` for disaster plans, `[0]` for the others.
    func featureNumber(_ feature: FeatureKind, of owner: Owner) -> String {
        numbers[owner]![feature == .disasterPlan ? 1 : 0]
    }

    /// Returns a body that sets `feature` on the owner's feature number.
    func featureBody(_ feature: FeatureKind, of owner: Owner) -> String {
        let number = featureNumber(feature, of: owner)
        switch feature {
        case .callForwarding, .disasterPlan:
            return #"{"telephoneNumbers":["\#(number)"],"callForwardNumber":"\#(Self.forwardTarget)","countryCode":"US"}"#
        case .callingPartyNumber:
            // The CPN is the number itself, which the caller holds exactly when it holds the number.
            return #"{"telephoneNumbers":["\#(number)"],"cpnNumber":"\#(number)","countryCode":"US"}"#
        case .callerName:
            return #"{"telephoneNumbers":["\#(number)"],"callingName":"Acme Co"}"#
        case .internationalCalling:
            return #"{"telephoneNumbers":["\#(number)"],"criteria":"BLOCK-ALL-INTL"}"#
        }
    }

    /// Sets `feature` on the owner's feature number unless it is set, and returns the
    /// disaster plan id for disaster plans. For the missing owner nothing is set.
    @discardableResult
    func ensure(_ feature: FeatureKind, for owner: Owner) throws -> String? {
        guard owner != .missing else { return missingPlanID() }
        let number = featureNumber(feature, of: owner)
        let read = try server.call("GET", "\(feature.path)/\(number)", token: adminToken)
        if read.status == 404 {
            let set = try server.call("POST", feature.path, token: adminToken, json: featureBody(feature, of: owner))
            try expect(200, set, "setting \(feature) on \(number)")
            if let id = set.field("disasterPlanID") { seenPlanIDs.insert(id) }
        } else {
            try expect(200, read, "reading \(feature) of \(number)")
        }
        guard feature == .disasterPlan else { return nil }
        let plan = try server.call("GET", "\(feature.path)/\(number)", token: adminToken)
        let id = try require(plan.field("disasterPlanID"), "disasterPlanID in \(plan.text)")
        seenPlanIDs.insert(id)
        return id
    }

    /// Removes `feature` from the owner's feature number when it is set.
    func clear(_ feature: FeatureKind, for owner: Owner) throws {
        guard owner != .missing else { return }
        let response = try server.call("DELETE", "\(feature.path)/\(featureNumber(feature, of: owner))", token: adminToken)
        guard response.status == 200 || response.status == 404 else {
            throw TestError("clearing \(feature) answered \(response.status): \(response.text)")
        }
    }

    /// Returns a well-formed disaster plan id that the server has not handed out in this run.
    func missingPlanID() -> String {
        var candidate = 999_999
        while seenPlanIDs.contains("DAS-\(candidate)") { candidate -= 1 }
        return "DAS-\(candidate)"
    }

    func notePlanID(in response: TestResponse) {
        if let id = response.field("disasterPlanID") { seenPlanIDs.insert(id) }
    }
}

/// Throws unless the response has `status`; `what` names the step in the message.
func expect(_ status: Int, _ response: TestResponse, _ what: String) throws {
    guard response.status == status else {
        throw TestError("\(what) answered \(response.status), expected \(status): \(response.text)")
    }
}

func require<Value>(_ value: Value?, _ what: String) throws -> Value {
    guard let value else { throw TestError("missing \(what)") }
    return value
}
