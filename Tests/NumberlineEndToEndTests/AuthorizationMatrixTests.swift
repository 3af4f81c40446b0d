import Foundation
import NumberlineAPI
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore
import Testing

/// Calls every route of the router's table as every caller against objects of every owner,
/// and checks each exact status against the rules below. The rules follow the tenancy design
/// (visibility flows down the tree, modules gate sections, User logins only read), not the
/// server's responses.
@Suite("Authorization matrix", .serialized)
struct AuthorizationMatrixTests {
    /// The module a route's section needs.
    enum Module {
        case did, enhancedServices, msteam, ucaas
        /// Sites and emergency addresses serve Teams and UCaaS seats, so either module admits them.
        case msteamOrUcaas
    }

    /// Who may call a route at all, checked before the object is looked up.
    enum Access {
        /// Every signed-in caller.
        case anyone
        /// Not a User login, which is read-only.
        case writer
        /// Not a User login, checked only once the object is found visible, so a foreign
        /// object still gets 404, as on the account routes.
        case writerOnVisible
        /// The platform admin or a Reseller login (inventory uploads and removals).
        case inventoryManager
        case platformAdmin
    }

    /// Which accounts own the objects a route's request names.
    enum Owners {
        /// The request names no object; the route has one column.
        case none
        /// Account ids, Reseller accounts included.
        case accounts
        /// Objects of Customer accounts: numbers, sites, addresses, Teams users.
        case customers

        var list: [Owner?] {
            switch self {
            case .none: return [nil]
            case .accounts: return Owner.allCases
            case .customers: return Owner.customers
            }
        }
    }

    /// The expectation rule of one route.
    struct Rule {
        var module: Module?
        var access: Access
        var owners: Owners
        /// The status a permitted caller gets.
        var success = 200
        /// The status of an object the caller cannot see, which a missing one gets too. It is
        /// 404, except that a bulk list naming such a number is rejected whole like one naming
        /// an unknown number: 400 in the feature sections and 409 in the numbers section.
        var notVisible = 404
        /// Whether a caller acting on its own account gets 403 (no account deletes itself).
        var forbidsOwnAccount = false
        /// Whether a successful response is checked for numbers and logins of foreign accounts.
        /// It is off for the API documents, because their examples use the fixture's numbers.
        var checksForeignData = true
    }

    /// Builds the request of one matrix cell. It may first call the server as the platform
    /// admin to put the object in the state the route needs (a feature set, a site to delete).
    typealias Builder = (MatrixFixture, Owner?, MatrixCaller) throws -> (path: String, json: String?)

    // MARK: - The rule table

