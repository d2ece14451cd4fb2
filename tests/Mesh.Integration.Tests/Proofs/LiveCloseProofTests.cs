using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mesh.Cli.Local;
using Xunit.Abstractions;

namespace Mesh.Integration.Tests.Proofs;

/// <summary>
/// Proof that a policy change closes a live connection between two pods within 1 s of the manifest edit, as the pod's
/// app sees it. The test holds the connections itself (sockets made in the client pod's netns, so captured and carried
/// over HBONE to the echo pod on the other node) and times the edit and the EOF/reset on its own clock; nothing the
/// ztunnel says about itself is measured.
/// </summary>
[Collection(ProofMeshCollection.Name)]
public sealed class LiveCloseProofTests(ProofMeshFixture mesh, ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    private const string DenyFile = "proof-deny-live-tcp-echo.yaml";
    private const string DenyName = "proof-deny-live-tcp-echo";
    private const string AllowTcpFile = "proof-allow-tcp.yaml";
    private const string AllowTcpName = "proof-allow-tcp";
    private const string AllowHttpFile = "proof-allow-http.yaml";
    private const string AllowHttpName = "proof-allow-http";

    /// <summary>An L4 AuthorizationPolicy on one pod and port, from <paramref name="principal"/> when given (else from anyone).</summary>
    private static string Policy(string name, string pod, string action, int port, string? principal = null)
    {
        var rule = principal is null
            ? $"""
                  - to:
                    - operation:
                        ports: ["{port}"]
                """
            : $"""
                  - from:
                    - source:
                        principals: ["{principal}"]
                    to:
                    - operation:
                        ports: ["{port}"]
                """;
        return $"""
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              name: {name}
              namespace: demo
            spec:
              selector:
                matchLabels:
                  app: {pod}
              action: {action}
              rules:
            {rule}
            """;
    }

    [RootFact]
    public async Task A_deny_policy_closes_a_held_connection_within_1s_of_the_file_being_written_and_spares_an_allowed_one()
    {
        try
        {
            var echo = mesh.Pod(ProofMeshFixture.LiveEcho);
            var latency = await ProveLiveCloseAsync(echo, "DENY written",
                () => mesh.Mesh.WriteManifest(DenyFile, Policy(DenyName, echo.Name, "DENY", ProofMeshFixture.TcpEchoPort)));
            output.WriteLine($"DENY: the held TCP echo connection ended {latency.TotalMilliseconds:0} ms after the policy file was written");
        }
        catch
        {
            output.WriteLine(mesh.Diagnostics());
            throw;
        }
        finally
        {
            await mesh.RemovePolicyAsync(DenyFile, "demo", DenyName);
        }
    }

    [RootFact]
    public async Task Removing_the_allow_that_admitted_a_held_connection_closes_it_within_1s_and_spares_the_one_still_allowed()
    {
        var echo = mesh.Pod(ProofMeshFixture.AllowEcho);
        const string client = "cluster.local/ns/demo/sa/client";
        try
        {
            // Two ALLOWs for the client, one per port: with ALLOW policies present, anything neither admits is denied.
            await mesh.ApplyPolicyAsync(AllowTcpFile, Policy(AllowTcpName, echo.Name, "ALLOW", ProofMeshFixture.TcpEchoPort, client), "demo", AllowTcpName);
            await mesh.ApplyPolicyAsync(AllowHttpFile, Policy(AllowHttpName, echo.Name, "ALLOW", ProofMeshFixture.HttpPort, client), "demo", AllowHttpName);
            // The ALLOWs are in force: a pod outside the mesh (no principal) is refused what the client is admitted to.
            var outsider = await Eventually.Until(() => PodCurl.GetAsync("legacy", "outsider", $"http://{echo.Ip}:{ProofMeshFixture.HttpPort}/"),
                c => c.ExitCode != 0, TimeSpan.FromSeconds(30), () => "the outsider refused while only the client is allowed");
            Assert.Equal("", outsider.Stdout);

            var latency = await ProveLiveCloseAsync(echo, "ALLOW removed",
                () => File.Delete(Path.Combine(mesh.Mesh.Manifests, AllowTcpFile)));
            output.WriteLine($"ALLOW removed: the held TCP echo connection ended {latency.TotalMilliseconds:0} ms after the policy file was deleted");
        }
        catch
        {
            output.WriteLine(mesh.Diagnostics());
            throw;
        }
        finally
        {
            await mesh.RemovePolicyAsync(AllowTcpFile, "demo", AllowTcpName);
            await mesh.RemovePolicyAsync(AllowHttpFile, "demo", AllowHttpName);
        }
    }

    /// <summary>
    /// Holds a TCP echo connection (to be cut) and an HTTP keep-alive connection (to survive) from the client pod to
    /// <paramref name="echo"/>, makes the manifest edit, and returns how long after the edit began the doomed one ended.
    /// </summary>
    private async Task<TimeSpan> ProveLiveCloseAsync(PodStatus echo, string what, Action edit)
    {
        var client = mesh.Pod("client");
        Assert.Equal(("node-0", "node-1"), (client.Node, echo.Node));
        var echoIp = IPAddress.Parse(echo.Ip);

        using var doomed = await HeldPodConnection.OpenAsync("demo", "client", new IPEndPoint(echoIp, ProofMeshFixture.TcpEchoPort));
        using var spared = await HeldPodConnection.OpenAsync("demo", "client", new IPEndPoint(echoIp, ProofMeshFixture.HttpPort));
        Assert.Equal("before-edit", await doomed.EchoLineAsync("before-edit", TimeSpan.FromSeconds(20)));
        var first = await spared.GetAsync("/spared-before", TimeSpan.FromSeconds(20));
        Assert.Equal(200, first.Status);
        Assert.Equal("/spared-before", JsonDocument.Parse(first.Body).RootElement.GetProperty("path").GetString());
        // What is under test: both ride HBONE between the pods (node-1 lists them as inbound HBONE from the client).
        await AssertInboundHboneAsync(client.Ip, echo.Ip, [ProofMeshFixture.TcpEchoPort, ProofMeshFixture.HttpPort]);

        // The reader is parked on the doomed connection before the edit; it timestamps the end the moment it sees it.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var end = doomed.ReadUntilEndAsync(stop.Token);
        var edited = Stopwatch.GetTimestamp();
        edit();
        ConnectionEnd closed;
        try
        {
            closed = await end.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what}: the held connection to :{ProofMeshFixture.TcpEchoPort} was still open 30 s after the edit");
        }
        var latency = Stopwatch.GetElapsedTime(edited, closed.Timestamp);
        output.WriteLine($"{what}: ended by {closed.How} after {closed.BytesRead} further bytes; ztunnel's own account (not measured): " +
            (mesh.Mesh.MemberLog("node-1").Split('\n').LastOrDefault(l => l.Contains("policy re-check closed connection", StringComparison.Ordinal)
                && l.Contains($"{echo.Ip}:{ProofMeshFixture.TcpEchoPort}", StringComparison.Ordinal)) ?? "(no re-check line)"));
        Assert.True(closed.How is "EOF" or nameof(SocketError.ConnectionReset), $"{what}: ended by {closed.How}");
        Assert.Equal(0L, closed.BytesRead);
        Assert.True(latency <= Budget, $"{what}: the held connection ended {latency.TotalMilliseconds:0} ms after the edit (budget {Budget.TotalMilliseconds:0} ms)");

        // The allowed connection stays open through the change and still answers on the same socket.
        await Eventually.Never(() => Task.FromResult(spared.IsOpen), open => !open, TimeSpan.FromSeconds(2),
            () => $"{what}: the allowed HTTP connection was closed by the policy change");
        var again = await spared.GetAsync("/spared-after", TimeSpan.FromSeconds(20));
        Assert.Equal(200, again.Status);
        var answer = JsonDocument.Parse(again.Body).RootElement;
        Assert.Equal("/spared-after", answer.GetProperty("path").GetString());
        Assert.Equal(echo.Name, answer.GetProperty("pod").GetString());

        // And the policy is what ended it: a new connection to that port is ended by the mesh before any echo.
        using var fresh = await HeldPodConnection.OpenAsync("demo", "client", new IPEndPoint(echoIp, ProofMeshFixture.TcpEchoPort));
        var refused = await Record.ExceptionAsync(() => fresh.EchoLineAsync("after-edit", TimeSpan.FromSeconds(20)));
        Assert.True(refused is IOException or SocketException,
            $"{what}: a new connection to the port was not ended by the mesh: {refused?.GetType().Name ?? "it echoed"} {refused?.Message}");
        return latency;
    }

    /// <summary>node-1's open connections include inbound HBONE ones from the client to each port (its /config_dump).</summary>
    private async Task AssertInboundHboneAsync(string clientIp, string echoIp, int[] ports)
    {
        await Eventually.Until(async () =>
            {
                using var dump = await mesh.Mesh.ConfigDumpAsync("node-1");
                return dump.RootElement.GetProperty("connections").EnumerateArray()
                    .Where(c => c.GetProperty("direction").GetString()!.Equals("inbound", StringComparison.OrdinalIgnoreCase)
                        && c.GetProperty("protocol").GetString() == "HBONE"
                        && c.GetProperty("remote").GetString()!.StartsWith(clientIp + ":", StringComparison.Ordinal))
                    .Select(c => c.GetProperty("local").GetString()!)
                    .ToList();
            },
            locals => ports.All(p => locals.Contains($"{echoIp}:{p}")), TimeSpan.FromSeconds(20),
            () => $"node-1 listing inbound HBONE connections from {clientIp} to {echoIp}:[{string.Join(",", ports)}]");
    }
}
