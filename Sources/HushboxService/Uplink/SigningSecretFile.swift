import Foundation
internal import Uplink
internal import Vault

/// A `whsec_…` signing secret in the secrets directory, checked before
/// anything runs: present, a regular file, readable by its owner only, and
/// well formed.
enum SigningSecretFile {
    /// - Parameter purpose: what needs it, for the error ("uplink destination backend").
    static func read(_ name: String, in configuration: HushboxConfiguration, for purpose: String) throws(StartupError) -> WebhookSignature {
        let path = configuration.secrets.directory + "/" + name
        guard let status = FileStatus.of(path), status.type == .regular else {
            throw StartupError("\(purpose) needs its signing secret (a whsec_ line, such as hushbox-ingest keygen prints) in \(path), mode 0600; it is missing")
        }
        guard status.isPrivate else {
            throw StartupError("\(path) has mode \(status.octalPermissions), which lets other users read the signing secret; chmod 600 \(path)")
        }
        do {
            return try WebhookSignature(encodedSecret: try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            throw StartupError("\(path): \(error)")
        }
    }
}
