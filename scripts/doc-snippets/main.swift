// Extracts the ```swift blocks of the given Markdown files into a scratch Swift package, so that
// `swift build` checks that every one of them compiles. scripts/check-doc-snippets.sh builds and
// runs this file; see there for the whole flow.
//
// Usage: doc-snippets REPOSITORY_ROOT SCRATCH_DIRECTORY MARKDOWN_FILE...
//
// Each Markdown file becomes one module of the scratch package (`DocSnippets_<file>`), each block
// one source file in it, so a block can use types that an earlier block of the same page declares.
// In a block:
// - `import` lines and declarations (struct, enum, class, actor, protocol, extension, func,
//   typealias) stay at file scope;
// - everything else (statements, `let`/`var`, expressions) goes, in order, into the body of an
//   `async throws` function of its own, so fragments such as `let x = try await f()` compile;
// - a block without `import` lines gets Foundation and every library of the package;
//   a block with some gets exactly those;
// - a block that is a package manifest (`import PackageDescription`) is written to manifests/ to
//   be type-checked against the toolchain's PackageDescription instead;
// - `<!-- snippet: skip, REASON -->` on the last non-blank line before a block leaves it out,
//   and the skip is reported with its reason.
// `#sourceLocation` lines point diagnostics at the Markdown file and line.
//
// Files are rewritten only when their content changes, so an unchanged page is not recompiled.
// Prints one line per skipped block ("skip FILE:LINE REASON") and per manifest
// ("manifest FILE:LINE PATH"), and a summary line ("blocks N").

import Foundation

struct Block {
    let file: String  // relative to the repository root
    let line: Int  // the line of the first line of code
    let lines: [String]
}

enum Extracted {
    case code(Block)
    case skipped(file: String, line: Int, reason: String)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("doc-snippets: \(message)\n".utf8))
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else { fail("usage: doc-snippets REPOSITORY_ROOT SCRATCH_DIRECTORY MARKDOWN_FILE...") }
let root = URL(fileURLWithPath: arguments[1]).standardizedFileURL
let scratch = URL(fileURLWithPath: arguments[2]).standardizedFileURL
let markdownFiles = Array(arguments.dropFirst(3))

// MARK: Markdown

/// The ```swift blocks of one Markdown file, in order.
func extract(file: String) -> [Extracted] {
    guard let text = try? String(contentsOf: root.appendingPathComponent(file), encoding: .utf8) else {
        fail("cannot read \(file)")
    }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var result: [Extracted] = []
    var index = 0
    var lastNonBlank = ""
    while index < lines.count {
        let line = lines[index]
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard let fence = ["```", "~~~"].first(where: { trimmed.hasPrefix($0) }) else {
            if !trimmed.isEmpty { lastNonBlank = trimmed }
            index += 1
            continue
        }
        let marker = String(trimmed.prefix(while: { String($0) == String(fence.first!) }))
        let info = trimmed.dropFirst(marker.count).trimmingCharacters(in: .whitespaces)
        let language = info.split(separator: " ").first.map(String.init)?.lowercased() ?? ""
        var body: [String] = []
        var end = index + 1
        while end < lines.count {
            let candidate = lines[end].trimmingCharacters(in: .whitespaces)
            if candidate.hasPrefix(marker), candidate.allSatisfy({ String($0) == String(fence.first!) }) { break }
            body.append(lines[end])
            end += 1
        }
        if language == "swift" {
            if let reason = skipReason(lastNonBlank) {
                result.append(.skipped(file: file, line: index + 2, reason: reason))
            } else {
                result.append(.code(Block(file: file, line: index + 2, lines: body)))
            }
        }
        lastNonBlank = ""
        index = end + 1
    }
    return result
}

/// `<!-- snippet: skip, REASON -->` → REASON (or "no reason given").
func skipReason(_ line: String) -> String? {
    guard line.hasPrefix("<!--"), line.hasSuffix("-->") else { return nil }
    let inner = line.dropFirst(4).dropLast(3).trimmingCharacters(in: .whitespaces)
    guard inner.hasPrefix("snippet:") else { return nil }
    let directive = inner.dropFirst("snippet:".count).trimmingCharacters(in: .whitespaces)
    guard directive.hasPrefix("skip") else { return nil }
    let reason = directive.dropFirst(4).trimmingCharacters(in: CharacterSet(charactersIn: ",:; "))
    return reason.isEmpty ? "no reason given" : reason
}

// MARK: Swift items

/// Tracks bracket depth across lines, ignoring brackets in comments and string literals.
struct DepthScanner {
    var depth = 0
    var inBlockComment = false
    var inMultilineString = false

