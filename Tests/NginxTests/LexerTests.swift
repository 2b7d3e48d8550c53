import Testing

@testable import Nginx

@Suite struct LexerTests {
    private func parse(_ text: String) throws -> NginxConfigFile {
        try NginxConfigFile.parse(Array(text.utf8), path: "t.conf")
    }

    private func statements(_ file: NginxConfigFile) -> [[String]] {
        file.directives.map { [file.name(of: $0)] + file.arguments(of: $0) }
    }

    @Test func splitsWordsAndKeepsLocations() throws {
        let file = try parse("http {\n    listen  8080 ssl; # comment ; {\n}\n")
        #expect(statements(file) == [["http"], ["listen", "8080", "ssl"]])
        let listen = file.directives[1]
        #expect(file.location(of: listen) == NginxSourceLocation(file: "t.conf", line: 2, column: 5))
        #expect(file.tokens[listen.argumentTokens.lowerBound].column == 13)
        #expect(file.sourceText(of: listen) == "listen  8080 ssl;")
        #expect(file.directives[0].hasBlock)
        #expect(file.children(of: 0) == [1])
        #expect(listen.parent == 0)
    }

    @Test func quotesAndEscapesFollowNginx() throws {
        let file = try parse(##"return 200 "Ser\" ' ' ver\\ \ $a:\$b\n"; log 'it' \#x\ y;"##)
        #expect(statements(file) == [["return", "200", "Ser\" ' ' ver\\ \\ $a:\\$b\n"], ["log", "it", "\\#x\\ y"]])
        // A quoted word must be followed by a space, `;` or `{`: `'it''s'` fails at the 2nd quote.
        #expect(
            throws: NginxError.unexpectedCharacter("'", at: NginxSourceLocation(file: "t.conf", line: 1, column: 9))
        ) {
            try parse("log 'it''s';")
        }
        let ok = try parse(##"log_format #c1"## + "\n" + ##"  \#arg\ 1 #c2"## + "\n" + ##"  '#arg 2' ;"##)
        #expect(statements(ok) == [["log_format", "\\#arg\\ 1", "#arg 2"]])
    }

    @Test func quoteInsideWordIsLiteralAndParenAfterQuoteIsAllowed() throws {
        let file = try parse(##"a right-"quote" inner"-"q; if ($x = "a"){}"##)
        #expect(statements(file) == [["a", "right-\"quote\"", "inner\"-\"q"], ["if", "($x", "=", "a", ")"]])
    }

    @Test func variablesWithBracesDoNotOpenBlocks() throws {
        let file = try parse("try_files /abc/${uri} /abc/${uri}.html =404 ;")
        #expect(statements(file) == [["try_files", "/abc/${uri}", "/abc/${uri}.html", "=404"]])
    }

    @Test func luaBlockBodiesAreOneToken() throws {
        let text = """
            set_by_lua_block $res { -- a } in a comment
                local s = "}"  a = { 1, 2 } --[[ } ]] b = [==[ } ]==]
            }
            "rewrite_by_lua_block" { x = '{' }
            server_name content_by_lua_block ;
            upstream content_by_lua_block { server a; }
            """
        let file = try parse(text)
        #expect(file.name(of: file.directives[0]) == "set_by_lua_block")
        #expect(file.arguments(of: file.directives[0]) == ["$res"])
        let body = try #require(file.directives[0].luaBodyToken)
        #expect(file.string(of: file.tokens[body]).contains("b = [==[ } ]==]"))
        #expect(file.directives[1].hasLuaBody)
        #expect(statements(file)[2] == ["server_name", "content_by_lua_block"])
        #expect(statements(file)[3] == ["upstream", "content_by_lua_block"])
        #expect(file.children(of: 3) == [4])
        #expect(file.render() == Array(text.utf8))
    }

    @Test func nonUTF8BytesAndCRLFSurvive() throws {
        let bytes: [UInt8] =
            Array("server {\r\n  # ".utf8) + [0xB1, 0xE2, 0xFF] + Array("\r\n  return 200 \"".utf8)
            + [0xC4, 0xFE] + Array("\";\r\n}\r\n".utf8)
        let file = try NginxConfigFile.parse(bytes, path: "x")
        #expect(file.render() == bytes)
        #expect(file.value(of: file.tokens[3]) == [0xC4, 0xFE])
        #expect(file.tokens[3].line == 3)
    }

    @Test func reportsUnbalancedBracesAndMissingSemicolons() {
        func failure(_ text: String) -> String? {
            do {
                _ = try parse(text)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(failure("http {\n  server {\n  }\n") == "t.conf:4:1: unexpected end of file, expecting \"}\"")
        #expect(failure("events {}\n}\n") == "t.conf:2:1: unexpected \"}\"")
        #expect(failure("location / {\n  proxy_pass http://a\n}\n") == "t.conf:3:1: unexpected \"}\"")
        #expect(failure("user nobody") == "t.conf:1:12: unexpected end of file, expecting \";\" or \"}\"")
        #expect(failure("user nobody;;") == "t.conf:1:13: unexpected \";\"")
        #expect(failure("{ }") == "t.conf:1:1: unexpected \"{\"")
        #expect(
            failure("content_by_lua_block { a = 1")
                == "t.conf:1:29: unexpected end of file, expecting \"}\" closing the Lua block")
    }
}
