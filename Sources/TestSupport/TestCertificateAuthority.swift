import Foundation

/// A throwaway certificate authority for TLS tests, made with the `openssl` command line in a
/// temporary directory: a CA certificate and leaf certificates for any set of host names,
/// valid for two days. Nothing here is ever trusted outside the test that made it.
public final class TestCertificateAuthority: @unchecked Sendable {
    /// A leaf certificate and its key, as PEM files.
    public struct Leaf: Sendable {
        /// The subject alternative names, first is also the common name.
        public let names: [String]
        /// PEM certificate for `ssl_certificate`.
        public let certificatePath: String
        /// PEM private key for `ssl_certificate_key`.
        public let keyPath: String
    }

    /// Where the keys and certificates are; removed with the CA.
    public let directory: TemporaryDirectory
    /// The CA certificate (PEM): what a client passes as its trust store.
    public let certificatePath: String
    let keyPath: String
    private let openssl: String
    private var serial = 1
    private let lock = NSLock()

    /// Creates the CA key and self-signed certificate (EC P-256).
    public init(commonName: String = "reconcile test CA") throws {
        openssl = try ServerBinary.require("openssl")
        directory = try TemporaryDirectory(prefix: "reconcile-ca")
        certificatePath = directory.url.appendingPathComponent("ca.pem").path
        keyPath = directory.url.appendingPathComponent("ca.key").path
        try ChildProcess.check([
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", keyPath, "-out", certificatePath, "-days", "2", "-subj", "/CN=\(commonName)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    /// Issues a server certificate whose subject alternative names are `names` (the first is
    /// also the common name).
    public func issue(_ names: [String]) throws -> Leaf {
        precondition(!names.isEmpty, "a leaf needs at least one name")
        let number = lock.withLock {
            serial += 1
            return serial
        }
        let base = directory.url.appendingPathComponent("leaf-\(number)").path
        let extensions = """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            subjectAltName = \(names.map { "DNS:\($0)" }.joined(separator: ", "))

            """
        try directory.write("leaf-\(number).ext", extensions)
        try ChildProcess.check([
            openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "\(base).key", "-out", "\(base).csr", "-subj", "/CN=\(names[0])",
        ])
        try ChildProcess.check([
            openssl, "x509", "-req", "-in", "\(base).csr", "-CA", certificatePath, "-CAkey", keyPath,
            "-set_serial", String(number), "-days", "2", "-extfile", "\(base).ext", "-out", "\(base).pem",
        ])
        return Leaf(names: names, certificatePath: "\(base).pem", keyPath: "\(base).key")
    }
}

/// A throwaway self-signed certificate (EC P-256, which `openssl` makes in milliseconds even on
/// a loaded machine; RSA key generation is a prime search that timed out under a busy CI).
public enum SelfSignedCertificate {
    /// The `openssl req` words that write a key and a certificate for `name`, valid `days` days,
    /// with `name` as the subject alternative name too.
    public static func command(
        openssl: String, name: String, keyPath: String, certificatePath: String, days: Int = 2
    ) -> [String] {
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-days", String(days), "-subj", "/CN=\(name)", "-addext", "subjectAltName=DNS:\(name)",
            "-keyout", keyPath, "-out", certificatePath,
        ]
    }

    /// Writes the key and certificate for `name`.
    public static func write(name: String, keyPath: String, certificatePath: String, days: Int = 2) throws {
        let openssl = try ServerBinary.require("openssl")
        try ChildProcess.check(
            command(openssl: openssl, name: name, keyPath: keyPath, certificatePath: certificatePath, days: days))
    }
}
