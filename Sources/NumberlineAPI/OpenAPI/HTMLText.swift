/// Text helpers for the docs page.
enum HTMLText {
    /// Escapes `&`, `<`, `>`, `"` and `'` so that any text is safe in element content and quoted attributes.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Escapes `text` and turns `backtick` spans into `<code>` elements, the only Markdown the document uses inline.
    static func inline(_ text: String) -> String {
        let parts = text.split(separator: "`", omittingEmptySubsequences: false)

        // An odd number of backticks leaves the last one unpaired, so it stays literal text.
        guard parts.count % 2 == 1 else {
            return escape(text)
        }

        var html = ""
        for (index, part) in parts.enumerated() {
            if index % 2 == 1 {
                html += "<code>" + escape(String(part)) + "</code>"
            } else {
                html += escape(String(part))
            }
        }
        return html
    }

    /// Renders a description: blank lines separate paragraphs, and each paragraph goes through `inline(_:)`.
    static func paragraphs(_ text: String) -> String {
        var blocks: [String] = []
        var current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) {
                blocks.append(current.joined(separator: "\n"))
                current = []
            } else {
                current.append(line)
            }
        }
        blocks.append(current.joined(separator: "\n"))
        return blocks.map(trimmed).filter { !$0.isEmpty }.map { "<p>" + inline($0) + "</p>" }.joined(separator: "\n")
    }

    /// Removes white space and line breaks from both ends of `text`.
    private static func trimmed(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(text[first...last])
    }

    /// Turns any text into a string usable as an `id` attribute and in `#fragment` links.
    static func anchor(_ text: String) -> String {
        let allowed = text.map { character -> Character in
            character.isASCII && (character.isLetter || character.isNumber) ? character : "-"
        }
        return String(allowed)
    }
}
