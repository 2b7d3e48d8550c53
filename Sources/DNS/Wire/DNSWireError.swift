/// Why a DNS message could not be decoded. Every case carries the byte offset where the
/// problem was found so a captured packet can be inspected at that point.
public enum DNSWireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message ended before `what` could be read at `offset`.
    case truncated(what: String, offset: Int)
    /// A label length byte used the reserved 0x40/0x80 label types.
    case unsupportedLabelType(byte: UInt8, offset: Int)
    /// A compression pointer that does not point strictly backwards (loops and forward jumps).
    case badCompressionPointer(target: Int, offset: Int)
    /// A name longer than 255 bytes once decompressed.
    case nameTooLong(offset: Int)
    /// A section count that cannot fit in the bytes that are left.
    case countExceedsMessage(section: String, count: Int, offset: Int)
    /// RDATA whose length does not match what its type requires.
    case badRDataLength(type: RecordType, length: Int, offset: Int)
    /// Bytes left after the last record the header announced.
    case trailingBytes(count: Int, offset: Int)
    /// A TSIG record that is not the last record of the additional section.
    case misplacedTSIG(offset: Int)
    /// A message over 65,535 bytes cannot be sent.
    case messageTooLarge(size: Int)

    public var description: String {
        switch self {
        case .truncated(let what, let offset):
            "DNS message truncated at byte \(offset) while reading \(what)"
        case .unsupportedLabelType(let byte, let offset):
            "unsupported label type 0x\(String(byte, radix: 16)) at byte \(offset)"
        case .badCompressionPointer(let target, let offset):
            "compression pointer at byte \(offset) to byte \(target) does not point to an earlier name (loop or forward reference)"
        case .nameTooLong(let offset):
            "domain name at byte \(offset) is longer than 255 bytes"
        case .countExceedsMessage(let section, let count, let offset):
            "header announces \(count) \(section) records but only bytes from \(offset) remain"
        case .badRDataLength(let type, let length, let offset):
            "\(type) RDATA of \(length) bytes at byte \(offset) does not match the format of its type"
        case .trailingBytes(let count, let offset):
            "\(count) unexpected bytes after the last record at byte \(offset)"
        case .misplacedTSIG(let offset):
            "TSIG record at byte \(offset) is not the last record of the message"
        case .messageTooLarge(let size):
            "DNS message of \(size) bytes exceeds the 65,535-byte limit"
        }
    }
}
