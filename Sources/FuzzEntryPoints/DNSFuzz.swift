import DNS

/// Entry points for fuzzers (a libFuzzer harness calls these with arbitrary bytes). They must
/// never crash, hang or allocate without bound, whatever the input.
public enum DNSFuzz {
    /// Decodes `data` as a message; when that succeeds, re-encodes and decodes again, which
    /// must give the same message. Returns whether the input decoded.
    @discardableResult
    public static func decode(_ data: [UInt8]) -> Bool {
        guard let message = try? DNSMessage.decode(data) else { return false }
        let again = try? DNSMessage.decode(message.encode())
        precondition(again == message, "re-encoding a decoded message changed it")
        return true
    }
}

extension DNSFuzz {
    /// The body of a libFuzzer `LLVMFuzzerTestOneInput`: a harness executable built with
    /// `-sanitize=fuzzer` only needs
    /// `@_cdecl("LLVMFuzzerTestOneInput") func f(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { DNSFuzz.testOneInput(d, n) }`.
    public static func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        guard let data, size > 0 else {
            decode([])
            return 0
        }
        decode(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
}
