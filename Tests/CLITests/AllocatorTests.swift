import Foundation
import TestSupport
import Testing

/// The reconcile executable allocates through tcmalloc, not glibc's malloc (see
/// Sources/reconcile/Allocator.swift): asked with MALLOCSTATS, tcmalloc reports its heap at exit.
@Suite struct AllocatorTests {
    @Test func reconcileAllocatesThroughTCMalloc() throws {
        let asked = try ChildProcess.run(
            [CLITests.binary, "validate"], environment: ["MALLOCSTATS": "1"], currentDirectory: CLITests.root,
            timeout: 60)
        #expect(asked.status == 0, "\(asked.stderr)")
        #expect(asked.stdout == "desired-state: valid: 2 vhosts in 2 files\n")
        #expect(asked.stderr.contains("Bytes in use by application"), "\(asked.stderr)")
        let plain = try ChildProcess.run([CLITests.binary, "validate"], currentDirectory: CLITests.root, timeout: 60)
        #expect(plain.status == 0)
        #expect(plain.stderr.isEmpty, "\(plain.stderr)")
    }
}
