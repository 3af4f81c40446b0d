import Testing

@testable import NumberlineNumbers

/// The shim finds regions and checks validity without libphonenumber's regular expressions.
/// These tests compare its results with the library's own.
@Suite("Region and validity without regular expressions")
struct FastRegionTests {
    @Test("agrees with libphonenumber on generated numbers", arguments: [UInt32(1), 2, 3])
    func agreesWithLibrary(seed: UInt32) {
        let check = TelephoneNumbers.selfCheck(count: 40_000, seed: seed)
        #expect(check.disagreements == 0, "\(check.firstDisagreement)")
        // Most generated numbers parse and fall in calling codes the shim covers. A low
        // count means the shim fell back to the library for most of them.
        #expect(check.compared > 36_000, "only \(check.compared) of 40,000 numbers were compared")
    }

    @Test(
        "regions sharing one calling code",
        arguments: [
            ("+12015550123", "US"), ("+14165550123", "CA"), ("+12642920000", "AI"), ("+18092345678", "DO"),
            ("+447400123456", "GB"), ("+441481256789", "GG"), ("+79123456789", "RU"), ("+77012345678", "KZ"),
        ])
    func sharedCallingCodes(input: String, region: String) {
        let number = parsed(input, nil, .strict)
        #expect(number?.region == region)
    }
}
