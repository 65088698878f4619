internal import Vault
import Foundation

/// A file or directory the box depends on is missing, unsafe or unusable: which
/// path, and what to do about it.
public struct PathProblem: Error, CustomStringConvertible, Hashable {
    public let path: String
    public let problem: String

    public init(_ path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }

    /// Turns a failure to read a file into the few words a person can act on.
    static func reason(forReading path: String, failure error: any Error) -> String {
        guard let status = FileStatus.of(path) else { return "no such file" }
        if status.type == .directory { return "it is a directory, not a file" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        if let cocoa = error as? CocoaError, cocoa.code == .fileReadInapplicableStringEncoding {
            return "it is not UTF-8 text"
        }
        return String(describing: error)
    }
}
