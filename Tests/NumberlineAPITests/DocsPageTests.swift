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

    @Test func keyOrderFollowsText() throws {
        let bytes = Array(#"{"b": 1, "a": {"z": [ {"y": 1, "x": 2} ], "w\/v": 3}}"#.utf8)
        let document = try DocsDocument.parse(bytes).get()
        let nested = try #require(document.child(document.root, "a"))
        let item = try #require(document.child(nested, "z").flatMap { document.elements($0).first })
        #expect(document.members(document.root).map(\.key) == ["b", "a"])
        #expect(document.members(nested).map(\.key) == ["z", "w/v"])
        #expect(document.members(item).map(\.key) == ["y", "x"])
        #expect(item.pointer == "/a/z/0")
        #expect(document.child(nested, "w/v")?.pointer == "/a/w~1v")
    }

    @Test func scalarsRenderAsJSON() {
        #expect(DocsDocument.scalarText("a\"b/c") == #""a\"b/c""#)
        #expect(DocsDocument.scalarText(12) == "12")
        #expect(DocsDocument.scalarText(true) == "true")
        #expect(DocsDocument.scalarText(DocsNull()) == "null")
        #expect(DocsDocument.scalarText([1, "x"] as [Any]) == #"[1,"x"]"#)
    }

    @Test func pointerTokensRoundTrip() {
        for token in ["plain", "a/b", "~", "~1", "x~0/y"] {
            let pointer = JSONKeyOrder.appending(token, to: "")
            #expect(JSONKeyOrder.unescape(String(pointer.dropFirst())) == token)
        }
    }
}
