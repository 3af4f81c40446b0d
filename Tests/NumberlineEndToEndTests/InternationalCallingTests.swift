import Foundation
import Testing

@Suite("International calling")
struct InternationalCallingTests {
    typealias F = FeatureFixture

    @Test("set, read and remove")
    func lifecycle() throws {
        let f = try FeatureFixture()
        let set = try f.call(
            "POST", "/v1/internationalcalling", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])","\#(F.numbersA1x[0])"],"criteria":"BLOCK-ALL-INTL"}"#)
        #expect(set.status == 200, "\(set.text)")

        let read = try f.call("GET", "/v1/internationalcalling/\(F.numbersA1x[0])", token: f.subCustomerA1x)
        #expect(read.text == #"{"telephoneNumber":"19195550200","criteria":"BLOCK-ALL-INTL"}"#)
        let view = try f.call("GET", "/v1/numbers/\(F.numbersA1[0])", token: f.customerA1)
        #expect(view.text.contains(#""internationalCalling":{"criteria":"BLOCK-ALL-INTL"}"#))

        let again = try f.call(
            "POST", "/v1/internationalcalling", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"criteria":"ALLOW-ALL-INTL"}"#)
        #expect(again.status == 409)

        #expect(try f.call("DELETE", "/v1/internationalcalling/\(F.numbersA1[0])", token: f.customerA1).status == 200)
        #expect(try f.call("GET", "/v1/internationalcalling/\(F.numbersA1[0])", token: f.customerA1).status == 404)
    }

    @Test("criteria must be known", arguments: ["allow-all-intl", "ALLOW", ""])
    func criteriaChecked(criteria: String) throws {
        let f = try FeatureFixture()
        let response = try f.call(
            "POST", "/v1/internationalcalling", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"criteria":"\#(criteria)"}"#)
        #expect(response.status == 400)
        #expect(response.errorFields == ["criteria"])
    }

    @Test("one bad entry changes nothing")
    func bulkAllOrNothing() throws {
        let f = try FeatureFixture()
        let response = try f.call(
            "POST", "/v1/internationalcalling", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])","\#(F.numbersA1[0])"],"criteria":"ALLOW-ALL-INTL"}"#)
        #expect(response.status == 400)
        #expect(response.rejectedNumbers() == [F.numbersA1[0]])
        #expect(try f.call("GET", "/v1/internationalcalling/\(F.numbersA1[0])", token: f.customerA1).status == 404)
    }

    @Test("guards: user login, other tenant")
    func guards() throws {
        let f = try FeatureFixture()
        let body = #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"criteria":"ALLOW-ALL-INTL"}"#
        #expect(try f.call("POST", "/v1/internationalcalling", token: f.userA1u, json: body).status == 403)
        #expect(try f.call("POST", "/v1/internationalcalling", token: f.customerA1, json: body).status == 200)
        #expect(try f.call("GET", "/v1/internationalcalling/\(F.numbersA1[0])", token: f.customerA2).status == 404)
        #expect(try f.call("DELETE", "/v1/internationalcalling/\(F.numbersA1[0])", token: f.customerB1).status == 404)
        #expect(try f.call("GET", "/v1/internationalcalling/\(F.numbersA1[0])", token: f.customerA1).status == 200)
    }
}
