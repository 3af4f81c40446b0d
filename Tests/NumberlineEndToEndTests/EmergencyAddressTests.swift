import Foundation
import NumberlineJSON
import Testing

@Suite("Emergency addresses")
struct EmergencyAddressTests {
    typealias F = FeatureFixture

    /// Returns an address body; `extra` is spliced in before the closing brace (start it with a comma).
    static func address(state: String = "NC", postalCode: String = "27601", country: String = "US", extra: String = "") -> String {
        #"{"name":"Head office","streetNumber":"100","streetName":"Main Street","addressType":"OFC","addressDescription":"Floor 2","countryCode":"\#(country)","postalCode":"\#(postalCode)","stateCode":"\#(state)","city":"Raleigh"\#(extra)}"#
    }

    /// Creates an address and returns its `locationId`, failing unless the call returns 200.
    private func create(_ f: FeatureFixture, token: String, query: String = "", extra: String = "") throws -> Int64 {
        let response = try f.call("POST", "/v1/emergencyaddresses\(query)", token: token, json: Self.address(extra: extra))
        guard response.status == 200, let id = response.member("locationId")?.int64 else {
            throw TestError("creating an address answered \(response.status): \(response.text)")
        }
        return id
    }

    @Test("create, list, update and delete")
    func lifecycle() throws {
        let f = try FeatureFixture()
        let id = try create(f, token: f.customerA1, extra: #","telephoneNumbers":["\#(F.numbersA1[0])","9195550200"]"#)

        let list = try f.call("GET", "/v1/emergencyaddresses", token: f.customerA1)
        #expect(
            list.text
                == #"[{"locationId":\#(id),"name":"Head office","streetNumber":"100","streetName":"Main Street","addressType":"OFC","addressDescription":"Floor 2","countryCode":"US","postalCode":"27601","stateCode":"NC","city":"Raleigh","telephoneNumbers":["19195550100","19195550200"]}]"#
        )
        let view = try f.call("GET", "/v1/numbers/\(F.numbersA1[0])", token: f.customerA1)
        #expect(view.text.contains(#""emergencyAddress":{"locationId":\#(id)}"#))

        // Numbers still use the address, so it cannot go yet.
        #expect(try f.call("DELETE", "/v1/emergencyaddresses/\(id)", token: f.customerA1).status == 409)

        let update =
            #"{"locationId":\#(id),"name":"Branch","streetNumber":"1","streetName":"Rue Principale","countryCode":"CA","postalCode":"K1A 0B1","stateCode":"ON","city":"Ottawa","telephoneNumbers":[]}"#
        let updated = try f.call("PUT", "/v1/emergencyaddresses", token: f.customerA1, json: update)
        #expect(updated.status == 200, "\(updated.text)")
        let reread = try f.call("GET", "/v1/emergencyaddresses", token: f.customerA1)
        #expect(reread.text.contains(#""city":"Ottawa","telephoneNumbers":[]"#))
        #expect(reread.text.contains(#""addressType":null"#))

        #expect(try f.call("DELETE", "/v1/emergencyaddresses/\(id)", token: f.customerA1).status == 200)
        #expect(try f.call("GET", "/v1/emergencyaddresses", token: f.customerA1).text == "[]")
    }

