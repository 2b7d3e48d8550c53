import StrictYAML
import Testing

@Suite struct YAMLParserTests {
    func parse(_ text: String) throws -> YAMLNode? {
        try YAMLParser.parse(Array(text.utf8), file: "t.yaml")
    }

    @Test func scalarsStayStringsWithTheirStyle() throws {
        let node = try #require(try parse("a: no\nb: 0755\nc: 'on'\nd: \"1e3\"\ne: ~\n"))
        guard case .mapping(let pairs) = node.content else {
            Issue.record("not a mapping")
            return
        }
        #expect(pairs.map(\.keyText) == ["a", "b", "c", "d", "e"])
        #expect(pairs.map { $0.value.scalar?.value } == ["no", "0755", "on", "1e3", "~"])
        #expect(pairs.map { $0.value.scalar?.style } == [.plain, .plain, .singleQuoted, .doubleQuoted, .plain])
    }

    @Test func everyNodeKnowsItsLineAndColumn() throws {
        let node = try #require(try parse("top:\n  list:\n    - one\n    - {k: v}\n"))
        guard case .mapping(let top) = node.content, case .mapping(let inner) = top[0].value.content,
            case .sequence(let items) = inner[0].value.content
        else {
            Issue.record("unexpected shape")
            return
        }
        #expect(top[0].key.mark.description == "t.yaml:1:1")
        #expect(inner[0].key.mark.description == "t.yaml:2:3")
        #expect(items[0].mark.description == "t.yaml:3:7")
        #expect(items[1].mark.description == "t.yaml:4:7")
    }

    @Test func anchorsAndAliasesWithinBounds() throws {
        let node = try #require(try parse("d: &d [ipv4, ipv6]\ne: *d\n"))
        guard case .mapping(let pairs) = node.content, case .sequence(let items) = pairs[1].value.content else {
            Issue.record("unexpected shape")
            return
        }
        #expect(items.map { $0.scalar?.value } == ["ipv4", "ipv6"])
    }

    @Test func emptyStreamHasNoDocument() throws {
        #expect(try parse("") == nil)
        #expect(try parse("# only a comment\n\n") == nil)
    }

    @Test func invalidUTF8IsLocated() {
        #expect(
            throws: YAMLError(
                "invalid UTF-8 byte 0xC3 (the file must be UTF-8 text)",
                at: YAMLMark(file: "t.yaml", line: 2, column: 4))
        ) {
            try YAMLParser.parse(Array("a: 1\nb: ".utf8) + [0xC3, 0x28], file: "t.yaml")
        }
        // Overlong encodings and surrogates are not UTF-8 either.
        #expect(throws: YAMLError.self) { try YAMLParser.parse([0x61, 0xC0, 0xAF], file: "t.yaml") }
        #expect(throws: YAMLError.self) { try YAMLParser.parse([0x61, 0xED, 0xA0, 0x80], file: "t.yaml") }
    }

    @Test func multiByteCharactersCountAsOneColumn() throws {
        let node = try #require(try parse("é: [x, ü]\n"))
        guard case .mapping(let pairs) = node.content, case .sequence(let items) = pairs[0].value.content else {
            Issue.record("unexpected shape")
            return
        }
        #expect(items[1].mark.column == 8)
        #expect(items[1].scalar?.value == "ü")
    }

    @Test func oversizedInputIsRefusedBeforeParsing() {
        var limits = YAMLParser.Limits()
        limits.maxBytes = 10
        #expect(
            throws: YAMLError(
                "file is 11 bytes, larger than the 10 bytes accepted", at: YAMLMark(file: "t.yaml", line: 1, column: 1))
        ) {
            try YAMLParser.parse(Array("a: 1234567\n".utf8), file: "t.yaml", limits: limits)
        }
    }
}
