import Foundation
import HushboxService
import HushboxTestSupport

/// A box's configuration in a temporary directory: data and secrets inside it,
/// loaded through the real loader, optionally provisioned.
struct TestBox {
    let directory: TemporaryDirectory
    let loaded: LoadedConfiguration
    var configuration: HushboxConfiguration { loaded.configuration }

    /// The prompts `make test` rendered in this checkout.
    static let renderedPrompts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("prompts/rendered").path

    /// - Parameter extra: more YAML, appended to the file.
    init(deviceName: String = "hushbox", provisioned: Bool = false, extra: String = "") async throws {
        directory = try TemporaryDirectory()
        let yaml = """
            device:
              name: \(deviceName)
            storage:
              data_directory: \(directory.child("data"))
              prompts_directory: \(Self.renderedPrompts)
            secrets:
              directory: \(directory.child("credentials"))
            """ + "\n" + extra
        let file = try directory.write(yaml, to: "hushbox.yaml")
        loaded = try await ConfigurationLoader.load(.init(filePath: file, profile: .production, environment: [:]))
        if provisioned {
            _ = try DeviceProvisioner(configuration: loaded.configuration).provision(now: Date())
        }
    }
}
