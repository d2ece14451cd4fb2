using System.Diagnostics;
using System.Text.RegularExpressions;
using Mesh.Integration.Tests.Harness;
using Mesh.Integration.Tests.Local;
using Xunit.Abstractions;

namespace Mesh.Integration.Tests.Authz;

/// <summary>
/// Issue #6 (L4 enforcement) in the local mesh: AuthorizationPolicies written into the watched manifest directory are
/// enforced by the destination pod's ztunnel (15006 plaintext until HBONE is wired, 15008 after; both enforce), reported
/// in its metrics, and applied to connections that are already open.
/// </summary>
public sealed partial class LocalEnforcementTests(ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private const string DenyTcpEcho = """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: deny-tcp-echo
          namespace: demo
        spec:
          action: DENY
          rules:
          - to:
            - operation:
                ports: ["9000"]
        """;

    private static string DenyClientHttp(string clientIp) => $"""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: deny-client-http
          namespace: demo
        spec:
          selector:
            matchLabels:
              app: echo
          action: DENY
          rules:
          - from:
            - source:
                ipBlocks: ["{clientIp}/32"]
            to:
            - operation:
                ports: ["8080"]
        """;

    [RootFact]
    public async Task Policies_from_the_manifest_directory_deny_new_and_open_connections_and_show_in_metrics()
    {
        await using var mesh = LocalMesh.FromQuickstart();
        // The echo pods also serve a TCP echo on 9000 (for held-open connections).
        var echoFile = Path.Combine(mesh.Manifests, "echo.yaml");
        File.WriteAllText(echoFile, File.ReadAllText(echoFile).Replace(
            "        env:\n", "        env:\n        - name: TCP_PORT\n          value: \"9000\"\n"));
        await mesh.UpAsync();
        try
        {
            await RunAsync(mesh);
        }
        catch
        {
            foreach (var member in new[] { "node-0", "node-1" })
                output.WriteLine($"--- {member} (last 60 lines)\n" + string.Join('\n', mesh.MemberLog(member).Split('\n').TakeLast(60)));
            output.WriteLine("--- supervisor\n" + mesh.SupervisorLog());
            throw;
        }
    }

    private async Task RunAsync(LocalMesh mesh)
    {
        var status = await mesh.StatusAsync();
        var client = status.Pods.Single(p => p.Name == "client");
        var echo = status.Pods.First(p => p.Name.StartsWith("echo-", StringComparison.Ordinal));
        var echoNode = status.Members.Single(m => m.Name == echo.Node);

        // Two long-lived connections from the client pod to the same echo pod: TCP echo (9000) and HTTP (8080, idle).
        using var doomed = await HeldConnection.OpenAsync("ma_demo_client", echo.Ip, 9000, echo: true);
        Assert.Contains("echo hello", doomed.Output);
        using var unrelated = await HeldConnection.OpenAsync("ma_demo_client", echo.Ip, 8080, echo: false);

        var written = Stopwatch.StartNew();
        File.WriteAllText(Path.Combine(mesh.Manifests, "deny-tcp-echo.yaml"), DenyTcpEcho);
        await doomed.Closed.WaitAsync(TimeSpan.FromSeconds(30));
        var endToEnd = written.Elapsed;
        var recheck = RecheckLine().Match(await WaitForLogAsync(mesh, echo.Node, "policy re-check closed connection"));
        Assert.True(recheck.Success, mesh.MemberLog(echo.Node));
        var afterChange = int.Parse(recheck.Groups["ms"].Value, System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine($"held connection closed {endToEnd.TotalMilliseconds:0} ms after the manifest was written; " +
            $"the ztunnel closed it {afterChange} ms after the state arrived");
        Assert.Equal("demo/deny-tcp-echo", recheck.Groups["policy"].Value);
        Assert.True(afterChange < 1000, recheck.Value);
        Assert.False(unrelated.Closed.IsCompleted, $"the unrelated connection was closed: {unrelated.Output}");

        // A new connection to the denied port is refused; HTTP from the client is still allowed.
        var allowed = await mesh.ExecAsync("demo", "client", "curl", "-s", "--max-time", "5", $"http://{echo.Ip}:8080/allowed");
        Assert.True(allowed.ExitCode == 0, allowed.Output);
        Assert.False(unrelated.Closed.IsCompleted, $"the unrelated connection was closed: {unrelated.Output}");

        // DENY HTTP from the client's address: its curl fails, the outsider's (not in the mesh, same port) succeeds.
        File.WriteAllText(Path.Combine(mesh.Manifests, "deny-client-http.yaml"), DenyClientHttp(client.Ip));
        await Eventually.Until(() => mesh.ExecAsync("demo", "client", "curl", "-s", "--max-time", "3", $"http://{echo.Ip}:8080/denied"),
            curl => curl.ExitCode != 0, TimeSpan.FromSeconds(30), () => "the client's curl to be denied\n" + mesh.MemberLog(echo.Node));
        var outsider = await mesh.ExecAsync("legacy", "outsider", "curl", "-s", "--max-time", "5", $"http://{echo.Ip}:8080/outsider");
        Assert.True(outsider.ExitCode == 0, outsider.Output);
        Assert.Contains("policy=demo/deny-client-http rule=0", await WaitForLogAsync(mesh, echo.Node, "denied inbound connection"));
        // The idle HTTP connection from the client is now denied too, and was closed.
        await unrelated.Closed.WaitAsync(TimeSpan.FromSeconds(10));

        // The destination's ztunnel counts the denials.
        var metrics = await Http.GetStringAsync($"http://127.0.0.1:{echoNode.Ztunnel!.Stats}/metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("istio_tcp_connections_closed_total{", StringComparison.Ordinal)
            && l.Contains("reporter=\"destination\"") && l.Contains("response_flags=\"DENY\""));
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("ztunnel_policy_closed_connections_total ", StringComparison.Ordinal) && !l.EndsWith(" 0"));
    }

    private static async Task<string> WaitForLogAsync(LocalMesh mesh, string member, string fragment) =>
        (await Eventually.Until(() => Task.FromResult(mesh.MemberLog(member).Split('\n').FirstOrDefault(l => l.Contains(fragment, StringComparison.Ordinal))),
            line => line is not null, TimeSpan.FromSeconds(10),
            () => $"a \"{fragment}\" line in {member}'s log:\n{mesh.MemberLog(member)}"))!;

    [GeneratedRegex(@"policy=(?<policy>\S+) rule=\d+ \(state version \d+, (?<ms>\d+) ms after the change\)")]
    private static partial Regex RecheckLine();
}
