import Testing

@testable import NumberlineNumbers

/// Parses and returns the number, recording an issue with the problem's message on failure.
func parsed(_ input: String, _ region: String?, _ mode: ValidationMode = .strict, sourceLocation: SourceLocation = #_sourceLocation)
    -> TelephoneNumber?
{
    switch TelephoneNumbers.parse(input, defaultRegion: region, mode: mode) {
    case .success(let number):
        return number
    case .failure(let problem):
        Issue.record("\(input) with region \(region ?? "none") failed: \(problem.message)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Returns the problem, or nil when the input parsed.
func problem(_ input: String, _ region: String?, _ mode: ValidationMode = .strict) -> NumberProblem? {
    if case .failure(let problem) = TelephoneNumbers.parse(input, defaultRegion: region, mode: mode) {
        return problem
    }
    return nil
}

@Suite("TelephoneNumbers.parse input forms")
struct ParseInputFormTests {
    @Test("Digits that do not read back are rejected")
    func roundTripRequired() {
        // libphonenumber strips ZA's national prefix twice from these: the E.164 digits
        // 270000000000 read back as 27000000000, so storing them would lose the number.
        #expect(problem("00000000000", "ZA", .possible) == .notValid(input: "00000000000", region: "ZA"))
        #expect(parsed("+27 21 555 0100", nil, .possible)?.digits == "27215550100")
    }

    @Test(
        "Accepted forms of one US number",
        arguments: [
            ("+1 (919) 555-0100", nil),
            ("1.919.555.0100", "US"),
            ("9195550100", "US"),
            ("19195550100", nil),
            ("+19195550100", nil),
            ("+1 919 555 0100", "GB"),
            ("(919) 555-0100", "US"),
            ("919-555-0100", "us"),
            ("  +1 919 555 0100  ", nil),
            ("011 1 919 555 0100", "US"),
            ("001 919 555 0100", "DE"),
        ] as [(String, String?)])
    func acceptedForms(input: String, region: String?) {
        let number = parsed(input, region)
        #expect(number?.digits == "19195550100")
        #expect(number?.region == "US")
        #expect(number?.e164 == "+19195550100")
    }

    @Test("Digits without region read as E.164")
    func digitsWithoutRegion() {
        #expect(parsed("4930123456", nil)?.digits == "4930123456")
        #expect(parsed("4930123456", nil)?.region == "DE")
        #expect(parsed("442079460958", nil)?.region == "GB")
    }

    @Test("Digits with region prefer national reading")
    func digitsPreferNational() {
        // 4930123456 is a possible US national number and also German E.164.
        let national = parsed("4930123456", "US", .possible)
        #expect(national?.digits == "14930123456")
        #expect(national?.region == "US")
    }

    @Test("Digits with region fall back to E.164")
    func digitsFallBackToE164() {
        // 12 digits are too long for a US national number, so the E.164 reading wins.
        let number = parsed("442079460958", "US")
        #expect(number?.digits == "442079460958")
        #expect(number?.region == "GB")
    }

    @Test("Fallback keeps the national problem when both fail")
    func fallbackKeepsNationalProblem() {
        #expect(problem("5550100", "US", .possible) == .localOnly(input: "5550100", region: "US"))
    }

    @Test("Leading region country code is stripped")
    func regionCountryCodeStripped() {
        #expect(parsed("33612345678", "FR")?.digits == "33612345678")
        #expect(parsed("0612345678", "FR")?.digits == "33612345678")
        #expect(parsed("612345678", "FR")?.digits == "33612345678")
    }

    @Test("Formatted input without + or region is rejected")
    func formattedWithoutCountry() {
        #expect(problem("(919) 555-0100", nil) == .missingCountryCode(input: "(919) 555-0100"))
        #expect(problem("1.919.555.0100", nil) == .missingCountryCode(input: "1.919.555.0100"))
    }
}

@Suite("TelephoneNumbers.parse regions")
struct ParseRegionTests {
    @Test(
        "Valid numbers of many regions",
        arguments: [
            ("+44 20 7946 0958", "442079460958", "GB"),
            ("+49 30 123456", "4930123456", "DE"),
            ("+33 1 23 45 67 89", "33123456789", "FR"),
            ("+39 02 1234 5678", "390212345678", "IT"),
            ("+34 912 345 678", "34912345678", "ES"),
            ("+81 3-1234-5678", "81312345678", "JP"),
            ("+61 2 1234 5678", "61212345678", "AU"),
            ("+91 98765 43210", "919876543210", "IN"),
            ("+55 11 91234-5678", "5511912345678", "BR"),
            ("+86 10 1234 5678", "861012345678", "CN"),
            ("+52 55 1234 5678", "525512345678", "MX"),
            ("+7 495 123 4567", "74951234567", "RU"),
            ("+27 11 123 4567", "27111234567", "ZA"),
            ("+82 2 312 3456", "8223123456", "KR"),
            ("+65 6123 4567", "6561234567", "SG"),
            ("+64 3 234 5678", "6432345678", "NZ"),
            ("+353 1 234 5678", "35312345678", "IE"),
            ("+41 44 668 18 00", "41446681800", "CH"),
            ("+31 20 123 4567", "31201234567", "NL"),
            ("+1 204 234 5678", "12042345678", "CA"),
            ("+800 1234 5678", "80012345678", "001"),
        ])
    func validNumbers(input: String, digits: String, region: String) {
        let number = parsed(input, nil)
        #expect(number?.digits == digits)
        #expect(number?.region == region)
    }

    @Test(
        "National forms with their region",
        arguments: [
            ("020 7946 0958", "GB", "442079460958"),
            ("030 123456", "DE", "4930123456"),
            ("01 23 45 67 89", "FR", "33123456789"),
            ("02 1234 5678", "IT", "390212345678"),
            ("03-1234-5678", "JP", "81312345678"),
            ("(02) 1234 5678", "AU", "61212345678"),
            ("0044 20 7946 0958", "DE", "442079460958"),
        ])
    func nationalForms(input: String, region: String, digits: String) {
        #expect(parsed(input, region)?.digits == digits)
    }

    @Test("Region follows the number, not the default")
    func regionFollowsNumber() {
        // A Canadian area code with default region US is still a Canadian number.
        #expect(parsed("2042345678", "US")?.region == "CA")
    }

    @Test("Supported regions")
    func supportedRegions() {
        #expect(TelephoneNumbers.isSupportedRegion("US"))
        #expect(TelephoneNumbers.isSupportedRegion("GB"))
        #expect(!TelephoneNumbers.isSupportedRegion("XX"))
        #expect(!TelephoneNumbers.isSupportedRegion("001"))
        #expect(!TelephoneNumbers.isSupportedRegion(""))
    }
}

@Suite("TelephoneNumbers.parse validation modes")
struct ParseModeTests {
    @Test(
        "Possible but not valid",
        arguments: [
            ("+1 200 555 0100", "12005550100", "US"),
            ("+1 999 555 0100", "19995550100", "US"),
            ("+44 10 1234 5678", "441012345678", "GB"),
        ])
    func possibleButNotValid(input: String, digits: String, region: String) {
        let possible = parsed(input, nil, .possible)
        #expect(possible?.digits == digits)
        #expect(problem(input, nil, .strict) == .notValid(input: input, region: region))
    }

    @Test("Valid passes both modes")
    func validPassesBothModes() {
        #expect(parsed("+1 919 555 0100", nil, .possible)?.digits == "19195550100")
        #expect(parsed("+1 919 555 0100", nil, .strict)?.digits == "19195550100")
    }

    @Test("Mode raw values")
    func modeRawValues() {
        #expect(ValidationMode(rawValue: "possible") == .possible)
        #expect(ValidationMode(rawValue: "strict") == .strict)
        #expect(ValidationMode(rawValue: "loose") == nil)
    }
}

@Suite("TelephoneNumber values")
struct TelephoneNumberValueTests {
    @Test("Ordering by digits then region")
    func ordering() throws {
        let us = try #require(parsed("+1 919 555 0100", nil))
        let gb = try #require(parsed("+44 20 7946 0958", nil))
        let ca = try #require(parsed("+1 204 234 5678", nil))
        #expect([gb, us, ca].sorted() == [ca, us, gb])
        #expect(TelephoneNumber(digits: "1", region: "CA") < TelephoneNumber(digits: "1", region: "US"))
    }

    @Test("Equal inputs give equal numbers")
    func equality() {
        let first = parsed("+1 (919) 555-0100", nil)
        let second = parsed("9195550100", "US")
        #expect(first == second)
        #expect(Set([first, second]).count == 1)
    }
}

@Suite("TelephoneNumbers.parse concurrency")
struct ParseConcurrencyTests {
    @Test("Parallel parses agree")
    func parallelParses() async {
        let inputs: [(String, String?, String)] = [
            ("+1 919 555 0100", nil, "19195550100"),
            ("020 7946 0958", "GB", "442079460958"),
            ("030 123456", "DE", "4930123456"),
            ("+81 3-1234-5678", nil, "81312345678"),
        ]
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<64 {
                group.addTask {
                    var count = 0
                    for round in 0..<200 {
                        let (input, region, digits) = inputs[(task + round) % inputs.count]
                        let result = TelephoneNumbers.parse(input, defaultRegion: region, mode: .strict)
                        if case .success(let number) = result, number.digits == digits {
                            continue
                        }
                        count += 1
                    }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }
}
