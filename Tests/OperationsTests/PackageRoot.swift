import Foundation
import TestSupport

/// Paths relative to the package (CI runs in a fresh clone).
enum PackageRoot {
    static let url = URL(fileURLWithPath: BuiltProduct.packageRoot)
}
