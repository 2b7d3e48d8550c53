import TestSupport
import Testing

@testable import DNS

@Suite struct TSIGKeyTests {
    @Test(arguments: TSIGAlgorithm.allCases)
    func parsesTsigKeygenOutput(algorithm: TSIGAlgorithm) throws {
        let keygen = try ServerBinary.require("tsig-keygen")
        let text = try ChildProcess.check([keygen, "-a", algorithm.rawValue, "update-key.example"]).stdout
        let key = try TSIGKey.parse(text, source: "keyfile")
        #expect(key.name == WireSample.name("update-key.example."))
        #expect(key.algorithm == algorithm)
        #expect(key.secret.count == algorithm.macLength)
    }

    @Test func parsesBareBase64SecretWithNameAndAlgorithm() throws {
        let key = try TSIGKey.parse(
            "  AAECAwQFBgcICQoLDA0ODw==\n", source: "secret.txt", name: WireSample.name("k.example."),
            algorithm: .hmacSHA512)
        #expect(key.secret == Array(0..<16))
        #expect(key.algorithm == .hmacSHA512)
    }

    @Test func parsesCommentsAndQuotedAlgorithm() throws {
        let text = """
            # made by hand
            key "k.example." { // inline
                algorithm "HMAC-SHA256.";
                /* secret below */ secret "AAECAwQFBgcICQoLDA0ODw==";
            };
            """
        let key = try TSIGKey.parse(text, source: "k.conf")
        #expect(key.algorithm == .hmacSHA256 && key.name == WireSample.name("k.example."))
    }

    @Test func rejectsBadKeyFiles() {
        #expect(throws: DNSError.invalidKey(source: "f", reason: "a bare base64 secret needs a key name and algorithm"))
        {
            try TSIGKey.parse("AAEC", source: "f")
        }
        #expect(throws: DNSError.self) {
            try TSIGKey.parse("key \"k\" { algorithm hmac-md5; secret \"AAEC\"; };", source: "f")
        }
        #expect(throws: DNSError.self) { try TSIGKey.parse("key \"k\" { algorithm hmac-sha256; };", source: "f") }
        #expect(throws: DNSError.self) {
            try TSIGKey.parse("key \"k\" { algorithm hmac-sha256; secret \"not base64!\"; };", source: "f")
        }
    }

    @Test func secretIsRedactedInDescriptions() throws {
        let key = TSIGKey(name: WireSample.name("k."), algorithm: .hmacSHA256, secret: Array("supersecret".utf8))
        for text in ["\(key)", String(reflecting: key), "\([key])"] {
            #expect(text.contains("<REDACTED>"))
            #expect(!text.contains("supersecret") && !text.contains("115, 117"))
        }
    }

    @Test func signedRequestVerifiesAndTamperingIsDetected() throws {
        let key = TSIGKey(name: WireSample.name("k.example."), algorithm: .hmacSHA512, secret: Array(0..<64))
        let signer = TSIGSigner(key: key)
        let server = try DNSServerAddress(host: "127.0.0.1")
        // Sign a "response" as a server would: chained to a request MAC.
        let requestMAC: [UInt8] = Array(repeating: 1, count: 64)
        var response = WireSample.responseWithEveryType()
        let now = TSIGSigner.now()
        var tsig = TSIGRecord(
            keyName: key.name, algorithm: key.algorithm.name, timeSigned: now, fudge: 300, mac: [],
            originalID: response.header.id)
        let body = response.encode()
        tsig.mac = key.algorithm.mac(
            TSIGSigner.lengthPrefixed(requestMAC) + body + tsig.digestVariables, secret: key.secret)
        response.tsig = tsig
        let bytes = response.encode()
        #expect(try signer.verifyResponse(bytes, requestMAC: requestMAC, server: server) == response)

        var tampered = bytes
        tampered[40] ^= 1
        #expect(throws: DNSError.self) { try signer.verifyResponse(tampered, requestMAC: requestMAC, server: server) }
        #expect(throws: DNSError.self) {
            try signer.verifyResponse(bytes, requestMAC: Array(repeating: 2, count: 64), server: server)
        }
        #expect(throws: DNSError.self) {
            try signer.verifyResponse(bytes, requestMAC: requestMAC, server: server, now: now + 1000)
        }
    }
}

/// A malformed key file can put the secret in any position; no error may quote it.
@Suite struct TSIGKeyErrorSecrecyTests {
    static let secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ=="

    @Test(arguments: [
        "key \"k\" { algorithm hmac-sha256; secret \"\(secret)\" }",
        "key \"k\" { algorithm hmac-sha256 secret \"\(secret)\"; };",
        "key \"k\" { \"\(secret)\"; algorithm hmac-sha256; };",
        "key \"k\" { algorithm \"\(secret)\"; secret \"\(secret)\"; };",
        "key \"k\" { \(secret) secret x; };",
    ])
    func errorsNeverQuoteTheSecret(_ text: String) {
        do {
            _ = try TSIGKey.parse(text, source: "k.key")
            Issue.record("parsed a malformed key file")
        } catch {
            #expect(!"\(error)".contains(Self.secret), "\(error)")
            #expect(!"\(error)".contains("c2VjcmV0"), "\(error)")
        }
    }
}
