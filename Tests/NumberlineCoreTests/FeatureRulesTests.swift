import NumberlineCore
import Testing

@Suite("Feature rules")
struct FeatureRulesTests {
    // MARK: - Calling name

    @Test(
        "calling name accepts the carrier set", arguments: ["John Doe", "A", "O'Brien & Sons", "Smith, J.", "ACME-24", "123456789012345"])
    func callingNameAccepts(name: String) {
        #expect(FeatureRules.callingNameProblem(name) == nil)
    }

    @Test("calling name rejects 16 characters")
    func callingNameTooLong() throws {
        let problem = try #require(FeatureRules.callingNameProblem("ABCDEFGHIJKLMNOP"))
        #expect(problem.contains("16 characters"))
        #expect(problem.contains("at most 15"))
    }

    @Test("calling name rejects empty")
    func callingNameEmpty() {
        #expect(FeatureRules.callingNameProblem("") != nil)
    }

    @Test("calling name names character and position")
    func callingNameCharacterPosition() throws {
        let problem = try #require(FeatureRules.callingNameProblem("Joe@Home"))
        #expect(problem.contains("\"@\""))
        #expect(problem.contains("U+0040"))
        #expect(problem.contains("position 4"))
    }

    @Test("calling name rejects accents and symbols", arguments: ["José", "A/B", "A\"B", "Tab\tName", "A_B", "Ünal"])
    func callingNameRejects(name: String) {
        #expect(FeatureRules.callingNameProblem(name) != nil)
    }

    @Test("bad character reported before length")
    func callingNameCharacterFirst() throws {
        let problem = try #require(FeatureRules.callingNameProblem("ABCDEFGHIJKLMNOPQ#"))
        #expect(problem.contains("position 18"))
    }

    // MARK: - Disaster plan ids

    @Test("plan id pads to six digits")
    func planIDFormat() throws {
        #expect(try #require(DisasterPlanID(number: 42)).description == "DAS-000042")
        #expect(try #require(DisasterPlanID(number: 999_999)).description == "DAS-999999")
    }

    @Test("plan id parses its own form")
    func planIDParses() throws {
        let id = try #require(DisasterPlanID("DAS-123456"))
        #expect(id.number == 123_456)
        #expect(id.description == "DAS-123456")
    }

    @Test(
        "plan id rejects other forms",
        arguments: ["DAS-12345", "DAS-1234567", "das-123456", "DAS-12345a", "DAS-000000", "XAS-123456", "", "DAS-+12345"])
    func planIDRejects(text: String) {
        #expect(DisasterPlanID(text) == nil)
    }

    @Test("plan id number range")
    func planIDRange() {
        #expect(DisasterPlanID(number: 0) == nil)
        #expect(DisasterPlanID(number: 1_000_000) == nil)
        #expect(DisasterPlanID(number: 1) != nil)
    }

    // MARK: - Emergency addresses

    private func address(country: String = "US", state: String = "NC", postalCode: String = "27601") -> CivicAddress {
        CivicAddress(
            name: "Head office", streetNumber: "100", streetName: "Main Street", addressType: .office, addressDescription: "Floor 2",
            countryCode: country, postalCode: postalCode, stateCode: state, city: "Raleigh")
    }

    @Test("address accepts US and Canada")
    func addressAccepts() {
        #expect(FeatureRules.validate(address()).isEmpty)
        #expect(FeatureRules.validate(address(country: "CA", state: "ON", postalCode: "K1A 0B1")).isEmpty)
    }

    @Test("address rejects other countries")
    func addressRejectsCountry() {
        let errors = FeatureRules.validate(address(country: "GB", state: "LND", postalCode: "SW1A 1AA"))
        #expect(errors.map(\.field) == ["countryCode"])
    }

    @Test("address rejects wrong state and postal code")
    func addressRejectsStateAndPostalCode() {
        let errors = FeatureRules.validate(address(country: "CA", state: "NY", postalCode: "27601"))
        #expect(errors.map(\.field) == ["stateCode", "postalCode"])
    }

    @Test("address type codes")
    func addressTypes() {
        #expect(EmergencyAddressType.allCases.map(\.rawValue) == ["OFC", "RES", "BLD", "FLR", "STE", "UNIT", "RM", "DEPT"])
    }

    // MARK: - Sites and outcomes

    @Test("department key folds case")
    func departmentKey() {
        #expect(FeatureRules.departmentKey("Sales") == FeatureRules.departmentKey("SALES"))
        #expect(FeatureRules.departmentKey("ÉQUIPE") == FeatureRules.departmentKey("équipe"))
    }

    @Test("department name limits")
    func departmentName() {
        #expect(FeatureRules.departmentNameProblem("Sales") == nil)
        #expect(FeatureRules.departmentNameProblem(String(repeating: "a", count: 101)) != nil)
        #expect(FeatureRules.departmentNameProblem("Line\nBreak") != nil)
    }

    @Test("outcome keeps bad input first")
    func outcomeOrder() {
        let rejections = [
            FeatureRejection(telephoneNumber: "1", reason: .notSet("call forwarding")),
            FeatureRejection(telephoneNumber: "2", reason: .alreadySet("call forwarding")),
            FeatureRejection(telephoneNumber: "3", reason: .notFound),
        ]
        #expect(FeatureOutcome.rejecting(rejections) == .rejected([rejections[2]]))
        #expect(FeatureOutcome.rejecting(Array(rejections.prefix(2))) == .rejected([rejections[1]]))
    }
}
