import Crypto
import Foundation

/// The one way bytes and their digests are written as text here: two hexadecimal digits a
/// byte. Lowercase for SHA-256 digests (plan preconditions, the desired state's and zone
/// file's fingerprints, probe bodies); uppercase for RDATA, as BIND prints it.
public enum HexDigest {
    /// `bytes` as hexadecimal text.
    public static func hex(_ bytes: some Sequence<UInt8>, uppercase: Bool = false) -> String {
        let digits: [UInt8] = Array((uppercase ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The SHA-256 of `bytes`, lowercase hex (hashed where they are, not copied: nginx files
    /// and zone files are hashed on every plan).
    public static func sha256(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }
}
