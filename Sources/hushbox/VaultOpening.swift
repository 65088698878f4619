import ArgumentParser
import HushboxService
import Logging
import Vault

/// Opens the vault for a command, turning a refusal into one line and exit 1.
enum VaultOpening {
    static func open(_ configuration: HushboxConfiguration, logger: Logger) async throws -> Vault {
        do {
            return try await VaultAccess.open(configuration, logger: logger)
        } catch {
            throw CommandFailure.failed("\(error)")
        }
    }
}
