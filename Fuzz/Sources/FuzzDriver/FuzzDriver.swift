#if canImport(Glibc)
    import Glibc
#endif

/// libFuzzer's documented driver entry (compiler-rt FuzzerInterface.h): runs the fuzzing loop
/// with the command line libFuzzer would have parsed in its own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
private func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// What every harness shares: starting libFuzzer from Swift's `main` and turning a broken
/// invariant into a crash libFuzzer records.
public enum FuzzDriver {
    /// Hands the process to libFuzzer. SwiftPM names an executable's `main` after its module,
    /// so the harness's top-level code runs first and starts the driver explicitly.
    public static func run(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(llvmFuzzerRunDriver(&argc, &argv, testOneInput))
    }

    /// libFuzzer's buffer as bytes (an empty input may come as a null pointer).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Crashes on a broken invariant, so libFuzzer keeps the input; 0 otherwise.
    public static func require(_ violation: String?) -> CInt {
        if let violation { fatalError(violation) }
        return 0
    }
}
