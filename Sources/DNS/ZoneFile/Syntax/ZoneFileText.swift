#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small text forms shared by the printers and the messages of this module.
enum ZoneFileText {
    /// `\DDD`, the zone-file escape of one byte.
    static func decimalEscape(_ byte: UInt8) -> String {
        let code = String(byte)
        return "\\" + String(repeating: "0", count: 3 - code.count) + code
    }

    /// The system's words for an `errno` value.
    static func systemError(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
