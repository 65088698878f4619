import HushboxService
import HushboxTestSupport
import Logging
import Testing

@Suite("Loading the configuration")
struct ConfigurationLoaderTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    private func sources(
        _ yaml: String?, environment: [String: String], profile: ConfigurationProfile
    ) throws -> ConfigurationLoader.Sources {
        let path = try yaml.map { try directory.write($0, to: "hushbox.yaml") }
        return ConfigurationLoader.Sources(filePath: path, profile: profile, environment: environment)
    }

    private func load(
        _ yaml: String?, environment: [String: String] = [:], profile: ConfigurationProfile = .production
    ) async throws -> LoadedConfiguration {
        try await ConfigurationLoader.load(sources(yaml, environment: environment, profile: profile))
    }

    /// The error loading this configuration fails with, or nil if it loads.
    private func refusal(_ yaml: String?, environment: [String: String] = [:]) async throws -> ConfigurationError? {
        let sources = try sources(yaml, environment: environment, profile: .production)
        do {
            _ = try await ConfigurationLoader.load(sources)
            return nil
        } catch {
            return error
        }
    }

    @Test("an empty file gives the documented defaults")
    func emptyFileGivesDefaults() async throws {
        let configuration = try await load("").configuration
        #expect(configuration.device.name == "hushbox")
        #expect(configuration.storage.dataDirectory == "/var/lib/hushbox")
        #expect(configuration.secrets.directory == "/etc/hushbox/credentials")
        #expect(configuration.log.level == .info)
        #expect(configuration.tls.certificatePath == "/var/lib/hushbox/tls/certificate.pem")
        #expect(configuration.tls.privateKeyPath == "/var/lib/hushbox/tls/private-key.pem")
        #expect(configuration.ops == .init(enabled: true, address: "127.0.0.1", port: 9464))
        #expect(configuration.shutdown.gracePeriod == .seconds(10))
    }

    @Test("file values apply, environment variables override them, and each value's source is recorded")
    func precedenceAndProvenance() async throws {
        let yaml = """
            device:
              name: praxis-berlin
            storage:
              data_directory: /srv/hushbox
            log:
              level: warning
            ops:
              port: 9100
            """
        let loaded = try await load(yaml, environment: ["HUSHBOX_OPS_PORT": "9200", "HUSHBOX_LOG_LEVEL": "debug", "PATH": "/usr/bin"])
        let configuration = loaded.configuration
        #expect(configuration.device.name == "praxis-berlin")
        #expect(configuration.ops.port == 9200)
        #expect(configuration.log.level == .debug)
        // Derived defaults follow the data directory the file set.
        #expect(configuration.tls.certificatePath == "/srv/hushbox/tls/certificate.pem")

        let sources = Dictionary(uniqueKeysWithValues: loaded.effectiveSettings.map { ($0.setting.key, $0.source) })
        #expect(sources["ops.port"] == .environment(variable: "HUSHBOX_OPS_PORT"))
        #expect(sources["device.name"] == .file(path: directory.child("hushbox.yaml")))
        #expect(sources["ops.address"] == .defaultValue)
    }

    @Test("a dotted key in YAML means the same as nesting")
    func dottedKeys() async throws {
        let configuration = try await load("ops.port: 9300\nshutdown: {grace_period_seconds: 3}").configuration
        #expect(configuration.ops.port == 9300)
        #expect(configuration.shutdown.gracePeriod == .seconds(3))
    }

    @Test("an unknown key is refused, named, with a suggestion and the keys allowed there")
    func unknownKey() async throws {
        let error = try #require(try await refusal("ops:\n  prot: 9000\n"))
        #expect(error.code == .unknownKey)
        #expect(error.subject == "ops.prot")
        #expect(error.description.contains("\"ops.prot\""))
        #expect(error.description.contains("Did you mean \"ops.port\"?"))
        #expect(error.description.contains("enabled, address, port"))
    }

    @Test("an unknown section is refused")
    func unknownSection() async throws {
        let error = try #require(try await refusal("telemetry:\n  enabled: true\n"))
        #expect(error.code == .unknownKey)
        #expect(error.subject == "telemetry")
    }

    @Test("a value of the wrong type names the key, the value and what is allowed")
    func wrongType() async throws {
        let error = try #require(try await refusal("ops:\n  port: ninety\n"))
        #expect(error.code == .invalidValue)
        #expect(error.subject == "ops.port")
        #expect(error.description.contains("\"ninety\""))
        #expect(error.description.contains("is not an integer"))
        #expect(error.description.contains("an integer from 0 to 65535"))
    }

    @Test("an out-of-range port names the key, the value and the range")
    func portOutOfRange() async throws {
        let error = try #require(try await refusal("ops:\n  port: 70000\n"))
        #expect(error.code == .invalidValue)
        #expect(error.subject == "ops.port")
        #expect(error.description.contains("\"70000\""))
        #expect(error.description.contains("out of range"))
        #expect(error.description.contains("from 0 to 65535"))
    }

    @Test("a single value where a section belongs is refused")
    func valueForSection() async throws {
        let error = try #require(try await refusal("ops: 9000\n"))
        #expect(error.code == .notASection)
        #expect(error.subject == "ops")
    }

    @Test("a section where a single value belongs is refused")
    func sectionForValue() async throws {
        let error = try #require(try await refusal("ops:\n  port:\n    number: 1\n"))
        #expect(error.code == .invalidValue)
        #expect(error.subject == "ops.port")
    }

    @Test("an empty section is allowed")
    func emptySection() async throws {
        let configuration = try await load("ops:\nlog:\n  level: error\n").configuration
        #expect(configuration.ops.port == 9464)
        #expect(configuration.log.level == .error)
    }

    @Test("values are checked by kind", arguments: [
        ("log:\n  level: loud\n", "log.level", "one of trace, debug, info, notice, warning, error, critical"),
        ("ops:\n  address: localhost\n", "ops.address", "an IPv4 or IPv6 address"),
        ("ops:\n  enabled: sometimes\n", "ops.enabled", "true or false"),
        ("storage:\n  data_directory: var/lib/hushbox\n", "storage.data_directory", "an absolute path"),
        ("device:\n  name: -bad-\n", "device.name", "letters, digits or hyphens"),
        ("shutdown:\n  grace_period_seconds: 0\n", "shutdown.grace_period_seconds", "an integer from 1 to 300"),
    ])
    func valuesCheckedByKind(yaml: String, key: String, allowed: String) async throws {
        let error = try #require(try await refusal(yaml))
        #expect(error.code == .invalidValue)
        #expect(error.subject == key)
        #expect(error.description.contains(allowed))
    }

    @Test("IPv6 listen addresses are accepted")
    func ipv6Address() async throws {
        #expect(try await load("ops:\n  address: \"::1\"\n").configuration.ops.address == "::1")
    }

    @Test("an unknown HUSHBOX_ environment variable is refused with a suggestion")
    func unknownEnvironmentVariable() async throws {
        let error = try #require(try await refusal("", environment: ["HUSHBOX_OPS_PROT": "9000"]))
        #expect(error.code == .unknownEnvironmentVariable)
        #expect(error.subject == "HUSHBOX_OPS_PROT")
        #expect(error.description.contains("Did you mean HUSHBOX_OPS_PORT?"))
    }

    @Test("a bad value from the environment names the variable as its source")
    func badEnvironmentValue() async throws {
        let error = try #require(try await refusal("", environment: ["HUSHBOX_OPS_PORT": "99999"]))
        #expect(error.subject == "ops.port")
        #expect(error.description.contains("environment variable HUSHBOX_OPS_PORT"))
    }

    @Test("malformed YAML is refused with where it broke")
    func malformedYAML() async throws {
        let error = try #require(try await refusal("ops:\n  port: [9000\n"))
        #expect(error.code == .malformedYAML)
        #expect(error.description.contains("hushbox.yaml"))
        #expect(error.description.contains("line") || error.description.contains(":2:") || error.description.contains(":3:"))
    }

    @Test("a missing file is refused with what to do")
    func missingFile() async throws {
        do {
            _ = try await ConfigurationLoader.load(.init(filePath: directory.child("absent.yaml"), profile: .production, environment: [:]))
            Issue.record("a missing file loaded")
        } catch {
            #expect(error.code == .fileUnreadable)
            #expect(error.description.contains("no such file"))
            #expect(error.description.contains("--config"))
        }
    }

    @Test("systemd's credentials directory is the default secrets directory")
    func credentialsDirectory() async throws {
        let configuration = try await load("", environment: ["CREDENTIALS_DIRECTORY": "/run/credentials/hushbox.service"]).configuration
        #expect(configuration.secrets.directory == "/run/credentials/hushbox.service")
    }

    @Test("the development profile keeps everything under .hushbox-dev and listens on loopback")
    func developmentProfile() async throws {
        let loaded = try await load(nil, profile: .development(workingDirectory: "/home/dev/hushbox"))
        let configuration = loaded.configuration
        #expect(configuration.storage.dataDirectory == "/home/dev/hushbox/.hushbox-dev")
        #expect(configuration.secrets.directory == "/home/dev/hushbox/.hushbox-dev/credentials")
        #expect(configuration.tls.certificatePath == "/home/dev/hushbox/.hushbox-dev/tls/certificate.pem")
        #expect(configuration.ops.address == "127.0.0.1")
        #expect(loaded.effectiveSettings.first { $0.setting.key == "storage.data_directory" }?.source == .developmentProfile)
    }
}
