using Mesh.Cli.Tests.Support;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Tests.Commands.Config;

public sealed class ConfigCommandsTests
{
    private static readonly ConfigStatusView WithErrors = new(
        "/etc/mesh/manifests",
        3,
        new Dictionary<string, int> { ["Service"] = 4, ["AuthorizationPolicy"] = 2, ["Pod"] = 9 },
        [
            new ManifestErrorView("bad.yaml", 2, "bad.yaml document 2 (Pod demo/x): spec.foo: unknown field \"foo\" (line 9)"),
            new ManifestErrorView("broken.yaml", null, "broken.yaml: invalid YAML (line 3)"),
        ],
        new DateTimeOffset(2025, 3, 1, 12, 30, 0, TimeSpan.Zero));

    [Fact]
    public async Task Status_prints_files_object_counts_and_errors()
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.ConfigStatus, WithErrors);

        var result = await Meshctl.RunAsync(server.HostPort, "config", "status");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            """
            Source:       /etc/mesh/manifests
            Files:        3
            Last applied: 2025-03-01T12:30:00Z
            Objects:
              KIND                 COUNT
              AuthorizationPolicy  2
              Pod                  9
              Service              4
            Errors (2):
              bad.yaml document 2 (Pod demo/x): spec.foo: unknown field "foo" (line 9)
              broken.yaml: invalid YAML (line 3)

            """, result.Out);
    }

    [Fact]
    public async Task Status_of_an_empty_clean_source()
    {
        var view = new ConfigStatusView("/etc/mesh/manifests", 0, new Dictionary<string, int>(), [], null);
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.ConfigStatus, view);

        var result = await Meshctl.RunAsync(server.HostPort, "config", "status");

        Assert.Equal(
            """
            Source:       /etc/mesh/manifests
            Files:        0
            Last applied: never
            Objects:
              (none)
            Errors: none

            """, result.Out);
    }

    [Fact]
    public async Task Status_lists_the_state_computations_warnings_after_the_errors()
    {
        var view = new ConfigStatusView("/etc/mesh/manifests", 1, new Dictionary<string, int> { ["Gateway"] = 1 }, [], null,
            ["gateway demo/waypoint listener 'http' (protocol HTTP, port 80): Accepted=False, reason UnsupportedProtocol: a waypoint listens only on port 15008 with protocol HBONE"]);
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.ConfigStatus, view);

        var result = await Meshctl.RunAsync(server.HostPort, "config", "status");

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith(
            """
            Errors: none
            Warnings (1):
              gateway demo/waypoint listener 'http' (protocol HTTP, port 80): Accepted=False, reason UnsupportedProtocol: a waypoint listens only on port 15008 with protocol HBONE

            """, result.Out);
    }

    [Fact]
    public async Task Status_as_json_prints_the_dto()
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.ConfigStatus, WithErrors);

        var result = await Meshctl.RunAsync(server.HostPort, "config", "status", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\n  \"errors\": [\n    {\n      \"file\": \"bad.yaml\",\n      \"document\": 2,\n", result.Out);
        Assert.Contains("\"lastApplied\": \"2025-03-01T12:30:00+00:00\"", result.Out);
    }
}
