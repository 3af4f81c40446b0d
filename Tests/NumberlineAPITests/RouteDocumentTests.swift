import Foundation
import NumberlineHTTP
import NumberlineStore
import Testing

@testable import NumberlineAPI

/// Keeps the router and the embedded OpenAPI document in step: every registered route is
/// documented, and every documented operation is registered.
@Suite struct RouteDocumentTests {
    /// The HTTP methods an OpenAPI path item can hold, as keys of that object.
    static let operationKeys: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// `METHOD /path` for every route the application registers.
    func registeredOperations() async throws -> Set<String> {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("numberline-routes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let store = try await SQLStore.open(path: directory.appendingPathComponent("routes.db").path)
        let router = Application(store: store, configuration: APIConfiguration()).makeRouter()
        let operations = Set(router.routes.map { "\($0.method) \($0.pattern)" })
        await store.close()
        return operations
    }

    /// `METHOD /path` for every operation of the embedded document.
    func documentedOperations() throws -> Set<String> {
        let document = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes)) as? [String: Any]
        let paths = try #require(document?["paths"] as? [String: Any], "the document has no paths object")
        var operations: Set<String> = []
        for (path, item) in paths {
            let pathItem = try #require(item as? [String: Any], "the path item of \(path) is not an object")
            for key in pathItem.keys where Self.operationKeys.contains(key) {
                operations.insert("\(key.uppercased()) \(path)")
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumented() async throws {
        let undocumented = try await registeredOperations().subtracting(documentedOperations())
        for operation in undocumented.sorted() {
            Issue.record("route \(operation) is registered but missing from openapi.json")
        }
    }

    @Test func everyDocumentedOperationIsRouted() async throws {
        let unrouted = try documentedOperations().subtracting(await registeredOperations())
        for operation in unrouted.sorted() {
            Issue.record("operation \(operation) is documented in openapi.json but has no route")
        }
    }

    @Test func bothListsAreNotEmpty() async throws {
        #expect(try await registeredOperations().count >= 10)
        #expect(try documentedOperations().count >= 10)
    }
}
