/// Builds a message, compressing names (RFC 1035 §4.1.4) against every name suffix already
/// written at an offset a pointer can reach.
struct WireWriter {
    private(set) var bytes: [UInt8] = []
    /// Lowercased label suffix -> offset of its first occurrence.
    private var suffixOffsets: [[[UInt8]]: Int] = [:]

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    var count: Int { bytes.count }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(v >> 8))
        bytes.append(UInt8(v & 0xFF))
    }
    mutating func u32(_ v: UInt32) {
        bytes.append(UInt8(v >> 24))
        bytes.append(UInt8((v >> 16) & 0xFF))
        bytes.append(UInt8((v >> 8) & 0xFF))
        bytes.append(UInt8(v & 0xFF))
    }
    mutating func u48(_ v: UInt64) {
        u16(UInt16((v >> 32) & 0xFFFF))
        u32(UInt32(v & 0xFFFF_FFFF))
    }
    mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    /// Overwrites a 16-bit value already written (RDLENGTH, counts).
    mutating func patch16(at position: Int, _ v: UInt16) {
        bytes[position] = UInt8(v >> 8)
        bytes[position + 1] = UInt8(v & 0xFF)
    }

    /// Writes `name`, replacing its longest already-written suffix by a pointer.
    mutating func name(_ name: DNSName, compress: Bool = true) {
        guard compress else {
            Self.appendUncompressed(name, to: &bytes)
            return
        }
        let labels = name.labels
        let canonical = name.canonicalLabels
        for i in 0..<canonical.count {
            let suffix = Array(canonical[i...])
            if let target = suffixOffsets[suffix] {
                u16(0xC000 | UInt16(target))
                return
            }
            if bytes.count <= 0x3FFF { suffixOffsets[suffix] = bytes.count }
            let label = labels[i]
            bytes.append(UInt8(label.count))
            bytes.append(contentsOf: label)
        }
        bytes.append(0)
    }

    /// The uncompressed wire form, as used in TSIG digests and RFC 3597 RDATA.
    static func appendUncompressed(_ name: DNSName, to out: inout [UInt8], lowercase: Bool = false) {
        if lowercase {
            out.append(contentsOf: name.wire.map(DNSName.lower))
        } else {
            out.append(contentsOf: name.wire)
        }
        out.append(0)
    }
}
