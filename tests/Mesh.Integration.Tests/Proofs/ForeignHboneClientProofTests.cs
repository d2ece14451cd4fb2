using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mesh.Cli.Local;
using Mesh.Cli.Local.Network;
using Mesh.Protocol.Identity;
using Xunit.Abstractions;

namespace Mesh.Integration.Tests.Proofs;

/// <summary>
/// Proof that a running ztunnel's 15008 speaks HBONE to a client nobody here wrote: Debian's python3 (OpenSSL) and
/// python-h2, run inside a pod's netns outside the mesh (so nothing of ours sits on the client side), with client
/// certificates the test issues itself from the mesh's CA.
/// </summary>
[Collection(ProofMeshCollection.Name)]
public sealed class ForeignHboneClientProofTests(ProofMeshFixture mesh, ITestOutputHelper output)
{
    private const string PolicyFile = "proof-deny-intruder.yaml";
    private const string PolicyName = "proof-deny-intruder";
    private const string IntruderIdentity = "spiffe://cluster.local/ns/demo/sa/intruder";
    // Signed by the mesh's own CA, but naming another trust domain: the server must refuse it all the same.
    private const string OtherDomainIdentity = "spiffe://other.local/ns/demo/sa/client";

    private static readonly string DenyIntruder = $"""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: {PolicyName}
          namespace: demo
        spec:
          selector:
            matchLabels:
              app: {ProofMeshFixture.H2Echo}
          action: DENY
          rules:
          - from:
            - source:
                principals: ["cluster.local/ns/demo/sa/intruder"]
        """;

    private sealed record Probe(string Outcome, string? TlsVersion, string? Alpn, List<string> PeerUris, string? PeerDer,
        int? Status, string? Http, string? Error, TimeSpan Took);

    [RootFact(PythonModules = ["h2"])]
    public async Task Python_h2_does_mtls_and_connect_against_15008_and_is_refused_without_a_cert_from_a_foreign_ca_another_trust_domain_and_by_policy()
    {
        var work = Directory.CreateTempSubdirectory("ma-h2-proof-").FullName;
        try
        {
            await RunAsync(work);
        }
        catch
        {
            output.WriteLine(mesh.Diagnostics());
            throw;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            await mesh.RemovePolicyAsync(PolicyFile, "demo", PolicyName);
        }
    }

