import Foundation
import NumberlineCore
import Testing

@testable import NumberlineStore

@Suite struct SQLiteStoreNumberTests {
    /// An instance with a carrier, reseller R, customer C under R and a second reseller S.
    private struct Fixture {
        var instance: Instance
        var carrier: Carrier
        var reseller: Account
        var customer: Account
        var otherReseller: Account
    }

    private func makeFixture(_ store: SQLStore) async throws -> Fixture {
        let instance = try await store.createInstance(name: "numbers")
        let carrier = try await store.createCarrier(instanceID: instance.id, name: "Carrier One")
        let reseller = try await store.makeReseller(instanceID: instance.id, username: "r")
        let customer = try await store.makeChild(of: reseller, username: "c")
        let otherReseller = try await store.makeReseller(instanceID: instance.id, username: "s")
        return Fixture(instance: instance, carrier: carrier, reseller: reseller, customer: customer, otherReseller: otherReseller)
    }

    private func placement(_ fixture: Fixture, accountID: Int64, status: NumberStatus = .available) -> NumberPlacement {
        NumberPlacement(
            instanceID: fixture.instance.id, carrierID: fixture.carrier.id, accountID: accountID, status: status, activatedAt: nil, time: 1)
    }

    private func newNumbers(_ digits: [String]) -> [NewNumber] {
        digits.map { NewNumber(telephoneNumber: $0, country: "US", attributes: NumberAttributes(type: "local")) }
    }

    @Test func carrierNamesAreUniquePerInstance() async throws {
        try await withTemporaryStore { store in
            let fixture = try await makeFixture(store)
            await #expect(throws: StoreError.duplicate(field: "name", value: "Carrier One")) {
                _ = try await store.createCarrier(instanceID: fixture.instance.id, name: "Carrier One")
            }
            #expect(try await store.carriers(instanceID: fixture.instance.id) == [fixture.carrier])
            #expect(try await store.carrier(id: fixture.carrier.id, instanceID: fixture.instance.id + 1) == nil)
        }
    }

    @Test func validationModeDefaultsToPossible() async throws {
        try await withTemporaryStore { store in
            let fixture = try await makeFixture(store)
            #expect(try await store.numberValidation(instanceID: fixture.instance.id) == .possible)
            try await store.setNumberValidation(.strict, instanceID: fixture.instance.id)
            #expect(try await store.numberValidation(instanceID: fixture.instance.id) == .strict)
        }
    }

    @Test func insertIsAllOrNothing() async throws {
        try await withTemporaryStore { store in
            let fixture = try await makeFixture(store)
            let first = try await store.insertNumbers(
                newNumbers(["15550000001", "15550000002"]), placement: placement(fixture, accountID: fixture.reseller.id))
            #expect(first == .changed(2))

            // One number already sits in another reseller's inventory: nothing is inserted.
            let second = try await store.insertNumbers(
                newNumbers(["15550000003", "15550000002"]), placement: placement(fixture, accountID: fixture.otherReseller.id))
            #expect(second == .rejected(rejections: [NumberRejection(telephoneNumber: "15550000002", reason: .alreadyPresent)], total: 1))
            #expect(try await store.number("15550000003", instanceID: fixture.instance.id) == nil)
            #expect(try await store.numbersHeld(instanceID: fixture.instance.id, pathPrefix: fixture.otherReseller.path) == 0)
        }
    }

    @Test func listingPagesByTelephoneNumber() async throws {
        try await withTemporaryStore { store in
            let fixture = try await makeFixture(store)
            let digits = (0..<25).map { String(15_550_000_100 + $0) }
            _ = try await store.insertNumbers(newNumbers(digits.reversed()), placement: placement(fixture, accountID: fixture.reseller.id))
            _ = try await store.insertNumbers(
                newNumbers(["15559990000"]), placement: placement(fixture, accountID: fixture.otherReseller.id))

            var seen: [String] = []
            var after: String?
            while true {
                let page = try await store.numbers(
                    NumberQuery(
                        instanceID: fixture.instance.id, scopePath: fixture.reseller.path, scopeResellerID: fixture.reseller.id,
                        after: after, limit: 10))
                seen += page.map(\.telephoneNumber)
                guard page.count == 10 else { break }
                after = page.last?.telephoneNumber
            }
            #expect(seen == digits)
        }
    }

    @Test func assignAndReleaseMoveNumbers() async throws {
        try await withTemporaryStore { store in
            let fixture = try await makeFixture(store)
            let instanceID = fixture.instance.id
            _ = try await store.insertNumbers(newNumbers(["15550000001"]), placement: placement(fixture, accountID: fixture.reseller.id))

            let assigned = try await store.assignNumbers(
                ["15550000001"], instanceID: instanceID, scopePath: fixture.reseller.path, customerID: fixture.customer.id, time: 42)
            #expect(assigned == .changed(1))
            let held = try #require(try await store.number("15550000001", instanceID: instanceID))
            #expect(held.accountID == fixture.customer.id)
            #expect(held.status == .assigned)
            #expect(held.activatedAt == 42)

            let foreign = try await store.releaseNumbers(
                ["15550000001"], instanceID: instanceID, scopePath: fixture.otherReseller.path, time: 43)
            #expect(foreign == .rejected(rejections: [NumberRejection(telephoneNumber: "15550000001", reason: .notFound)], total: 1))

            let released = try await store.releaseNumbers(
                ["15550000001"], instanceID: instanceID, scopePath: fixture.reseller.path, time: 44)
            #expect(released == .changed(1))
            let back = try #require(try await store.number("15550000001", instanceID: instanceID))
            #expect(back.accountID == fixture.reseller.id)
            #expect(back.status == .available)
            #expect(back.activatedAt == nil)
        }
    }

    @Test func deleteSkipsNothingWhenOneIsMissing() async throws {
        try await withTemporaryStore { store in
            let fixture = try await makeFixture(store)
            let instanceID = fixture.instance.id
            _ = try await store.insertNumbers(newNumbers(["15550000001"]), placement: placement(fixture, accountID: fixture.reseller.id))

            let outcome = try await store.deleteNumbers(
                ["15550000001", "15550000009"], instanceID: instanceID, carrierID: fixture.carrier.id, scopePath: "/")
            #expect(outcome == .rejected(rejections: [NumberRejection(telephoneNumber: "15550000009", reason: .notFound)], total: 1))
            #expect(try await store.number("15550000001", instanceID: instanceID) != nil)

            let deleted = try await store.deleteNumbers(
                ["15550000001"], instanceID: instanceID, carrierID: fixture.carrier.id, scopePath: "/")
            #expect(deleted == .changed(1))
            #expect(try await store.number("15550000001", instanceID: instanceID) == nil)
        }
    }

    @Test func bulkInsertTiming() async throws {
        try await withTemporaryStore { store in
            let fixture = try await makeFixture(store)
            let count = Int(ProcessInfo.processInfo.environment["NUMBERLINE_STORE_BULK"] ?? "20000") ?? 20000
            let numbers = newNumbers((0..<count).map { String(12_000_000_000 + $0) })
            let start = Date()
            let outcome = try await store.insertNumbers(numbers, placement: placement(fixture, accountID: fixture.reseller.id))
            #expect(outcome == .changed(count))
            print("inserted \(count) numbers in \(Date().timeIntervalSince(start)) s")
        }
    }
}
