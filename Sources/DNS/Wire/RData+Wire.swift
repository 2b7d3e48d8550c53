/// Reading and writing RDATA. Types of RFC 1035 whose RDATA holds names (NS, CNAME, SOA, PTR,
/// MX, ...) may be compressed by servers, so their names are decompressed on read; every
/// other unknown type is kept as opaque bytes (RFC 3597).
extension RData {
    /// Types that are not modelled but carry compressible names: (bytes before the first
    /// name, number of names).
    static let compressedNameLayouts: [UInt16: (prefix: Int, names: Int)] = [
        3: (0, 1), 4: (0, 1), 7: (0, 1), 8: (0, 1), 9: (0, 1), 12: (0, 1), 14: (0, 2), 15: (2, 1),
    ]

    /// Decodes `length` bytes of RDATA of `type` at the reader's offset. Empty RDATA of the
    /// UPDATE/meta classes NONE and ANY is legal for every type and read as `.opaque([])`.
    static func decode(
        type: RecordType, rclass: RecordClass, length: Int, from reader: inout WireReader
    ) throws(DNSWireError) -> RData {
        let start = reader.offset
        let end = start + length
        guard end <= reader.bytes.count else { throw .truncated(what: "\(type) RDATA", offset: start) }
        if length == 0 && (rclass == .none || rclass == .any) { return .opaque([]) }
        let data: RData
        switch type {
        case .a:
            guard length == 4 else { throw .badRDataLength(type: type, length: length, offset: start) }
            data = .a(IPv4Bytes(value: try reader.u32("A RDATA")))
        case .aaaa:
            guard length == 16 else { throw .badRDataLength(type: type, length: length, offset: start) }
            let high = UInt64(try reader.u32("AAAA RDATA")) << 32 | UInt64(try reader.u32("AAAA RDATA"))
            let low = UInt64(try reader.u32("AAAA RDATA")) << 32 | UInt64(try reader.u32("AAAA RDATA"))
            data = .aaaa(IPv6Bytes(high: high, low: low))
        case .cname:
            data = .cname(try reader.name("CNAME target"))
        case .ns:
            data = .ns(try reader.name("NS target"))
        case .soa:
            let mname = try reader.name("SOA MNAME")
            let rname = try reader.name("SOA RNAME")
            guard end - reader.offset == 20 else { throw .badRDataLength(type: type, length: length, offset: start) }
            data = .soa(
                SOA(
                    mname: mname, rname: rname, serial: try reader.u32("SOA serial"),
                    refresh: try reader.u32("SOA refresh"), retry: try reader.u32("SOA retry"),
                    expire: try reader.u32("SOA expire"), minimum: try reader.u32("SOA minimum")))
        case .txt:
            guard length > 0 else { throw .badRDataLength(type: type, length: length, offset: start) }
            var strings: [[UInt8]] = []
            while reader.offset < end {
                let n = Int(try reader.u8("TXT string length"))
                guard reader.offset + n <= end else { throw .badRDataLength(type: type, length: length, offset: start) }
                strings.append(try reader.take(n, "TXT string"))
            }
            data = .txt(strings)
        default:
            if let layout = compressedNameLayouts[type.rawValue] {
                guard length >= layout.prefix else { throw .badRDataLength(type: type, length: length, offset: start) }
                var out = try reader.take(layout.prefix, "\(type) RDATA")
                for _ in 0..<layout.names {
                    WireWriter.appendUncompressed(try reader.name("\(type) RDATA name"), to: &out)
                }
                data = .opaque(out)
            } else {
                data = .opaque(try reader.take(length, "\(type) RDATA"))
            }
        }
        guard reader.offset == end else { throw .badRDataLength(type: type, length: length, offset: start) }
        return data
    }

    /// Writes the RDATA (without RDLENGTH). Names in NS, CNAME and SOA are compressed when
    /// `compress` is set; that is allowed for these RFC 1035 types only.
    func encode(to writer: inout WireWriter, compress: Bool = true) {
        switch self {
        case .a(let v4): writer.append(v4.bytes)
        case .aaaa(let v6): writer.append(v6.bytes)
        case .cname(let name), .ns(let name): writer.name(name, compress: compress)
        case .soa(let soa):
            writer.name(soa.mname, compress: compress)
            writer.name(soa.rname, compress: compress)
            writer.u32(soa.serial)
            writer.u32(soa.refresh)
            writer.u32(soa.retry)
            writer.u32(soa.expire)
            writer.u32(soa.minimum)
        case .txt(let strings):
            for s in strings {
                writer.u8(UInt8(min(s.count, 255)))
                writer.append(Array(s.prefix(255)))
            }
        case .opaque(let raw): writer.append(raw)
        }
    }
}
