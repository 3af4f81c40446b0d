import Foundation
import NumberlineJSON
import Testing

@Suite("Call forwarding")
struct CallForwardingTests {
    typealias F = FeatureFixture

    @Test("add, read, update and remove")
    func lifecycle() throws {
        let f = try FeatureFixture()
        let numbers = Array(F.numbersA1.prefix(2))

        let added = try f.call(
            "POST", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":["+1 (919) 555-0100","9195550101"],"callForwardNumber":"9195551234","countryCode":"US"}"#)
        #expect(added.status == 200, "\(added.text)")
        #expect(added.field("status") == "No error")

        let read = try f.call("GET", "/v1/callforwarding/\(numbers[1])", token: f.customerA1)
        #expect(read.status == 200)
        #expect(read.text == #"{"telephoneNumbers":["19195550101"],"callForwardNumber":"19195551234","countryCode":"US"}"#)

        // The reseller above can read it too, and a formatted path number is normalized.
        let formatted = try f.call("GET", "/v1/callforwarding/%2B1-919-555-0100", token: f.resellerA)
        #expect(formatted.status == 200)
        #expect(formatted.field("callForwardNumber") == "19195551234")

        let updated = try f.call(
            "PUT", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":\#(F.list(numbers)),"callForwardNumber":"+1 212 555 0199"}"#)
        #expect(updated.status == 200, "\(updated.text)")
        let reread = try f.call("GET", "/v1/callforwarding/\(numbers[0])", token: f.customerA1)
        #expect(reread.field("callForwardNumber") == "12125550199")
        #expect(reread.member("countryCode")?.isNull == true)

        let removed = try f.call("DELETE", "/v1/callforwarding/\(numbers[0])", token: f.customerA1)
        #expect(removed.status == 200)
        let gone = try f.call("GET", "/v1/callforwarding/\(numbers[0])", token: f.customerA1)
        #expect(gone.status == 404)
        let removedAgain = try f.call("DELETE", "/v1/callforwarding/\(numbers[0])", token: f.customerA1)
        #expect(removedAgain.status == 404)
    }

    @Test("inventory view shows the forwarding")
    func numberViewShowsFeature() throws {
        let f = try FeatureFixture()
        let number = F.numbersA1[0]
        let before = try f.call("GET", "/v1/numbers/\(number)", token: f.customerA1)
        #expect(before.status == 200)
        #expect(before.text.contains(#""callForwarding":null"#))

        _ = try f.call(
            "POST", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(number)"],"callForwardNumber":"19195551234","countryCode":"US"}"#)
        let after = try f.call("GET", "/v1/numbers/\(number)", token: f.customerA1)
        #expect(after.text.contains(#""callForwarding":{"callForwardNumber":"19195551234","countryCode":"US"}"#), "\(after.text)")
    }

    @Test("adding twice conflicts and lists numbers")
    func addExistingConflicts() throws {
        let f = try FeatureFixture()
        let first = try f.call(
            "POST", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callForwardNumber":"19195551234"}"#)
        #expect(first.status == 200)

        let second = try f.call(
            "POST", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[1])","\#(F.numbersA1[0])"],"callForwardNumber":"19195551234"}"#)
        #expect(second.status == 409)
        #expect(second.rejectedNumbers() == [F.numbersA1[0]])
        // The other number of the call stays without forwarding.
        #expect(try f.call("GET", "/v1/callforwarding/\(F.numbersA1[1])", token: f.customerA1).status == 404)
    }

    @Test("updating a missing forwarding is 404")
    func updateMissing() throws {
        let f = try FeatureFixture()
        _ = try f.call(
            "POST", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callForwardNumber":"19195551234"}"#)
        let response = try f.call(
            "PUT", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])","\#(F.numbersA1[1])"],"callForwardNumber":"12125550199"}"#)
        #expect(response.status == 404)
        #expect(response.rejectedNumbers() == [F.numbersA1[1]])
        let unchanged = try f.call("GET", "/v1/callforwarding/\(F.numbersA1[0])", token: f.customerA1)
        #expect(unchanged.field("callForwardNumber") == "19195551234")
    }

    @Test("one bad entry changes nothing", arguments: ["not-a-number", F.unknownNumber, F.numbersB1[0], F.numbersA2[0]])
    func bulkAllOrNothing(bad: String) throws {
        let f = try FeatureFixture()
        let body = #"{"telephoneNumbers":["\#(F.numbersA1[0])","\#(bad)","\#(F.numbersA1[1])"],"callForwardNumber":"19195551234"}"#
        let response = try f.call("POST", "/v1/callforwarding", token: f.customerA1, json: body)
        #expect(response.status == 400)
        #expect(response.rejectedNumbers() == [bad])
        for number in F.numbersA1.prefix(2) {
            #expect(try f.call("GET", "/v1/callforwarding/\(number)", token: f.customerA1).status == 404)
        }
    }

    @Test("foreign number reads like unknown")
    func foreignLikeUnknown() throws {
        let f = try FeatureFixture()
        let body = { (number: String) in #"{"telephoneNumbers":["\#(number)"],"callForwardNumber":"19195551234"}"# }
        let foreign = try f.call("POST", "/v1/callforwarding", token: f.customerA1, json: body(F.numbersB1[0]))
        let unknown = try f.call("POST", "/v1/callforwarding", token: f.customerA1, json: body(F.unknownNumber))
        #expect(foreign.status == unknown.status)
        #expect(foreign.rejectionReasons() == unknown.rejectionReasons())

        _ = try f.call("POST", "/v1/callforwarding", token: f.customerB1, json: body(F.numbersB1[0]))
        let foreignRead = try f.call("GET", "/v1/callforwarding/\(F.numbersB1[0])", token: f.resellerA)
        #expect(foreignRead.status == 404)
        let foreignDelete = try f.call("DELETE", "/v1/callforwarding/\(F.numbersB1[0])", token: f.customerA1)
        #expect(foreignDelete.status == 404)
        #expect(try f.call("GET", "/v1/callforwarding/\(F.numbersB1[0])", token: f.customerB1).status == 200)
    }

    @Test("sibling and parent numbers are out of reach")
    func subtreeScope() throws {
        let f = try FeatureFixture()
        // A1x is below A1, so A1 reaches its numbers, but A1x does not reach A1's.
        let down = try f.call(
            "POST", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1x[0])"],"callForwardNumber":"19195551234"}"#)
        #expect(down.status == 200)
        let up = try f.call(
            "POST", "/v1/callforwarding", token: f.subCustomerA1x,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callForwardNumber":"19195551234"}"#)
        #expect(up.status == 400)
        #expect(up.rejectedNumbers() == [F.numbersA1[0]])
    }

    @Test("number cannot forward to itself")
    func selfForward() throws {
        let f = try FeatureFixture()
        let response = try f.call(
            "POST", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])","\#(F.numbersA1[1])"],"callForwardNumber":"+1 919 555 0101"}"#)
        #expect(response.status == 400)
        #expect(response.rejectedNumbers() == [F.numbersA1[1]])
        #expect(try f.call("GET", "/v1/callforwarding/\(F.numbersA1[0])", token: f.customerA1).status == 404)
    }

    @Test("target is checked for its country")
    func targetCountry() throws {
        let f = try FeatureFixture()
        let canadian = try f.call(
            "POST", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callForwardNumber":"6135550100","countryCode":"US"}"#)
        #expect(canadian.status == 400)
        #expect(canadian.errorFields == ["callForwardNumber"])

        let invalid = try f.call(
            "POST", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callForwardNumber":"12345","countryCode":"US"}"#)
        #expect(invalid.status == 400)
        #expect(invalid.errorFields == ["callForwardNumber"])

        let badRegion = try f.call(
            "POST", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callForwardNumber":"19195551234","countryCode":"XX"}"#)
        #expect(badRegion.status == 400)
        #expect(badRegion.errorFields == ["countryCode"])

        let matching = try f.call(
            "POST", "/v1/callforwarding", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callForwardNumber":"6135550100","countryCode":"CA"}"#)
        #expect(matching.status == 200, "\(matching.text)")
    }

    @Test("body shape is checked")
    func bodyShape() throws {
        let f = try FeatureFixture()
        let cases = [
            #"{"callForwardNumber":"19195551234"}"#,
            #"{"telephoneNumbers":[],"callForwardNumber":"19195551234"}"#,
            #"{"telephoneNumbers":["19195550100"]}"#,
            #"{"telephoneNumbers":[19195550100],"callForwardNumber":"19195551234"}"#,
            #"{"telephoneNumbers":["19195550100"],"callForwardNumber":"19195551234","extra":1}"#,
            #"["19195550100"]"#,
        ]
        for body in cases {
            let response = try f.call("POST", "/v1/callforwarding", token: f.customerA1, json: body)
            #expect(response.status == 400, "\(body)")
        }
    }

    @Test("user login reads but cannot write")
    func userLoginReadOnly() throws {
        let f = try FeatureFixture()
        let body = #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callForwardNumber":"19195551234"}"#
        let write = try f.call("POST", "/v1/callforwarding", token: f.userA1u, json: body)
        #expect(write.status == 403)
        #expect(write.field("status")?.hasPrefix("Forbidden not allowed to") == true)

        _ = try f.call("POST", "/v1/callforwarding", token: f.customerA1, json: body)
        #expect(try f.call("GET", "/v1/callforwarding/\(F.numbersA1[0])", token: f.userA1u).status == 200)
        #expect(try f.call("DELETE", "/v1/callforwarding/\(F.numbersA1[0])", token: f.userA1u).status == 403)
        #expect(try f.call("PUT", "/v1/callforwarding", token: f.userA1u, json: body).status == 403)
    }

    @Test("enhancedServices module gates it")
    func moduleGate() throws {
        let f = try FeatureFixture()
        let restricted = try f.restrictedCustomer(name: "Plain Co", modules: #"{"enhancedServices":false}"#)
        let write = try f.call(
            "POST", "/v1/callforwarding", token: restricted.token,
            json: #"{"telephoneNumbers":["19195550100"],"callForwardNumber":"19195551234"}"#)
        #expect(write.status == 403)
        #expect(write.field("status") == "Forbidden not allowed to add call forwarding")
        #expect(try f.call("GET", "/v1/callforwarding/19195550100", token: restricted.token).status == 403)
    }
}