    private async Task RunAsync(string work)
    {
        var echo = mesh.Pod(ProofMeshFixture.H2Echo);
        var outsider = mesh.Pod("outsider");
        Assert.False(outsider.Ambient);
        // The CA `meshctl local up` generated for this mesh (<state-dir>/ca): the test issues its own leaves from it.
        var caDir = new LocalLayout(mesh.Mesh.StateDir).CaDir;
        var root = MeshCaLeaf.RootPath(caDir);
        MeshCaLeaf client, intruder, otherDomain;
        using (var ca = MeshCaLeaf.LoadMeshCa(caDir))
        {
            client = MeshCaLeaf.Issue(ca, ProofMeshFixture.ClientIdentity, work, "client");
            intruder = MeshCaLeaf.Issue(ca, IntruderIdentity, work, "intruder");
            otherDomain = MeshCaLeaf.Issue(ca, OtherDomainIdentity, work, "other-domain");
        }
        // The same identity from a CA of the same shape (O=cluster.local) that the mesh has never heard of.
        PemFiles foreign;
        using (var foreignCa = TestCa.Root())
        using (var svid = foreignCa.Svid(SpiffeId.Parse(ProofMeshFixture.ClientIdentity)))
            foreign = svid.WritePem(Path.Combine(work, "foreign"), "client");

        await mesh.ApplyPolicyAsync(PolicyFile, DenyIntruder, "demo", PolicyName);

        // 1. A mesh SVID: TLS 1.3 + h2, the server proves the echo pod's identity, CONNECT 200, HTTP/1.1 inside.
        var ok = await ProbeAsync(echo.Ip, root, client, "/through-python-h2");
        output.WriteLine($"client SVID: {ok.Outcome} {ok.TlsVersion} alpn={ok.Alpn} status={ok.Status} peer=[{string.Join(",", ok.PeerUris)}] in {ok.Took.TotalMilliseconds:0} ms");
        Assert.True(ok.Status == 200, $"CONNECT answered {ok.Status?.ToString() ?? "nothing"}: {ok.Error}");
        Assert.Equal(("TLSv1.3", "h2"), (ok.TlsVersion, ok.Alpn));
        Assert.Equal([ProofMeshFixture.EchoIdentity], ok.PeerUris);
        AssertChainsToRoot(ok.PeerDer!, root);
        Assert.NotNull(ok.Http);
        var (statusLine, body) = SplitHttp(ok.Http!);
        Assert.Equal("HTTP/1.1 200 OK", statusLine);
        var answer = JsonDocument.Parse(body).RootElement;
        Assert.Equal("/through-python-h2", answer.GetProperty("path").GetString());
        Assert.Equal(ProofMeshFixture.H2Echo, answer.GetProperty("pod").GetString());
        Assert.Equal("demo", answer.GetProperty("namespace").GetString());

        // 2. No client certificate: the server refuses the TLS session; no CONNECT is ever answered.
        var anonymous = await ProbeAsync(echo.Ip, root, null, "/anonymous");
        output.WriteLine($"no client cert: {anonymous.Outcome} ({anonymous.Error}) in {anonymous.Took.TotalMilliseconds:0} ms");
        Assert.Contains(anonymous.Outcome, new[] { "handshake_failed", "refused" });
        Assert.Null(anonymous.Status);
        Assert.Null(anonymous.Http);

        // 3. A well-formed SVID for the same identity from a CA the mesh does not trust: refused the same way.
        var stranger = await ProbeAsync(echo.Ip, root, new MeshCaLeaf(foreign.Certificate, foreign.Key), "/foreign-ca");
        output.WriteLine($"foreign CA: {stranger.Outcome} ({stranger.Error}) in {stranger.Took.TotalMilliseconds:0} ms");
        Assert.Contains(stranger.Outcome, new[] { "handshake_failed", "refused" });
        Assert.Null(stranger.Status);
        Assert.Null(stranger.Http);

        // 4. Our own CA's signature on an id of another trust domain: refused too (the trust domain is checked, not just the chain).
        var elsewhere = await ProbeAsync(echo.Ip, root, otherDomain, "/other-domain");
        output.WriteLine($"other trust domain: {elsewhere.Outcome} ({elsewhere.Error}) in {elsewhere.Took.TotalMilliseconds:0} ms");
        Assert.Contains(elsewhere.Outcome, new[] { "handshake_failed", "refused" });
        Assert.Null(elsewhere.Status);
        Assert.Null(elsewhere.Http);

        // 5. A mesh SVID whose identity a DENY policy names: the tunnel is refused with 401, the app never reached.
        var denied = await ProbeAsync(echo.Ip, root, intruder, "/intruder");
        output.WriteLine($"denied identity: {denied.Outcome} status={denied.Status} ({denied.Error}) in {denied.Took.TotalMilliseconds:0} ms");
        Assert.Equal(("TLSv1.3", "h2"), (denied.TlsVersion, denied.Alpn));
        Assert.Equal(401, denied.Status);
        Assert.Null(denied.Http);
    }

    private async Task<Probe> ProbeAsync(string podIp, string root, MeshCaLeaf? leaf, string path)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Proofs", "hbone_probe.py");
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", LocalNames.Netns("legacy", "outsider"), Prerequisites.Python, script, podIp, "15008", root,
                     leaf?.CertPath ?? "-", leaf?.KeyPath ?? "-", $"{podIp}:8080", path })
            start.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        var took = clock.Elapsed;
        Assert.True(process.ExitCode == 0, $"hbone_probe.py exit {process.ExitCode}: {stdout}\n{await stderr}");
        var report = JsonDocument.Parse(stdout).RootElement;
        string? Text(string name) => report.GetProperty(name).ValueKind == JsonValueKind.Null ? null : report.GetProperty(name).GetString();
        return new Probe(Text("outcome")!, Text("tls_version"), Text("alpn"),
            report.GetProperty("peer_uris").EnumerateArray().Select(u => u.GetString()!).ToList(), Text("peer_der"),
            report.GetProperty("status").ValueKind == JsonValueKind.Null ? null : report.GetProperty("status").GetInt32(),
            Text("http"), Text("error"), took);
    }

    /// <summary>The test's own check (besides OpenSSL's in the client): the server's leaf chains to the mesh root.</summary>
    private static void AssertChainsToRoot(string peerDerBase64, string rootPath)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(peerDerBase64));
        using var root = X509Certificate2.CreateFromPem(File.ReadAllText(rootPath));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        Assert.True(chain.Build(leaf), "server certificate does not chain to the mesh root: " +
            string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(root.RawData, chain.ChainElements[^1].Certificate.RawData);
    }

    private static (string StatusLine, string Body) SplitHttp(string response)
    {
        var split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"not an HTTP/1.1 response: {response}");
        return (response[..response.IndexOf("\r\n", StringComparison.Ordinal)], response[(split + 4)..]);
    }
}
