import Foundation
import Testing

@Suite("Disaster plans")
struct DisasterPlanTests {
    typealias F = FeatureFixture

    /// Creates a plan and returns its id, failing unless the call returns 200.
    private func createPlan(_ f: FeatureFixture, numbers: [String], token: String, target: String = "19195551234") throws -> String {
        let response = try f.call(
            "POST", "/v1/disasterplans", token: token,
            json: #"{"telephoneNumbers":\#(F.list(numbers)),"callForwardNumber":"\#(target)","countryCode":"US"}"#)
        guard response.status == 200, let id = response.field("disasterPlanID") else {
            throw TestError("creating a plan answered \(response.status): \(response.text)")
        }
        return id
    }

    @Test("create, read, activate and remove")
    func lifecycle() throws {
        let f = try FeatureFixture()
        let id = try createPlan(f, numbers: Array(F.numbersA1.prefix(2)), token: f.customerA1)
        #expect(id.range(of: #"^DAS-[0-9]{6}$"#, options: .regularExpression) != nil)

        let read = try f.call("GET", "/v1/disasterplans/\(F.numbersA1[1])", token: f.customerA1)
        #expect(
            read.text
                == #"{"telephoneNumbers":["19195550100","19195550101"],"callForwardNumber":"19195551234","disasterPlanID":"\#(id)","countryCode":"US","active":false}"#
        )

        let activated = try f.call("POST", "/v1/disasterplans/\(id)/activate", token: f.customerA1)
        #expect(activated.status == 200)
        #expect(activated.member("active")?.bool == true)
        let view = try f.call("GET", "/v1/numbers/\(F.numbersA1[0])", token: f.customerA1)
        #expect(
            view.text.contains(
                #""disasterPlan":{"disasterPlanID":"\#(id)","callForwardNumber":"19195551234","countryCode":"US","active":true}"#))

        let deactivated = try f.call("POST", "/v1/disasterplans/\(id)/deactivate", token: f.customerA1)
        #expect(deactivated.member("active")?.bool == false)

        #expect(try f.call("DELETE", "/v1/disasterplans/\(F.numbersA1[0])", token: f.customerA1).status == 200)
        let rest = try f.call("GET", "/v1/disasterplans/\(F.numbersA1[1])", token: f.customerA1)
        #expect(rest.member("telephoneNumbers")?.array?.count == 1)
        #expect(try f.call("GET", "/v1/disasterplans/\(F.numbersA1[0])", token: f.customerA1).status == 404)

        // Removing the last number deletes the plan itself.
        #expect(try f.call("DELETE", "/v1/disasterplans/\(F.numbersA1[1])", token: f.customerA1).status == 200)
        #expect(try f.call("POST", "/v1/disasterplans/\(id)/activate", token: f.customerA1).status == 404)
    }

    @Test("plan ids are unique")
    func uniqueIDs() throws {
        let f = try FeatureFixture()
        var ids = Set<String>()
        for number in F.numbersA1 {
            ids.insert(try createPlan(f, numbers: [number], token: f.customerA1))
        }
        #expect(ids.count == F.numbersA1.count)
    }

    @Test("update changes the target")
    func update() throws {
        let f = try FeatureFixture()
        let id = try createPlan(f, numbers: Array(F.numbersA1.prefix(2)), token: f.customerA1)
        let byNumbers = try f.call(
            "PUT", "/v1/disasterplans", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callForwardNumber":"12125550199","countryCode":"US"}"#)
        #expect(byNumbers.status == 200, "\(byNumbers.text)")
        let read = try f.call("GET", "/v1/disasterplans/\(F.numbersA1[1])", token: f.customerA1)
        #expect(read.field("callForwardNumber") == "12125550199")

        let byID = try f.call(
            "PUT", "/v1/disasterplans", token: f.customerA1,
            json: #"{"disasterPlanID":"\#(id)","telephoneNumbers":["\#(F.numbersA1[1])"],"callForwardNumber":"19195551234"}"#)
        #expect(byID.status == 200)

        let otherPlan = try createPlan(f, numbers: [F.numbersA1[2]], token: f.customerA1)
        let wrongPlan = try f.call(
            "PUT", "/v1/disasterplans", token: f.customerA1,
            json: #"{"disasterPlanID":"\#(otherPlan)","telephoneNumbers":["\#(F.numbersA1[0])"],"callForwardNumber":"12125550199"}"#)
        #expect(wrongPlan.status == 404)
        #expect(wrongPlan.rejectedNumbers() == [F.numbersA1[0]])

        let noPlan = try f.call(
            "PUT", "/v1/disasterplans", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[3])"],"callForwardNumber":"12125550199"}"#)
        #expect(noPlan.status == 404)

        let badID = try f.call(
            "PUT", "/v1/disasterplans", token: f.customerA1,
            json: #"{"disasterPlanID":"DAS-12","telephoneNumbers":["\#(F.numbersA1[0])"],"callForwardNumber":"12125550199"}"#)
        #expect(badID.status == 400)
        #expect(badID.errorFields == ["disasterPlanID"])
    }

    @Test("number in a plan conflicts")
    func conflict() throws {
        let f = try FeatureFixture()
        _ = try createPlan(f, numbers: [F.numbersA1[0]], token: f.customerA1)
        let response = try f.call(
            "POST", "/v1/disasterplans", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[1])","\#(F.numbersA1[0])"],"callForwardNumber":"19195551234"}"#)
        #expect(response.status == 409)
        #expect(response.rejectedNumbers() == [F.numbersA1[0]])
        #expect(try f.call("GET", "/v1/disasterplans/\(F.numbersA1[1])", token: f.customerA1).status == 404)
    }

    @Test("bad entries change nothing")
    func bulkAllOrNothing() throws {
        let f = try FeatureFixture()
        let foreign = try f.call(
            "POST", "/v1/disasterplans", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])","\#(F.numbersB1[0])"],"callForwardNumber":"19195551234"}"#)
        #expect(foreign.status == 400)
        #expect(foreign.rejectedNumbers() == [F.numbersB1[0]])
        let itself = try f.call(
            "POST", "/v1/disasterplans", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callForwardNumber":"\#(F.numbersA1[0])"}"#)
        #expect(itself.status == 400)
        #expect(try f.call("GET", "/v1/disasterplans/\(F.numbersA1[0])", token: f.customerA1).status == 404)
    }

    @Test("other tenants cannot reach a plan")
    func crossTenant() throws {
        let f = try FeatureFixture()
        let id = try createPlan(f, numbers: [F.numbersA1[0]], token: f.customerA1)
        #expect(try f.call("POST", "/v1/disasterplans/\(id)/activate", token: f.customerB1).status == 404)
        #expect(try f.call("POST", "/v1/disasterplans/\(id)/activate", token: f.customerA2).status == 404)
        #expect(try f.call("POST", "/v1/disasterplans/DAS-000000/activate", token: f.customerA1).status == 400)
        #expect(try f.call("GET", "/v1/disasterplans/\(F.numbersA1[0])", token: f.resellerB).status == 404)
        #expect(try f.call("POST", "/v1/disasterplans/\(id)/activate", token: f.userA1u).status == 403)

        // A plan that spans A1 and A2 is out of reach for each of them alone.
        let shared = try createPlan(f, numbers: [F.numbersA1[1], F.numbersA2[0]], token: f.resellerA)
        #expect(try f.call("POST", "/v1/disasterplans/\(shared)/activate", token: f.customerA1).status == 404)
        let partial = try f.call("GET", "/v1/disasterplans/\(F.numbersA1[1])", token: f.customerA1)
        #expect(partial.member("telephoneNumbers")?.array?.count == 1)
        let blocked = try f.call(
            "PUT", "/v1/disasterplans", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[1])"],"callForwardNumber":"12125550199"}"#)
        #expect(blocked.status == 409)
        #expect(try f.call("POST", "/v1/disasterplans/\(shared)/activate", token: f.resellerA).status == 200)
    }
}
