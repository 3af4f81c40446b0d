import Foundation
import Testing

@testable import NumberlineAPI

@Suite struct DocsPageTests {
    let page = renderDocsPage(openAPIDocument: OpenAPIDocument.bytes)

    @Test func embeddedDocumentIsOpenAPI31() throws {
        let object = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes)) as? [String: Any]
        #expect(object?["openapi"] as? String == "3.1.0")
    }

    @Test func pageListsEveryOperation() {
        let operations = [
            "op-authorize", "op-getHealth", "op-getOpenAPIDocument", "op-getDocsPage", "op-getCurrentAccount",
            "op-listCustomers", "op-listResellers", "op-createAccount", "op-getAccount", "op-updateAccount", "op-deleteAccount",
        ]
        for anchor in operations {
            #expect(page.contains("id=\"\(anchor)\""), "missing section \(anchor)")
        }
    }

    @Test func pageLoadsNothingExternal() {
        #expect(!page.contains("<script"))
        #expect(!page.contains("<link"))
        #expect(!page.contains("src="))
        #expect(!page.contains("href=\"http"))
        #expect(!page.contains("url("))
    }

    @Test func fieldsFollowDocumentOrder() throws {
        let reseller = try #require(page.range(of: "resellerAccount.resellerId"))
        let company = try #require(page.range(of: "resellerAccount.companyName"))
        let modules = try #require(page.range(of: "resellerAccount.modulesAccess"))
        #expect(reseller.lowerBound < company.lowerBound)
        #expect(company.lowerBound < modules.lowerBound)
    }

    @Test func textIsEscaped() {
        let document = Array(#"{"openapi": "3.1.0", "info": {"title": "<b>&\"'", "version": "1"}, "paths": {}}"#.utf8)
        let html = renderDocsPage(openAPIDocument: document)
        #expect(html.contains("&lt;b&gt;&amp;&quot;&#39;"))
        #expect(!html.contains("<b>&"))
    }

    @Test func invalidDocumentGetsErrorPage() {
        let html = renderDocsPage(openAPIDocument: Array("not json".utf8))
        #expect(html.contains("API reference unavailable"))
    }

    @Test func keyOrderFollowsText() {
        let bytes = Array(#"{"b": 1, "a": {"z": [ {"y": 1, "x": 2} ], "w\/v": 3}}"#.utf8)
        let order = JSONKeyOrder(scanning: bytes)
        let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        let nested = object?["a"] as? [String: Any]
        let item = (nested?["z"] as? [Any])?.first as? [String: Any]
        #expect(order.orderedKeys(of: object ?? [:], at: "") == ["b", "a"])
        #expect(order.orderedKeys(of: nested ?? [:], at: "/a") == ["z", "w/v"])
        #expect(order.orderedKeys(of: item ?? [:], at: "/a/z/0") == ["y", "x"])
    }
}
