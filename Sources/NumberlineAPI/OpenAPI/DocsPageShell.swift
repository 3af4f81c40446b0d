extension DocsDocument {
    /// Wraps a page body in the HTML document, with the page's only style sheet inline.
    static func pageShell(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLText.escape(title))</title>
        <style>
        \(styleSheet)
        </style>
        </head>
        <body>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    /// System fonts only, so that the page loads nothing beyond itself.
    private static let styleSheet = """
        :root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --soft: #f4f6fa; --accent: #1f5fbf; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #fff; color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 1180px; margin: 0 auto; padding: 32px 28px 80px; }
        h1 { font-size: 30px; margin: 0 0 4px; }
        h2 { font-size: 22px; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
        h3 { font-size: 18px; margin: 0 0 6px; display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
        h4 { font-size: 14px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 18px 0 6px; }
        code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; }
        p code, li code, td code { background: var(--soft); padding: 1px 4px; border-radius: 3px; }
        pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; margin: 6px 0; }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        .meta { color: var(--muted); margin: 0 0 12px; }
        .lead { font-size: 17px; }
        nav ul { list-style: none; padding-left: 0; margin: 0; }
        nav > ul > li { margin: 6px 0; font-weight: 600; }
        nav ul ul { padding-left: 18px; font-weight: 400; }
        nav ul ul li { margin: 2px 0; }
        .operation { border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin: 18px 0; }
        .summary { font-weight: 600; margin: 0 0 6px; }
        .path { font-size: 16px; background: none; }
        .method { display: inline-block; min-width: 64px; text-align: center; font: 700 12px/1 ui-monospace, Menlo, Consolas, monospace; color: #fff; padding: 6px 8px; border-radius: 4px; }
        .method.small { min-width: 54px; padding: 3px 6px; font-size: 11px; }
        .get { background: #2f7d4f; } .post { background: #1f5fbf; } .put { background: #a0661b; }
        .delete { background: #b23a3a; } .patch { background: #6b4fbb; } .head, .options, .trace { background: #5b6475; }
        table.fields { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13.5px; }
        table.fields th, table.fields td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
        table.fields th { background: var(--soft); font-weight: 600; }
        table.fields td:first-child { white-space: nowrap; }
        table.fields td:last-child { width: 38%; }
        table.fields td.rules-cell { min-width: 200px; }
        td.depth-1 { padding-left: 22px; } td.depth-2 { padding-left: 38px; } td.depth-3 { padding-left: 54px; } td.depth-4 { padding-left: 70px; }
        .required { display: inline-block; background: #fde8e8; color: #9b1c1c; border-radius: 3px; padding: 0 5px; font-size: 12px; font-weight: 600; }
        .rules { color: var(--muted); font-size: 13px; }
        .schema-line { margin: 6px 0; }
        .variant .type { font-size: 14px; }
        .type { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; font-weight: 600; }
        .variant { border-left: 3px solid var(--line); padding-left: 12px; margin: 8px 0 12px; }
        .response { border-top: 1px solid var(--line); padding: 6px 0; }
        .status-line { margin: 4px 0; }
        .status { display: inline-block; min-width: 44px; text-align: center; font: 700 13px/1.6 ui-monospace, Menlo, Consolas, monospace; border-radius: 4px; padding: 0 6px; margin-right: 6px; }
        .s2 { background: #dcf3e4; color: #1d5c36; } .s3 { background: #e4ecfa; color: #1f4f9b; }
        .s4 { background: #fdf0d9; color: #7a4a06; } .s5 { background: #fde8e8; color: #9b1c1c; }
        ul.headers { margin: 2px 0 6px; padding-left: 20px; color: var(--muted); font-size: 13.5px; }
        details { margin: 4px 0 6px; }
        details > summary { cursor: pointer; color: var(--muted); font-size: 13.5px; }
        details.example > summary { color: var(--accent); }
        """
}
