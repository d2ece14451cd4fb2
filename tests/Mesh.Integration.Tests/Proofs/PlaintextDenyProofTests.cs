using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mesh.Cli.Local;
using Mesh.Cli.Local.Network;
using Mesh.Integration.Tests.Harness;
using Mesh.Integration.Tests.Local;
using Xunit.Abstractions;

namespace Mesh.Integration.Tests.Proofs;

/// <summary>
/// Proof that the inbound plaintext path (15006) of a running ztunnel enforces policy as a user sees it: curl from a pod
/// outside the mesh gets the echo's answer, then — once a policy denies it — a connection reset at once (curl's exit
/// code and its duration, measured here), while an ambient client over HBONE is still served.
/// </summary>
[Collection(ProofMeshCollection.Name)]
public sealed class PlaintextDenyProofTests(ProofMeshFixture mesh, ITestOutputHelper output)
{
    private const string DenyFile = "proof-deny-outsider-ip.yaml";
    private const string DenyName = "proof-deny-outsider-ip";
    private const string StrictFile = "proof-strict-plain-echo.yaml";
    private const string StrictName = "proof-strict-plain-echo";
    // What STRICT becomes at the ztunnel (Istio ambient's conversion): a DENY for peers without a principal.
    private const string StaticStrict = "istio_converted_static_strict";
    private static readonly TimeSpan RefusedWithin = TimeSpan.FromSeconds(5);

    private static string DenyFromIp(string ip) => $"""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: {DenyName}
          namespace: demo
        spec:
          selector:
            matchLabels:
              app: {ProofMeshFixture.PlainEcho}
          action: DENY
          rules:
          - from:
            - source:
                ipBlocks: ["{ip}/32"]
        """;

    private static readonly string Strict = $"""
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: {StrictName}
          namespace: demo
        spec:
          selector:
            matchLabels:
              app: {ProofMeshFixture.PlainEcho}
          mtls:
            mode: STRICT
        """;

    [RootFact]
    public async Task Curl_from_outside_the_mesh_is_answered_then_reset_by_a_deny_policy_and_by_strict_mtls()
    {
        try
        {
            await RunAsync();
        }
        catch
        {
            output.WriteLine(mesh.Diagnostics());
            throw;
        }
        finally
        {
            await mesh.RemovePolicyAsync(DenyFile, "demo", DenyName);
            await mesh.RemovePolicyAsync(StrictFile, "istio-system", StaticStrict);
        }
    }

    private async Task RunAsync()
    {
        var echo = mesh.Pod(ProofMeshFixture.PlainEcho);
        var outsider = mesh.Pod("outsider");
        Assert.False(outsider.Ambient);
        Assert.True(echo.Ambient);
        var url = Url(echo);

        // Before any policy: the outsider's plaintext reaches the echo (via its 15006) and gets the echo's answer.
        var before = await PodCurl.GetAsync("legacy", "outsider", url);
        output.WriteLine($"before: {before.ExitCode} in {before.Took.TotalMilliseconds:0} ms");
        AssertAnswered(before, echo.Name);

        await ExpectRefusalAsync("DENY ipBlocks", DenyFile, DenyFromIp(outsider.Ip), "demo", DenyName, echo, bystanderRefused: false);
        await mesh.RemovePolicyAsync(DenyFile, "demo", DenyName);
        var between = await Eventually.Until(() => PodCurl.GetAsync("legacy", "outsider", url), c => c.ExitCode == 0, TimeSpan.FromSeconds(30),
            () => "the outsider answered again once the DENY policy was removed");
        AssertAnswered(between, echo.Name);

        // PeerAuthentication STRICT becomes the converted static DENY for peers without a principal (plaintext).
        await ExpectRefusalAsync("PeerAuthentication STRICT", StrictFile, Strict, "istio-system", StaticStrict, echo, bystanderRefused: true);
    }