    @Test("a number has one address")
    func oneAddressPerNumber() throws {
        let f = try FeatureFixture()
        let first = try create(f, token: f.customerA1, extra: #","telephoneNumbers":["\#(F.numbersA1[0])"]"#)
        let second = try f.call(
            "POST", "/v1/emergencyaddresses", token: f.customerA1,
            json: Self.address(extra: #","telephoneNumbers":["\#(F.numbersA1[1])","\#(F.numbersA1[0])"]"#))
        #expect(second.status == 409)
        #expect(second.rejectedNumbers() == [F.numbersA1[0]])
        // Nothing was created by the failed call.
        let list = try f.call("GET", "/v1/emergencyaddresses", token: f.customerA1)
        #expect(try list.json().array?.count == 1)

        // Updating the address that the number already uses keeps it there.
        let keep = try f.call(
            "PUT", "/v1/emergencyaddresses", token: f.customerA1,
            json: Self.address(extra: #","locationId":\#(first),"telephoneNumbers":["\#(F.numbersA1[0])","\#(F.numbersA1[1])"]"#))
        #expect(keep.status == 200, "\(keep.text)")
    }

    @Test("US and Canadian fields are checked")
    func validation() throws {
        let f = try FeatureFixture()
        let cases: [(String, [String])] = [
            (Self.address(state: "ZZ"), ["stateCode"]),
            (Self.address(postalCode: "2760"), ["postalCode"]),
            (Self.address(state: "NY", postalCode: "K1A 0B1", country: "CA"), ["stateCode"]),
            (Self.address(country: "GB"), ["countryCode"]),
            (Self.address(extra: #","addressType":"HOME""#).replacingOccurrences(of: #""addressType":"OFC","#, with: ""), ["addressType"]),
            (#"{"name":"X"}"#, ["city", "countryCode", "postalCode", "stateCode", "streetName", "streetNumber"]),
        ]
        for (body, fields) in cases {
            let response = try f.call("POST", "/v1/emergencyaddresses", token: f.customerA1, json: body)
            #expect(response.status == 400, "\(body)")
            #expect(response.errorFields == fields, "\(body)")
        }
        #expect(try f.call("GET", "/v1/emergencyaddresses", token: f.customerA1).text == "[]")
    }

    @Test("foreign number changes nothing")
    func foreignNumber() throws {
        let f = try FeatureFixture()
        for number in [F.numbersB1[0], F.numbersA2[0], F.unknownNumber] {
            let response = try f.call(
                "POST", "/v1/emergencyaddresses", token: f.customerA1,
                json: Self.address(extra: #","telephoneNumbers":["\#(F.numbersA1[0])","\#(number)"]"#))
            #expect(response.status == 400)
            #expect(response.rejectedNumbers() == [number])
        }
        #expect(try f.call("GET", "/v1/emergencyaddresses", token: f.customerA1).text == "[]")
    }

    @Test("other tenants see nothing")
    func crossTenant() throws {
        let f = try FeatureFixture()
        let id = try create(f, token: f.resellerA, query: "?customerId=\(f.tenants.customerA1)")
        #expect(try f.call("DELETE", "/v1/emergencyaddresses/\(id)", token: f.customerB1).status == 404)
        #expect(try f.call("DELETE", "/v1/emergencyaddresses/\(id)", token: f.customerA2).status == 404)
        let update = try f.call("PUT", "/v1/emergencyaddresses", token: f.resellerB, json: Self.address(extra: #","locationId":\#(id)"#))
        #expect(update.status == 404)
        #expect(try f.call("GET", "/v1/emergencyaddresses?customerId=\(f.tenants.customerA1)", token: f.resellerB).status == 404)
        #expect(try f.call("GET", "/v1/emergencyaddresses", token: f.customerA1).json().array?.count == 1)
    }

    @Test("guards: user login and modules")
    func guards() throws {
        let f = try FeatureFixture()
        #expect(try f.call("POST", "/v1/emergencyaddresses", token: f.userA1u, json: Self.address()).status == 403)
        #expect(try f.call("GET", "/v1/emergencyaddresses", token: f.userA1u).status == 200)
        let restricted = try f.restrictedCustomer(name: "Plain Co", modules: #"{"msteam":false,"ucaas":false}"#)
        #expect(try f.call("POST", "/v1/emergencyaddresses", token: restricted.token, json: Self.address()).status == 403)
        let ucaasOnly = try f.restrictedCustomer(name: "Seats Co", modules: #"{"msteam":false}"#)
        #expect(try f.call("POST", "/v1/emergencyaddresses", token: ucaasOnly.token, json: Self.address()).status == 200)
    }
}
