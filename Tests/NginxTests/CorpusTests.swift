import Foundation
import Testing

@testable import Nginx

@Suite struct CorpusTests {
    /// Files nginx's own tokenizer rejects, with where and why (checked against nginx 1.22:
    /// `nginx -t -c <file>` reports the same message and line). Besides the syntax errors the
    /// corpus keeps on purpose, it holds an INI file and files "never included" that are not
    /// nginx syntax at all. (`sites-enabled/default` is a regular copy of the configuration
    /// nginx reads there and must parse; symlinked `sites-enabled` trees are tested with the
    /// suite's own fixtures in `IncludeTests`.)
    static let expectedFailures: [String: (line: Int, column: Int, message: String)] = [
        "certbot-etc-nginx/ubuntu_nginx_1_4_6/default_vhost/nginx/naxsi-ui.conf.1.4.1":
            (17, 1, "unexpected end of file, expecting \";\" or \"}\""),
        "crossplane/includes-globbed/servers/locations/not-included.conf":
            (3, 1, "unexpected end of file, expecting \";\" or \"}\""),
        "crossplane/includes-regular/conf.d/foo.conf": (3, 1, "unexpected end of file, expecting \";\" or \"}\""),
        "crossplane/includes-regular/conf.d/bar.conf": (3, 1, "unexpected end of file, expecting \";\" or \"}\""),
        "crossplane/missing-semicolon/broken-above.conf": (5, 9, "unexpected \"}\""),
        "crossplane/missing-semicolon/broken-below.conf": (8, 9, "unexpected \"}\""),
        "crossplane/quote-behavior/nginx.conf": (1, 21, "unexpected \"-\""),
        "certbot-etc-nginx/broken.conf": (13, 1, "unexpected end of file, expecting \";\" or \"}\""),
    ]

    static var configFiles: [String] {
        Corpus.files(under: Corpus.nginx).filter { !$0.hasSuffix("LICENSE.txt") }
    }

    @Test func corpusIsPresent() {
        #expect(Self.configFiles.count > 200)
    }

    @Test func debianSitesEnabledDefaultParsesAndRoundTrips() throws {
        let relative = "certbot-etc-nginx/ubuntu_nginx_1_4_6/default_vhost/nginx/sites-enabled/default"
        let bytes = try Corpus.bytes(Corpus.nginx.appendingPathComponent(relative))
        let file = try NginxConfigFile.parse(bytes, path: relative)
        #expect(file.render() == bytes)
        #expect(file.topLevelDirectives.map { file.name(of: file.directives[$0]) }.contains("server"))
    }

    @Test(arguments: configFiles)
    func parsesAndRendersIdentically(_ relative: String) throws {
        let bytes = try Corpus.bytes(Corpus.nginx.appendingPathComponent(relative))
        if let expected = Self.expectedFailures[relative] {
            let error = #expect(throws: NginxError.self) { try NginxConfigFile.parse(bytes, path: relative) }
            #expect(error?.description == "\(relative):\(expected.line):\(expected.column): \(expected.message)")
            return
        }
        let file = try NginxConfigFile.parse(bytes, path: relative)
        #expect(file.render() == bytes)
        // Tokens are in order and what lies between them is only layout and punctuation:
        // nothing of the file escapes the tokens.
        var cursor = 0
        var gaps: [UInt8] = []
        for token in file.tokens {
            #expect(token.start >= cursor)
            gaps.append(contentsOf: Self.strippingComments(bytes[cursor..<token.start]))
            cursor = token.end
        }
        gaps.append(contentsOf: Self.strippingComments(bytes[cursor...]))
        let allowed = Set(" \t\r\n;{}".utf8)
        #expect(gaps.allSatisfy { allowed.contains($0) })
    }

    private static func strippingComments(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        var inComment = false
        for byte in bytes {
            if byte == UInt8(ascii: "#") { inComment = true }
            if byte == UInt8(ascii: "\n") { inComment = false }
            if !inComment { output.append(byte) }
        }
        return output
    }
}