    mutating func scan(_ line: String) {
        let characters = Array(line)
        var i = 0
        var inString = false
        while i < characters.count {
            let c = characters[i]
            let next: Character? = i + 1 < characters.count ? characters[i + 1] : nil
            if inBlockComment {
                if c == "*", next == "/" { inBlockComment = false; i += 2; continue }
                i += 1
                continue
            }
            if inMultilineString {
                if line.dropFirst(i).hasPrefix("\"\"\"") { inMultilineString = false; i += 3; continue }
                i += 1
                continue
            }
            if inString {
                if c == "\\" { i += 2; continue }
                if c == "\"" { inString = false }
                i += 1
                continue
            }
            if c == "/", next == "/" { return }
            if c == "/", next == "*" { inBlockComment = true; i += 2; continue }
            if line.dropFirst(i).hasPrefix("\"\"\"") { inMultilineString = true; i += 3; continue }
            if c == "\"" { inString = true; i += 1; continue }
            if "([{".contains(c) { depth += 1 }
            if ")]}".contains(c) { depth -= 1 }
            i += 1
        }
    }
}

enum ItemKind { case importLine, declaration, statement }

struct Item {
    var kind: ItemKind
    var line: Int  // in the Markdown file
    var lines: [String]
}

let declarationKeywords: Set<String> = ["struct", "enum", "class", "actor", "protocol", "extension", "func", "typealias"]
let modifiers: Set<String> = [
    "public", "private", "fileprivate", "internal", "package", "open", "final", "indirect", "nonisolated", "static",
]

/// What a top-level line starts: an import, a declaration, or a statement.
func kind(of line: String) -> ItemKind {
    var words = line.trimmingCharacters(in: .whitespaces)
        .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "(" || $0 == "<" || $0 == ":" || $0 == "{" })
        .map(String.init)[...]
    while let first = words.first, first.hasPrefix("@") || modifiers.contains(first) || first.hasSuffix(")") {
        words = words.dropFirst()
    }
    guard let keyword = words.first else { return .statement }
    if keyword == "import" { return .importLine }
    return declarationKeywords.contains(keyword) ? .declaration : .statement
}

/// Lines that continue the item above even at depth 0.
func continues(_ trimmed: String) -> Bool {
    for prefix in [".", "&&", "||", "+", "-", "*", "?", ":", "else", "catch", "where", "->", "="]
    where trimmed.hasPrefix(prefix) && !trimmed.hasPrefix("//") {
        return true
    }
    return false
}

/// Splits a block into top-level items; comments and attributes go with the item below them.
func items(of block: Block) -> [Item] {
    var result: [Item] = []
    var scanner = DepthScanner()
    var pending: [String] = []  // comment, attribute and blank lines waiting for their item
    var pendingStart = block.line
    for (offset, line) in block.lines.enumerated() {
        let number = block.line + offset
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        let atTop = scanner.depth == 0 && !scanner.inBlockComment && !scanner.inMultilineString
        scanner.scan(line)
        if !atTop || (continues(trimmed) && !result.isEmpty && pending.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty })) {
            if result.isEmpty {
                result.append(Item(kind: .statement, line: pendingStart, lines: pending))
                pending = []
            }
            result[result.count - 1].lines += pending + [line]
            pending = []
            continue
        }
        let isAttributeOnly = trimmed.hasPrefix("@") && !trimmed.contains(" ") && scanner.depth == 0
        if trimmed.isEmpty || trimmed.hasPrefix("//") || isAttributeOnly || scanner.inBlockComment {
            if pending.isEmpty { pendingStart = number }
            pending.append(line)
            continue
        }
        if pending.isEmpty { pendingStart = number }
        result.append(Item(kind: kind(of: trimmed), line: pendingStart, lines: pending + [line]))
        pending = []
    }
    if !pending.isEmpty {
        if result.isEmpty {
            result.append(Item(kind: .declaration, line: pendingStart, lines: pending))
        } else {
            result[result.count - 1].lines += pending
        }
    }
    return result
}

// MARK: The scratch package

func identifier(_ file: String) -> String {
    let stem = file.hasSuffix(".md") ? String(file.dropLast(3)) : file
    return String(stem.map { $0.isLetter || $0.isNumber ? $0 : "_" })
}

func quoted(_ string: String) -> String {
    "\"" + string.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

/// Writes `content` to `url` unless it already holds exactly that.
func write(_ content: String, to url: URL) {
    if let existing = try? String(contentsOf: url, encoding: .utf8), existing == content { return }
    do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: url, atomically: true, encoding: .utf8)
    } catch {
        fail("cannot write \(url.path): \(error)")
    }
}

/// The libraries of the package under test, from its manifest (AgentBusTesting only once it exists).
func libraries() -> [String] {
    let manifest = (try? String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)) ?? ""
    return ["Kafka", "JSONSchema", "AgentBus", "AgentBusReplay", "AgentBusTesting", "LoanEvents"].filter {
        manifest.contains(".library(name: \"\($0)\"")
    }
}

let packageIdentity = root.lastPathComponent.lowercased()
let products = libraries()
/// Other packages' products a snippet may import (all are dependencies of the package under test).
let otherProducts: [(product: String, package: String, url: String)] = [
    ("ArgumentParser", "swift-argument-parser", "https://github.com/apple/swift-argument-parser"),
    ("Logging", "swift-log", "https://github.com/apple/swift-log"),
    ("ServiceLifecycle", "swift-service-lifecycle", "https://github.com/swift-server/swift-service-lifecycle"),
    ("Tracing", "swift-distributed-tracing", "https://github.com/apple/swift-distributed-tracing"),
]
let defaultImports = ["Foundation"] + products

