import FuzzDriver
import FuzzEntryPoints

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    DNSFuzz.testOneInput(data, size)
}

FuzzDriver.run(testOneInput)
