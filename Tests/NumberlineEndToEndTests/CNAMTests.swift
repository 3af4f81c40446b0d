import Foundation
import Testing

@Suite("CNAM")
struct CNAMTests {
    typealias F = FeatureFixture

    @Test("add, read and remove")
    func lifecycle() throws {
        let f = try FeatureFixture()
        let added = try f.call(
            "POST", "/v1/cnam", token: f.customerA1,
            json:
                #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callingName":"O'Brien & Co.","firstName":"Pat","lastName":"O'Brien","businessName":"O'Brien and Company"}"#
        )
        #expect(added.status == 200, "\(added.text)")

        let read = try f.call("GET", "/v1/cnam/\(F.numbersA1[0])", token: f.customerA1)
        #expect(
            read.text
                == #"{"telephoneNumbers":["19195550100"],"callingName":"O'Brien & Co.","firstName":"Pat","lastName":"O'Brien","businessName":"O'Brien and Company"}"#
        )
        let view = try f.call("GET", "/v1/numbers/\(F.numbersA1[0])", token: f.resellerA)
        #expect(view.text.contains(#""cnam":{"callingName":"O'Brien & Co.""#))

        let again = try f.call(
            "POST", "/v1/cnam", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callingName":"Other"}"#)
        #expect(again.status == 409)

        #expect(try f.call("DELETE", "/v1/cnam/\(F.numbersA1[0])", token: f.customerA1).status == 200)
        #expect(try f.call("GET", "/v1/cnam/\(F.numbersA1[0])", token: f.customerA1).status == 404)
    }

    @Test("calling name is at most 15 characters")
    func callingNameLength() throws {
        let f = try FeatureFixture()
        let response = try f.call(
            "POST", "/v1/cnam", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callingName":"ABCDEFGHIJKLMNOP"}"#)
        #expect(response.status == 400)
        #expect(response.errorFields == ["callingName"])
        let fifteen = try f.call(
            "POST", "/v1/cnam", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callingName":"ABCDEFGHIJKLMNO"}"#)
        #expect(fifteen.status == 200)
    }

    @Test("rejected character and position named")
    func callingNameCharacter() throws {
        let f = try FeatureFixture()
        let response = try f.call(
            "POST", "/v1/cnam", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callingName":"José Diaz"}"#)
        #expect(response.status == 400)
        let message = response.errorMessages().first ?? ""
        #expect(message.contains("\"é\""))
        #expect(message.contains("position 4"))
    }

    @Test("one bad entry changes nothing")
    func bulkAllOrNothing() throws {
        let f = try FeatureFixture()
        let response = try f.call(
            "POST", "/v1/cnam", token: f.customerA1,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])","\#(F.unknownNumber)"],"callingName":"Acme"}"#)
        #expect(response.status == 400)
        #expect(response.rejectedNumbers() == [F.unknownNumber])
        #expect(try f.call("GET", "/v1/cnam/\(F.numbersA1[0])", token: f.customerA1).status == 404)
    }

    @Test("guards: user login, other tenant")
    func guards() throws {
        let f = try FeatureFixture()
        #expect(
            try f.call(
                "POST", "/v1/cnam", token: f.userA1u,
                json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callingName":"Acme"}"#
            ).status == 403)
        let foreign = try f.call(
            "POST", "/v1/cnam", token: f.resellerB,
            json: #"{"telephoneNumbers":["\#(F.numbersA1[0])"],"callingName":"Acme"}"#)
        #expect(foreign.status == 400)
        #expect(foreign.rejectedNumbers() == [F.numbersA1[0]])
        #expect(try f.call("GET", "/v1/cnam/\(F.numbersA1[0])", token: f.resellerB).status == 404)
    }
}
