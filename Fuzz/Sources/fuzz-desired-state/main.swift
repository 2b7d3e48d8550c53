import FuzzDriver
import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzDriver.require(DesiredStateFuzz.violation(in: FuzzDriver.bytes(data, size)))
}

FuzzDriver.run(testOneInput)