func source(for block: Block) -> String {
    let parts = items(of: block)
    let location = { (line: Int) in "#sourceLocation(file: \(quoted(block.file)), line: \(line))" }
    var out = ["// Generated from \(block.file):\(block.line) by scripts/check-doc-snippets.sh; do not edit."]
    let imports = parts.filter { $0.kind == .importLine }
    if imports.isEmpty {
        out += defaultImports.map { "import \($0)" }
    }
    for item in imports {
        out.append(location(item.line))
        out += item.lines
    }
    for item in parts where item.kind == .declaration {
        out.append(location(item.line))
        // `@main` would clash between blocks; the type is still checked without it.
        out += item.lines.map { $0.replacingOccurrences(of: "@main ", with: "").replacingOccurrences(of: "@main", with: "") }
    }
    let statements = parts.filter { $0.kind == .statement }
    if !statements.isEmpty {
        out.append("#sourceLocation()")
        out.append("private func snippet_\(identifier(block.file))_\(block.line)() async throws {")
        for item in statements {
            out.append(location(item.line))
            out += item.lines
        }
        out.append("#sourceLocation()")
        out.append("}")
    } else {
        out.append("#sourceLocation()")
    }
    return out.joined(separator: "\n") + "\n"
}

var targets: [String] = []
var manifests: Set<String> = []
var blockCount = 0
let sources = scratch.appendingPathComponent("Sources")
for file in markdownFiles {
    let module = "DocSnippets_" + identifier(file)
    var written: Set<String> = []
    for extracted in extract(file: file) {
        switch extracted {
        case .skipped(let file, let line, let reason):
            print("skip \(file):\(line) \(reason)")
        case .code(let block):
            if block.lines.contains(where: { $0.contains("import PackageDescription") }) {
                manifests.insert("\(identifier(file))_\(block.line)")
                let path = scratch.appendingPathComponent("manifests/\(identifier(file))_\(block.line)/Package.swift")
                // Only type-checked, never loaded by SwiftPM, so the directive may come first.
                let located = ["#sourceLocation(file: \(quoted(block.file)), line: \(block.line))"] + block.lines
                write(located.joined(separator: "\n") + "\n", to: path)
                print("manifest \(block.file):\(block.line) \(path.path)")
                continue
            }
            let name = "Block_\(block.line).swift"
            write(source(for: block), to: sources.appendingPathComponent("\(module)/\(name)"))
            written.insert(name)
            blockCount += 1
        }
    }
    let directory = sources.appendingPathComponent(module)
    // Blocks that moved or went: their old files must not linger.
    for stale in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where !written.contains(stale) {
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(stale))
    }
    if !written.isEmpty { targets.append(module) }
}
let manifestDirectory = scratch.appendingPathComponent("manifests")
for stale in (try? FileManager.default.contentsOfDirectory(atPath: manifestDirectory.path)) ?? [] where !manifests.contains(stale) {
    try? FileManager.default.removeItem(at: manifestDirectory.appendingPathComponent(stale))
}
// Pages that no longer have blocks: drop their modules.
for stale in (try? FileManager.default.contentsOfDirectory(atPath: sources.path)) ?? [] where !targets.contains(stale) {
    try? FileManager.default.removeItem(at: sources.appendingPathComponent(stale))
}

/// The version requirement the package under test gives `url` (the same, so both resolve alike).
func requirement(of url: String) -> String {
    let manifest = (try? String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)) ?? ""
    guard let start = manifest.range(of: "\"\(url)\", from: \"") else { return "1.0.0" }
    return String(manifest[start.upperBound...].prefix(while: { $0 != "\"" }))
}

let dependencies =
    ["        .package(path: \(quoted(root.path))),"]
    + otherProducts.map { "        .package(url: \(quoted($0.url)), from: \(quoted(requirement(of: $0.url))))," }
let productList =
    products.map { ".product(name: \(quoted($0)), package: \(quoted(packageIdentity)))" }
    + otherProducts.map { ".product(name: \(quoted($0.product)), package: \(quoted($0.package)))" }
let manifest = """
    // swift-tools-version: 6.0
    // Generated by scripts/check-doc-snippets.sh: one module per Markdown page, one file per ```swift block.
    import PackageDescription

    let products: [Target.Dependency] = [
        \(productList.joined(separator: ",\n    "))
    ]

    let package = Package(
        name: "DocSnippets",
        platforms: [.macOS(.v15)],
        dependencies: [
    \(dependencies.joined(separator: "\n"))
        ],
        targets: [
    \(targets.map { "        .target(name: \(quoted($0)), dependencies: products)," }.joined(separator: "\n"))
        ]
    )

    """
write(manifest, to: scratch.appendingPathComponent("Package.swift"))
print("targets \(targets.joined(separator: " "))")
print("blocks \(blockCount)")
