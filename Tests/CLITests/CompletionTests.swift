import Foundation
import TestSupport
import Testing

/// The completions the package installs are generated from the argument definitions: every
/// command and its flags are in them, for each shell.
@Suite struct CompletionTests {
    @Test(arguments: ["bash", "zsh", "fish"])
    func completionNamesEveryCommandAndInitsFlags(shell: String) throws {
        let result = try ChildProcess.run([CLITests.binary, "--generate-completion-script", shell], timeout: 30)
        #expect(result.status == 0)
        for word in ["init", "plan", "apply", "probe", "validate", "units", "zone", "nameserver", "ipv6", "force"] {
            #expect(result.stdout.contains(word), "\(shell) completion lacks \(word)")
        }
        // --provider completes to its three values.
        #expect(result.stdout.contains("authoritative"), "\(shell)")
    }
}