    static func rules() -> [String: (Rule, Builder)] {
        typealias F = MatrixFixture
        func id(_ f: F, _ owner: Owner?) -> String { f.accountIDs[owner!]! }
        var table: [String: (Rule, Builder)] = [:]

        // System and the token call: open to every caller.
        for path in ["/v1/health", "/v1/openapi.json", "/docs"] {
            table["GET \(path)"] = (Rule(access: .anyone, owners: .none, checksForeignData: false), { _, _, _ in (path, nil) })
        }
        // Built specially in `call`: each caller signs in with its own username.
        table["POST /v1/oauth2/authorize"] = (Rule(access: .anyone, owners: .none), { _, _, _ in ("/v1/oauth2/authorize", nil) })

        // Accounts: no module; User logins may read but not change accounts.
        for path in ["/v1/accounts", "/v1/accounts/customers", "/v1/accounts/resellers"] {
            table["GET \(path)"] = (Rule(access: .anyone, owners: .none), { _, _, _ in (path, nil) })
        }
        table["POST /v1/accounts"] = (
            Rule(access: .writer, owners: .accounts),
            { f, owner, _ in
                let parentKey = owner!.isReseller ? "resellerId" : "parentId"
                let login = f.nextName("login")
                return (
                    "/v1/accounts",
                    #"{"accountType":"Customer","customerAccount":{"companyName":"Matrix Co","\#(parentKey)":"\#(id(f, owner))","loginInformation":[{"userName":"\#(login)","password":"\#(TestServer.password)"}]}}"#
                )
            }
        )
        table["GET /v1/accounts/{accountId}"] = (
            Rule(access: .anyone, owners: .accounts), { f, owner, _ in ("/v1/accounts/\(id(f, owner))", nil) }
        )
        table["PUT /v1/accounts/{accountId}"] = (
            Rule(access: .writerOnVisible, owners: .accounts),
            { f, owner, _ in
                let body =
                    owner!.isReseller
                    ? #"{"accountType":"Reseller","resellerAccount":{}}"# : #"{"accountType":"Customer","customerAccount":{}}"#
                return ("/v1/accounts/\(id(f, owner))", body)
            }
        )
        // Every owner's subtree holds numbers, so a permitted delete is refused with 409 and the tree stays.
        table["DELETE /v1/accounts/{accountId}"] = (
            Rule(access: .writerOnVisible, owners: .accounts, success: 409, forbidsOwnAccount: true),
            { f, owner, _ in ("/v1/accounts/\(id(f, owner))", nil) }
        )

        // Carriers and the inventory: the did module.
        table["GET /v1/carriers"] = (Rule(module: .did, access: .anyone, owners: .none), { _, _, _ in ("/v1/carriers", nil) })
        table["POST /v1/carriers"] = (
            Rule(module: .did, access: .platformAdmin, owners: .none),
            { f, _, _ in ("/v1/carriers", #"{"name":"\#(f.nextName("Carrier"))"}"#) }
        )
        table["GET /v1/carriers/{carrierId}/numbers"] = (
            Rule(module: .did, access: .anyone, owners: .none), { f, _, _ in ("/v1/carriers/\(f.carrierID)/numbers", nil) }
        )
        table["POST /v1/carriers/{carrierId}/numbers"] = (
            Rule(module: .did, access: .inventoryManager, owners: .customers),
            { f, owner, _ in
                (
                    "/v1/carriers/\(f.carrierID)/numbers",
                    #"{"telephoneNumbers":["\#(try f.freshNumber(for: .missing))"],"customerId":"\#(id(f, owner))"}"#
                )
            }
        )
        table["DELETE /v1/carriers/{carrierId}/numbers"] = (
            Rule(module: .did, access: .inventoryManager, owners: .customers, notVisible: 409),
            { f, owner, _ in ("/v1/carriers/\(f.carrierID)/numbers", #"{"telephoneNumbers":["\#(try f.freshNumber(for: owner!))"]}"#) }
        )
        // The audit trail needs no module. A filter on an account outside the caller's subtree
        // lists nothing, as a filter on a missing account does, and the matrix checks that no
        // record of another tenant shows up in the response.
        table["GET /v1/audit"] = (
            Rule(module: nil, access: .anyone, owners: .accounts, notVisible: 200),
            { f, owner, _ in ("/v1/audit?accountId=\(id(f, owner))", nil) }
        )
        table["GET /v1/numbers"] = (Rule(module: .did, access: .anyone, owners: .none), { _, _, _ in ("/v1/numbers", nil) })
        table["GET /v1/numbers/{telephoneNumber}"] = (
            Rule(module: .did, access: .anyone, owners: .customers), { f, owner, _ in ("/v1/numbers/\(f.numbers[owner!]![0])", nil) }
        )
        // Assigning a customer's own number to it again moves nothing but runs every check.
        table["POST /v1/numbers/assign"] = (
            Rule(module: .did, access: .writer, owners: .customers),
            { f, owner, _ in
                ("/v1/numbers/assign", #"{"telephoneNumbers":["\#(f.numbers[owner!]![0])"],"customerId":"\#(id(f, owner))"}"#)
            }
        )
        table["POST /v1/numbers/release"] = (
            Rule(module: .did, access: .writer, owners: .customers, notVisible: 409),
            { f, owner, _ in ("/v1/numbers/release", #"{"telephoneNumbers":["\#(try f.freshNumber(for: owner!))"]}"#) }
        )

        // Per-number features: the enhancedServices module.
        for feature in MatrixFixture.FeatureKind.allCases {
            let path = feature.path
            let readable = Rule(module: .enhancedServices, access: .anyone, owners: .customers)
            let writable = Rule(module: .enhancedServices, access: .writer, owners: .customers)
            let bulkWritable = Rule(module: .enhancedServices, access: .writer, owners: .customers, notVisible: 400)
            table["GET \(path)/{telephoneNumber}"] = (
                readable,
                { f, owner, _ in
                    try f.ensure(feature, for: owner!)
                    return ("\(path)/\(f.featureNumber(feature, of: owner!))", nil)
                }
            )
            table["DELETE \(path)/{telephoneNumber}"] = (
                writable,
                { f, owner, _ in
                    try f.ensure(feature, for: owner!)
                    return ("\(path)/\(f.featureNumber(feature, of: owner!))", nil)
                }
            )
            table["POST \(path)"] = (
                bulkWritable,
                { f, owner, _ in
                    try f.clear(feature, for: owner!)
                    return (path, f.featureBody(feature, of: owner!))
                }
            )
        }
        table["PUT /v1/callforwarding"] = (
            Rule(module: .enhancedServices, access: .writer, owners: .customers, notVisible: 400),
            { f, owner, _ in
                try f.ensure(.callForwarding, for: owner!)
                return ("/v1/callforwarding", f.featureBody(.callForwarding, of: owner!))
            }
        )
        table["PUT /v1/disasterplans"] = (
            Rule(module: .enhancedServices, access: .writer, owners: .customers, notVisible: 400),
            { f, owner, _ in
                let plan = try f.ensure(.disasterPlan, for: owner!)!
                let number = f.featureNumber(.disasterPlan, of: owner!)
                return (
                    "/v1/disasterplans",
                    #"{"disasterPlanID":"\#(plan)","telephoneNumbers":["\#(number)"],"callForwardNumber":"\#(MatrixFixture.forwardTarget)"}"#
                )
            }
        )
        for action in ["activate", "deactivate"] {
            table["POST /v1/disasterplans/{disasterPlanID}/\(action)"] = (
                Rule(module: .enhancedServices, access: .writer, owners: .customers),
                { f, owner, _ in ("/v1/disasterplans/\(try f.ensure(.disasterPlan, for: owner!)!)/\(action)", nil) }
            )
        }

        // Sites and emergency addresses: msteam or ucaas. The customer is named in the query.
        table["GET /v1/sites"] = (
            Rule(module: .msteamOrUcaas, access: .anyone, owners: .customers),
            { f, owner, _ in ("/v1/sites?customerId=\(id(f, owner))", nil) }
        )
        table["POST /v1/sites"] = (
            Rule(module: .msteamOrUcaas, access: .writer, owners: .customers),
            { f, owner, _ in ("/v1/sites?customerId=\(id(f, owner))", #"{"departmentName":"\#(f.nextName("Site"))"}"#) }
        )
        table["GET /v1/sites/{siteId}"] = (
            Rule(module: .msteamOrUcaas, access: .anyone, owners: .customers), { f, owner, _ in ("/v1/sites/\(f.siteIDs[owner!]!)", nil) }
        )
        table["PUT /v1/sites/{siteId}"] = (
            Rule(module: .msteamOrUcaas, access: .writer, owners: .customers),
            { f, owner, _ in ("/v1/sites/\(f.siteIDs[owner!]!)", #"{"departmentName":"\#(f.nextName("Site"))"}"#) }
        )
        table["DELETE /v1/sites/{siteId}"] = (
            Rule(module: .msteamOrUcaas, access: .writer, owners: .customers),
            { f, owner, _ in ("/v1/sites/\(try f.createSite(for: owner!))", nil) }
        )
        table["GET /v1/emergencyaddresses"] = (
            Rule(module: .msteamOrUcaas, access: .anyone, owners: .customers),
            { f, owner, _ in ("/v1/emergencyaddresses?customerId=\(id(f, owner))", nil) }
        )
        table["POST /v1/emergencyaddresses"] = (
            Rule(module: .msteamOrUcaas, access: .writer, owners: .customers),
            { f, owner, _ in ("/v1/emergencyaddresses?customerId=\(id(f, owner))", MatrixFixture.addressBody) }
        )
        table["PUT /v1/emergencyaddresses"] = (
            Rule(module: .msteamOrUcaas, access: .writer, owners: .customers),
            { f, owner, _ in
                let body = String(MatrixFixture.addressBody.dropLast()) + #","locationId":\#(f.locationIDs[owner!]!)}"#
                return ("/v1/emergencyaddresses", body)
            }
        )
        table["DELETE /v1/emergencyaddresses/{locationId}"] = (
            Rule(module: .msteamOrUcaas, access: .writer, owners: .customers),
            { f, owner, _ in ("/v1/emergencyaddresses/\(try f.createEmergencyAddress(for: owner!))", nil) }
        )

        // Microsoft Teams: the msteam module.
        table["GET /v1/msteams/customers"] = (
            Rule(module: .msteam, access: .anyone, owners: .none), { _, _, _ in ("/v1/msteams/customers", nil) }
        )
        table["GET /v1/msteams/{customerId}/users"] = (
            Rule(module: .msteam, access: .anyone, owners: .customers), { f, owner, _ in ("/v1/msteams/\(id(f, owner))/users", nil) }
        )
        table["POST /v1/msteams/{customerId}/users"] = (
            Rule(module: .msteam, access: .writer, owners: .customers),
            { f, owner, _ in ("/v1/msteams/\(id(f, owner))/users", f.teamsUserBody(number: try f.freshNumber(for: owner!))) }
        )
        table["GET /v1/msteams/{customerId}/users/{userId}"] = (
            Rule(module: .msteam, access: .anyone, owners: .customers),
            { f, owner, _ in ("/v1/msteams/\(id(f, owner))/users/\(f.teamsUserIDs[owner!]!)", nil) }
        )
        table["PUT /v1/msteams/{customerId}/users/{userId}"] = (
            Rule(module: .msteam, access: .writer, owners: .customers),
            { f, owner, _ in ("/v1/msteams/\(id(f, owner))/users/\(f.teamsUserIDs[owner!]!)", #"{"firstName":"Renamed"}"#) }
        )
        table["DELETE /v1/msteams/{customerId}/users/{userId}"] = (
            Rule(module: .msteam, access: .writer, owners: .customers),
            { f, owner, _ in ("/v1/msteams/\(id(f, owner))/users/\(try f.createTeamsUser(for: owner!))", nil) }
        )
        table["GET /v1/msteams/{customerId}/numbers"] = (
            Rule(module: .msteam, access: .anyone, owners: .customers), { f, owner, _ in ("/v1/msteams/\(id(f, owner))/numbers", nil) }
        )

        // Zoom: the ucaas module.
        table["GET /v1/zoom/{customerId}/numbers"] = (
            Rule(module: .ucaas, access: .anyone, owners: .customers), { f, owner, _ in ("/v1/zoom/\(id(f, owner))/numbers", nil) }
        )
        table["POST /v1/zoom/{customerId}/numbers"] = (
            Rule(module: .ucaas, access: .writer, owners: .customers),
            { f, owner, _ in ("/v1/zoom/\(id(f, owner))/numbers", #"{"telephoneNumbers":["\#(try f.freshNumber(for: owner!))"]}"#) }
        )
        table["DELETE /v1/zoom/{customerId}/numbers"] = (
            Rule(module: .ucaas, access: .writer, owners: .customers),
            { f, owner, _ in ("/v1/zoom/\(id(f, owner))/numbers", #"{"telephoneNumbers":["\#(try f.peeredNumber(for: owner!))"]}"#) }
        )
        return table
    }

    // MARK: - Expectations

    /// Returns whether the caller's account has the module; only the module-less customer lacks any.
    static func holds(_ caller: MatrixCaller, _ module: Module?) -> Bool {
        module == nil || caller != .noModules
    }

    /// Returns the status the rule gives `caller` acting on an object of `owner`.
    static func expectedStatus(_ rule: Rule, caller: MatrixCaller, owner: Owner?) -> Int {
        if !holds(caller, rule.module) {
            return 403
        }
        switch rule.access {
        case .platformAdmin where !caller.isPlatformAdmin:
            return 403
        case .inventoryManager where !(caller.isPlatformAdmin || caller.isReseller):
            return 403
        case .writer where caller.isUserLogin:
            return 403
        default:
            break
        }
        if let owner, !caller.sees(owner) {
            return rule.notVisible
        }
        if rule.access == .writerOnVisible && caller.isUserLogin {
            return 403
        }
        if rule.forbidsOwnAccount, let owner, owner == caller.ownAccount {
            return 403
        }
        return rule.success
    }

    // MARK: - Tests

    /// `METHOD pattern` of every route the application registers, in registration order.
    static func registeredRoutes() async throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("numberline-matrix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await SQLStore.open(path: directory.appendingPathComponent("routes.db").path)
        let router = Application(store: store, configuration: APIConfiguration()).makeRouter()
        await store.close()
        return router.routes.map { "\($0.method) \($0.pattern)" }
    }

    @Test("every route has a rule")
    func everyRouteHasRule() async throws {
        let routes = try await Self.registeredRoutes()
        let rules = Self.rules()
        for route in routes where rules[route] == nil {
            Issue.record("route \(route) has no authorization rule; add one to AuthorizationMatrixTests.rules()")
        }
        for route in rules.keys.sorted() where !routes.contains(route) {
            Issue.record("the rule for \(route) names no registered route; remove or rename it")
        }
        #expect(routes.count >= 50)
    }

    @Test("every route, caller and owner")
    func matrix() async throws {
        let started = Date()
        let routes = try await Self.registeredRoutes()
        let rules = Self.rules()
        let fixture = try MatrixFixture()
        var cells = 0
        var owners: Set<Owner> = []

        for route in routes {
            guard let (rule, build) = rules[route] else { continue }
            let method = String(route.prefix { $0 != " " })
            for caller in MatrixCaller.allCases {
                // Missing owners go first, so each foreign response can be compared with the
                // missing one of its kind (reseller or customer).
                var missingResponses: [Bool: TestResponse] = [:]
                let ownerOrder = rule.owners.list.sorted { ($0?.isMissing == true ? 0 : 1) < ($1?.isMissing == true ? 0 : 1) }
                for owner in ownerOrder {
                    let expected = Self.expectedStatus(rule, caller: caller, owner: owner)
                    let response = try call(fixture, method: method, route: route, build: build, caller: caller, owner: owner)
                    cells += 1
                    if let owner { owners.insert(owner) }
                    let cell = "\(route) as \(caller.rawValue) on \(owner?.rawValue ?? "no object")"
                    #expect(response.status == expected, "\(cell): \(response.text)")
                    if rule.checksForeignData && (200..<300).contains(response.status) {
                        Self.expectNoForeignData(response, caller: caller, fixture: fixture, cell: cell)
                    }

                    // Only objects the caller cannot see are compared: a route whose not-visible
                    // status is also its success status (the audit filter) returns 200 for both.
                    guard let owner, expected == rule.notVisible, owner.isMissing || !caller.sees(owner), holds(caller, rule.module)
                    else { continue }
                    if owner.isMissing {
                        missingResponses[owner.isReseller] = response
                    } else if let missing = missingResponses[owner.isReseller] {
                        Self.expectSameShape(response, missing, cell: cell)
                    }
                }
            }
        }

        let seconds = Date().timeIntervalSince(started)
        let routeCount = routes.filter { rules[$0] != nil }.count
        print(
            "authorization matrix: \(routeCount) routes x \(MatrixCaller.allCases.count) callers x up to \(owners.count) owners = \(cells) calls in \(String(format: "%.1f", seconds)) s"
        )
        #expect(cells > 1000)
    }

    /// Compares the median time of requests for foreign objects with that of missing ones,
    /// as reseller B asking for objects of reseller A's customer A1.
    @Test("foreign and missing ids take alike time")
    func foreignAndMissingTiming() throws {
        let f = try FeatureFixture()
        let pairs = [
            ("/v1/accounts/\(f.tenants.customerA1)", "/v1/accounts/999999"),
            ("/v1/numbers/\(FeatureFixture.numbersA1[0])", "/v1/numbers/\(FeatureFixture.unknownNumber)"),
            ("/v1/cnam/\(FeatureFixture.numbersA1[0])", "/v1/cnam/\(FeatureFixture.unknownNumber)"),
        ]
        let rounds = 41
        for (foreignPath, missingPath) in pairs {
            var foreign: [Double] = []
            var missing: [Double] = []
            for round in 0..<rounds {
                // Alternate which goes first so that warm-up and drift fall on both sides.
                let order = round % 2 == 0 ? [(foreignPath, true), (missingPath, false)] : [(missingPath, false), (foreignPath, true)]
                for (path, isForeign) in order {
                    let started = DispatchTime.now().uptimeNanoseconds
                    let response = try f.call("GET", path, token: f.resellerB)
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                    #expect(response.status == 404, "\(path): \(response.text)")
                    if isForeign { foreign.append(seconds) } else { missing.append(seconds) }
                }
            }
            let foreignMedian = foreign.sorted()[rounds / 2]
            let missingMedian = missing.sorted()[rounds / 2]
            print(
                "timing \(foreignPath) vs \(missingPath): medians \(String(format: "%.2f", foreignMedian * 1000)) ms and \(String(format: "%.2f", missingMedian * 1000)) ms"
            )
            // A bound generous enough for a loaded 2-core machine: 5 ms plus half the slower median.
            let bound = 0.005 + 0.5 * max(foreignMedian, missingMedian)
            #expect(abs(foreignMedian - missingMedian) < bound, "\(foreignPath): \(foreignMedian) s vs \(missingMedian) s")
        }
    }

    func holds(_ caller: MatrixCaller, _ module: Module?) -> Bool { Self.holds(caller, module) }

    /// Sends one cell's request with the caller's token; the token call signs in instead.
    private func call(
        _ fixture: MatrixFixture, method: String, route: String, build: Builder, caller: MatrixCaller, owner: Owner?
    ) throws -> TestResponse {
        if route == "POST /v1/oauth2/authorize" {
            return try fixture.server.authorize(username: fixture.usernames[caller]!, password: TestServer.password)
        }
        let (path, json) = try build(fixture, owner, caller)
        let response = try fixture.server.call(method, path, token: fixture.tokens[caller]!, json: json)
        fixture.notePlanID(in: response)
        return response
    }

    /// Checks that a successful response names no number or login of an account outside the
    /// caller's subtree, so lists and reads leak nothing sideways or up the tree.
    static func expectNoForeignData(_ response: TestResponse, caller: MatrixCaller, fixture: MatrixFixture, cell: String) {
        for owner in Owner.allCases where !owner.isMissing && !caller.sees(owner) {
            let markers = (fixture.numbers[owner] ?? []) + [fixture.loginName(of: owner)]
            for marker in markers where response.text.contains("\"\(marker)\"") {
                Issue.record("\(cell): the response names \(marker) of \(owner.rawValue): \(response.text.prefix(300))")
            }
        }
    }

    /// Checks that a foreign object's response matches a missing one's: status, the members of
    /// the body and of each `errors` entry, and the texts once digits (the ids and numbers
    /// they name) are masked.
    static func expectSameShape(_ foreign: TestResponse, _ missing: TestResponse, cell: String) {
        #expect(foreign.status == missing.status, "\(cell): foreign \(foreign.text) vs missing \(missing.text)")
        #expect(shape(foreign) == shape(missing), "\(cell): foreign \(foreign.text) vs missing \(missing.text)")
    }

    /// Returns the body with every run of digits replaced by `#`, or the raw text when it is not JSON.
    static func shape(_ response: TestResponse) -> String {
        guard let value = try? response.json() else { return maskDigits(response.text) }
        return maskDigits(String(decoding: JSONWriter.encode(value), as: UTF8.self))
    }

    static func maskDigits(_ text: String) -> String {
        text.replacingOccurrences(of: "[0-9]+", with: "#", options: .regularExpression)
    }
}
