import Foundation
internal import Uplink
internal import Vault

/// A `whsec_…` signing secret in the secrets directory, checked before
/// anything runs: present, a regular file, readable by its owner only, and
/// well formed.
enum SigningSecretFile {
    /// - Parameter purpose: what needs it, for the error ("uplink destination backend").
    /// - Parameter source: where the owner gets one, or how to do without.
    static func read(_ name: String, in configuration: HushboxConfiguration, for purpose: String, source: String) throws(StartupError) -> WebhookSignature {
        let path = configuration.secrets.directory + "/" + name
        guard let status = FileStatus.of(path), status.type == .regular else {
            throw StartupError(
                "\(purpose) needs its signing secret (\(source)) in \(path), mode 0600; it is missing"
                    + " (under systemd, each secret needs its LoadCredential= line in the unit)"
            )
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
