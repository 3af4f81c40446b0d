import Foundation
import NumberlineCore
import Testing

@testable import NumberlineStore

@Suite struct SQLiteStoreAuditTests {
    private func numbers(from first: Int64, count: Int) -> [NewNumber] {
        (0..<Int64(count)).map { NewNumber(telephoneNumber: String(first + $0), country: "US", attributes: NumberAttributes()) }
    }

    private let context = AuditContext(
        loginID: 7, username: "reseller-r", accountID: 1, scopePath: "/1/", requestID: "0123456789abcdef", method: "PUT",
        route: "/v1/callforwarding")

    @Test func writeCarriesTaskContext() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "audit")
            let reseller = try await store.makeReseller(instanceID: instance.id, username: "r")
            let customer = try await store.makeChild(of: reseller, username: "c")
            let carrier = try await store.createCarrier(instanceID: instance.id, name: "Carrier One")
            _ = try await store.insertNumbers(
                numbers(from: 19_195_550_100, count: 2),
                placement: NumberPlacement(
                    instanceID: instance.id, carrierID: carrier.id, accountID: customer.id, status: .assigned, activatedAt: 1, time: 1))

            let scope = FeatureScope(instanceID: instance.id, scopePath: reseller.path, time: 5)
            let feature = NumberFeature.callForwarding(CallForwarding(forwardTo: "19195550199", countryCode: "US"))
            try await AuditContext.$current.withValue(context) {
                _ = try await store.setFeature(feature, on: ["19195550100", "19195550101"], mode: .add, scope: scope)
            }

            let records = try await store.auditRecords(AuditQuery(instanceID: instance.id, scopePath: "/", limit: 100))
            let record = try #require(records.first)
            #expect(record.requestID == "0123456789abcdef")
            #expect(record.loginID == 7)
            #expect(record.username == "reseller-r")
            #expect(record.route == "/v1/callforwarding")
            // Both numbers are the customer's, so the record is filed under the customer.
            #expect(record.path == customer.path)
            #expect(record.changes.contains(#""forward_to":"19195550199""#))
            // Writes outside a request carry no actor.
            #expect(records.dropFirst().allSatisfy { $0.loginID == nil })
            #expect(records.dropFirst().allSatisfy { $0.route == nil })
        }
    }

    @Test func rejectedWriteLeavesNoRecord() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "audit")
            let reseller = try await store.makeReseller(instanceID: instance.id, username: "r")
            let query = AuditQuery(instanceID: instance.id, scopePath: "/", limit: 100)
            let before = try await store.auditRecords(query).count

            let scope = FeatureScope(instanceID: instance.id, scopePath: reseller.path, time: 5)
            let feature = NumberFeature.callForwarding(CallForwarding(forwardTo: "19195550199", countryCode: "US"))
            let outcome = try await store.setFeature(feature, on: ["19195550100"], mode: .add, scope: scope)
            #expect(outcome != .changed(1))
            await #expect(throws: StoreError.notFound) {
                try await store.deleteAccount(id: reseller.id + 100, instanceID: instance.id)
            }
            #expect(try await store.auditRecords(query).count == before)
        }
    }

    @Test func largeBulkCallStoresSummary() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "audit")
            let reseller = try await store.makeReseller(instanceID: instance.id, username: "r")
            let customer = try await store.makeChild(of: reseller, username: "c")
            let carrier = try await store.createCarrier(instanceID: instance.id, name: "Carrier One")
            let count = AuditTrail.maxListedNumbers + 1
            _ = try await store.insertNumbers(
                numbers(from: 19_195_550_000, count: count),
                placement: NumberPlacement(
                    instanceID: instance.id, carrierID: carrier.id, accountID: reseller.id, status: .available, activatedAt: nil,
                    time: 1))
            let digits = (0..<Int64(count)).map { String(19_195_550_000 + $0) }
            _ = try await store.assignNumbers(
                digits.reversed(), instanceID: instance.id, scopePath: reseller.path, customerID: customer.id, time: 2)

            let records = try await store.auditRecords(AuditQuery(instanceID: instance.id, scopePath: "/", limit: 2))
            let assign = try #require(records.first)
            let upload = try #require(records.last)
            #expect(assign.changes == "[]")
            #expect(assign.summary?.contains(#""count":\#(count)"#) == true)
            #expect(assign.summary?.contains(#""accountId":\#(customer.id)"#) == true)
            #expect(assign.summary?.contains(#""firstTelephoneNumber":"19195550000""#) == true)
            #expect(assign.summary?.contains(#""lastTelephoneNumber":"\#(digits.last!)""#) == true)
            #expect(assign.path == customer.path)
            #expect(upload.changes == "[]")
            #expect(upload.summary?.contains(#""carrierId":\#(carrier.id)"#) == true)
            #expect(upload.path == reseller.path)

            // The summary records are found by account, not by a number inside the range.
            let byAccount = try await store.auditRecords(
                AuditQuery(instanceID: instance.id, scopePath: "/", accountID: customer.id, limit: 10))
            #expect(byAccount.count == 2)
            #expect(byAccount.first?.id == assign.id)
            let byNumber = try await store.auditRecords(
                AuditQuery(instanceID: instance.id, scopePath: "/", telephoneNumber: "19195550500", limit: 10))
            #expect(byNumber.isEmpty)
        }
    }

    @Test func commonAncestorCutsAtSegments() {
        #expect(AuditTrail.commonAncestor(of: ["/1/5/", "/1/7/"]) == "/1/")
        #expect(AuditTrail.commonAncestor(of: ["/1/5/", "/1/5/9/"]) == "/1/5/")
        #expect(AuditTrail.commonAncestor(of: ["/12/", "/1/"]) == "/")
        #expect(AuditTrail.commonAncestor(of: ["/3/"]) == "/3/")
    }
}
