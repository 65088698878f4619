import ArgumentParser
import HushboxService
import Logging
import Vault

/// `--tenant ID`, which a box with one organisation lets the owner leave out.
struct TenantOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The organisation (see `hushbox tenant list`); may be left out when the box has one.", valueName: "id"))
    var tenant: String?

    /// Loads the configuration, opens the vault and this organisation's view of it.
    func open(_ options: ConfigurationOptions) async throws -> TenantVault {
        try await open(try await options.load(), logger: options.logger)
    }

    /// Opens this organisation's view of the vault for a configuration already loaded.
    func open(_ loaded: LoadedConfiguration, logger: Logger) async throws -> TenantVault {
        try open(try await VaultOpening.open(loaded.configuration, logger: logger))
    }

    private func open(_ vault: Vault) throws -> TenantVault {
        do {
            if let tenant { return try vault.tenant(tenant) }
            let ids = try vault.tenantIDs()
            guard ids.count == 1 else {
                throw CommandFailure.failed(ids.isEmpty
                    ? "there is no organisation yet: create one with `hushbox tenant create NAME`"
                    : "the box has \(ids.count) organisations: name one with --tenant (see `hushbox tenant list`)")
            }
            return try vault.tenant(ids[0])
        } catch let error as VaultError {
            throw CommandFailure.failed("\(error)")
        }
    }
}