    /// <summary>Writes the policy, waits until node-1 has it, then curl from the outsider must be reset at once.</summary>
    private async Task ExpectRefusalAsync(string what, string file, string yaml, string policyNs, string policyName, PodStatus echo,
        bool bystanderRefused)
    {
        var (url, echoPod) = (Url(echo), echo.Name);
        var written = Stopwatch.StartNew();
        await mesh.ApplyPolicyAsync(file, yaml, policyNs, policyName);
        var arrived = written.Elapsed;
        // Holding a policy is not yet applying it (the echo's workload must also list it, e.g. the converted STRICT one):
        // poll with curl until a refusal is seen, with a deadline.
        var refused = await Eventually.Until(() => PodCurl.GetAsync("legacy", "outsider", url), c => c.ExitCode != 0, TimeSpan.FromSeconds(30),
            () => $"curl from the outsider failing under {what}");
        output.WriteLine($"{what}: node-1 had it {arrived.TotalMilliseconds:0} ms after the write; first refused curl " +
            $"{written.Elapsed.TotalMilliseconds:0} ms after it: {refused}");
        AssertReset(refused, what);

        // What curl saw, on the test's own socket from the same pod. The kernel completes the handshake for the 15006
        // listener and the ztunnel then resets the connection without waiting for a byte; when the RST lands before the
        // non-blocking connect is confirmed, connect itself fails — with ECONNRESET (a reset after the handshake), not
        // ECONNREFUSED (which would mean nothing listened).
        var own = await OwnSocketAsync("outsider", echo);
        output.WriteLine($"{what}, own socket: {own}");
        Assert.Equal(nameof(SocketError.ConnectionReset), own.How);
        Assert.Equal(0L, own.BytesRead);
        Assert.True(own.Took < RefusedWithin, $"{what}: the reset took {own.Took.TotalMilliseconds:0} ms");

        // Refused every time from now on, not by chance.
        var again = await PodCurl.GetAsync("legacy", "outsider", url);
        output.WriteLine($"{what}, again: {again}");
        AssertReset(again, what);

        // Another pod outside the mesh: refused too under STRICT (plaintext), answered under a DENY of the outsider's
        // IP only, which shows the 15006 listener itself is up and deciding per source.
        var bystander = await PodCurl.GetAsync("legacy", "bystander", url);
        output.WriteLine($"{what}, bystander: {bystander}");
        if (bystanderRefused)
        {
            AssertReset(bystander, what);
        }
        else
        {
            AssertAnswered(bystander, echoPod);
            // The same kind of test-owned socket as the refused one, from the bystander: answered on 15006.
            using var allowed = await HeldPodConnection.OpenAsync("legacy", "bystander", new IPEndPoint(IPAddress.Parse(echo.Ip), 8080));
            var (status, body) = await allowed.GetAsync("/plain", TimeSpan.FromSeconds(10));
            Assert.Equal(200, status);
            Assert.Equal(echoPod, JsonDocument.Parse(body).RootElement.GetProperty("pod").GetString());
        }

        // The ambient client rides HBONE (mTLS, its own identity, not the outsider's IP): still answered.
        var ambient = await PodCurl.GetAsync("demo", "client", url);
        AssertAnswered(ambient, echoPod);
    }

    private sealed record OwnSocket(string Stage, string How, long BytesRead, TimeSpan Took)
    {
        public override string ToString() => $"{How} at {Stage}, {BytesRead} bytes read, {Took.TotalMilliseconds:0} ms after connect was called";
    }

    /// <summary>
    /// From a pod outside the mesh, a socket of the test's own: connect, send an HTTP request, read until the end. Says at
    /// which step the connection ended, how, after how many bytes from the app, and when.
    /// </summary>
    private static async Task<OwnSocket> OwnSocketAsync(string pod, PodStatus echo)
    {
        var started = Stopwatch.GetTimestamp();
        HeldPodConnection own;
        try
        {
            own = await HeldPodConnection.OpenAsync("legacy", pod, new IPEndPoint(IPAddress.Parse(echo.Ip), 8080));
        }
        catch (SocketException e)
        {
            return new OwnSocket("connect", e.SocketErrorCode.ToString(), 0, Stopwatch.GetElapsedTime(started));
        }
        using (own)
        {
            try
            {
                await own.SendAsync("GET /plain HTTP/1.1\r\nHost: echo\r\nUser-Agent: plaintext-proof\r\n\r\n", TimeSpan.FromSeconds(5));
            }
            catch (SocketException e)
            {
                return new OwnSocket("send", e.SocketErrorCode.ToString(), 0, Stopwatch.GetElapsedTime(started));
            }
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(PodCurl.MaxSeconds));
            var end = await own.ReadUntilEndAsync(limit.Token);
            return new OwnSocket("read", end.How, end.BytesRead, Stopwatch.GetElapsedTime(started, end.Timestamp));
        }
    }

    private static string Url(PodStatus echo) => $"http://{echo.Ip}:8080/plain";

    private static void AssertAnswered(CurlResult curl, string echoPod)
    {
        Assert.True(curl.ExitCode == 0, curl.ToString());
        var answer = JsonDocument.Parse(curl.Stdout).RootElement;
        Assert.Equal("/plain", answer.GetProperty("path").GetString());
        Assert.Equal(echoPod, answer.GetProperty("pod").GetString());
    }

    /// <summary>
    /// Refused by the peer, well before curl's own timeout: the ztunnel accepts (the kernel completed the handshake on
    /// 15006) and resets. curl reports that reset as 56 "Recv failure: Connection reset by peer" (55 on send), or — when
    /// the RST lands before curl has confirmed its non-blocking connect, as it does once the node's policy index is warm —
    /// as 7 "Couldn't connect to server". Never a timeout (28) or an empty answer (52).
    /// </summary>
    private static void AssertReset(CurlResult curl, string what)
    {
        Assert.True(curl.ExitCode is 7 or 55 or 56, $"{what}: expected the connection to be refused or reset, got {curl}");
        Assert.True(curl.Took < RefusedWithin, $"{what}: the refusal took {curl.Took.TotalMilliseconds:0} ms");
        Assert.Equal("", curl.Stdout);
    }
}
