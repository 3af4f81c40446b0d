import Foundation
import Testing

@Suite("Calling party number")
struct CallingPartyNumberTests {
    typealias F = FeatureFixture

    @Test("add, read and remove")
    func lifecycle() throws {
        let f = try FeatureFixture()
        let added = try f.call(
            "POST", "/v1/cpn", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])","\#(F.numbersA1[1])"],"cpnNumber":"9195550104","countryCode":"US"}"#)
        #expect(added.status == 200, "\(added.text)")

        let read = try f.call("GET", "/v1/cpn/\(F.numbersA1[1])", token: f.customerA1)
        #expect(read.text == #"{"telephoneNumbers":["19195550101"],"cpnNumber":"19195550104","countryCode":"US"}"#)
        let view = try f.call("GET", "/v1/numbers/\(F.numbersA1[1])", token: f.customerA1)
        #expect(view.text.contains(#""cpn":{"cpnNumber":"19195550104","countryCode":"US"}"#))

        let again = try f.call(
            "POST", "/v1/cpn", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[1])"],"cpnNumber":"19195550104"}"#)
        #expect(again.status == 409)
        #expect(again.rejectedNumbers() == [F.numbersA1[1]])

        #expect(try f.call("DELETE", "/v1/cpn/\(F.numbersA1[1])", token: f.customerA1).status == 200)
        #expect(try f.call("GET", "/v1/cpn/\(F.numbersA1[1])", token: f.customerA1).status == 404)
    }

    @Test("cpn must be held in the subtree", arguments: [F.numbersB1[0], F.numbersA2[0], F.unknownNumber])
    func cpnNumberHeld(cpn: String) throws {
        let f = try FeatureFixture()
        let response = try f.call(
            "POST", "/v1/cpn", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"cpnNumber":"\#(cpn)"}"#)
        #expect(response.status == 400)
        #expect(response.errorFields == ["cpnNumber"])
        #expect(response.errorMessages().first?.contains("does not exist or is not visible to you") == true)
        #expect(try f.call("GET", "/v1/cpn/\(F.numbersA1[0])", token: f.customerA1).status == 404)
    }

    @Test("one bad entry changes nothing")
    func bulkAllOrNothing() throws {
        let f = try FeatureFixture()
        let response = try f.call(
            "POST", "/v1/cpn", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])","\#(F.numbersB1[0])"],"cpnNumber":"19195550104"}"#)
        #expect(response.status == 400)
        #expect(response.rejectedNumbers() == [F.numbersB1[0]])
        #expect(try f.call("GET", "/v1/cpn/\(F.numbersA1[0])", token: f.customerA1).status == 404)
    }

    @Test("guards: user login, module, other tenant")
    func guards() throws {
        let f = try FeatureFixture()
        let body = #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"cpnNumber":"19195550104"}"#
        #expect(try f.call("POST", "/v1/cpn", token: f.userA1u, json: body).status == 403)
        #expect(try f.call("POST", "/v1/cpn", token: f.customerA1, json: body).status == 200)
        #expect(try f.call("GET", "/v1/cpn/\(F.numbersA1[0])", token: f.customerB1).status == 404)
        #expect(try f.call("DELETE", "/v1/cpn/\(F.numbersA1[0])", token: f.resellerB).status == 404)
        let restricted = try f.restrictedCustomer(name: "Plain Co", modules: #"{"enhancedServices":false}"#)
        #expect(try f.call("GET", "/v1/cpn/\(F.numbersA1[0])", token: restricted.token).status == 403)
    }
}
