import Foundation

/// A fresh private directory under the system's temporary directory, removed
/// when the value is released. Every test that touches files gets its own.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "hushbox-test") throws {
        var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            mkdtemp(buffer.baseAddress!)
        }
        guard created != nil else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: prefix])
        }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.replacingOccurrences(of: "//", with: "/")
    }

    /// A path inside the directory.
    public func child(_ name: String) -> String {
        path + "/" + name
    }

    /// Writes text to a file inside the directory and returns its path.
    @discardableResult
    public func write(_ text: String, to name: String, permissions: Int = 0o600) throws -> String {
        let file = child(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: file)
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
