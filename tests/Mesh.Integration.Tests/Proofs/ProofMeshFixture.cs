using Mesh.Cli.Local;
using Mesh.Integration.Tests.Harness;

namespace Mesh.Integration.Tests.Proofs;

/// <summary>
/// One running local mesh (2 nodes, root, the same <see cref="LocalMesh"/> harness and manifest pieces as
/// <see cref="Local.HboneMeshFixture"/>) for the end-to-end proofs: an ambient client on node-0, two pods outside the mesh
/// on node-0 (outsider, bystander), and one ambient echo pod per proof on node-1, so every proof crosses the node bridges
/// and its policies, each selecting only its own echo pod, never touch another proof's traffic. Its own mesh rather than
/// HboneMeshFixture's: the proofs edit policy in the running mesh, which those tests' exact counters must not see.
/// </summary>
public sealed class ProofMeshFixture : IAsyncLifetime
{
    public const string ClientIdentity = "spiffe://cluster.local/ns/demo/sa/client";
    public const string EchoIdentity = "spiffe://cluster.local/ns/demo/sa/echo";

    /// <summary>Live close by a DENY: TCP echo on <see cref="TcpEchoPort"/> next to HTTP on 8080.</summary>
    public const string LiveEcho = "echo-live";
    /// <summary>Live close by removing an ALLOW: the same two ports.</summary>
    public const string AllowEcho = "echo-allow";
    /// <summary>Foreign HBONE client proof (15008).</summary>
    public const string H2Echo = "echo-h2";
    /// <summary>Plaintext (15006) deny proof.</summary>
    public const string PlainEcho = "echo-plain";
    public const int TcpEchoPort = 9000;
    public const int HttpPort = 8080;

    private static string Manifest => Manifests.Documents(
        Manifests.AmbientNamespace,
        Manifests.PlainNamespace("legacy"),
        Manifests.ServiceAccount("client"),
        Manifests.ServiceAccount("echo"),
        Manifests.Sleeper("client", "demo", "node-0", "client"),
        Manifests.Sleeper("outsider", "legacy", "node-0", null),
        Manifests.Sleeper("bystander", "legacy", "node-0", null),
        Manifests.EchoPod(LiveEcho, "node-1", "echo", TcpEchoPort),
        Manifests.EchoPod(AllowEcho, "node-1", "echo", TcpEchoPort),
        Manifests.EchoPod(H2Echo, "node-1", "echo"),
        Manifests.EchoPod(PlainEcho, "node-1", "echo"));

    public LocalMesh Mesh { get; } = LocalMesh.FromManifests(new Dictionary<string, string> { ["mesh.yaml"] = Manifest });
    public LocalStatus Status { get; private set; } = null!;

    public PodStatus Pod(string name) => Status.Pods.Single(p => p.Name == name);

    public async Task InitializeAsync()
    {
        if (new RootFactAttribute().Skip is not null) return; // the tests skip themselves; nothing to start
        await Mesh.UpAsync(nodes: 2);
        Status = await Mesh.StatusAsync();
        // `up` does not wait for pods that cannot run (e.g. an unbuilt echo); every proof needs all of them.
        var notReady = Status.Pods.Where(p => !p.Ready).Select(p => $"{p.Namespace}/{p.Name}: {p.Message}").ToList();
        Assert.True(notReady.Count == 0, "pods not ready:\n" + string.Join('\n', notReady));
        // HBONE needs the SVIDs: node-0 serves sa client (the legacy pods have none), node-1 sa echo.
        await Mesh.WaitForSvidsAsync("node-0", [ClientIdentity]);
        await Mesh.WaitForSvidsAsync("node-1", [EchoIdentity]);
    }

    /// <summary>Writes a policy file and waits until node-1 (where every proof's echo runs) holds <c>ns/name</c>.</summary>
    public async Task ApplyPolicyAsync(string file, string yaml, string ns, string name)
    {
        Mesh.WriteManifest(file, yaml);
        await Eventually.Until(() => Mesh.NodeHasPolicyAsync("node-1", ns, name), has => has, TimeSpan.FromSeconds(30),
            () => $"node-1 holding {ns}/{name}");
    }

    /// <summary>Removes a policy file (if there) and waits until node-1 no longer holds <c>ns/name</c>.</summary>
    public async Task RemovePolicyAsync(string file, string ns, string name)
    {
        var path = Path.Combine(Mesh.Manifests, file);
        if (!File.Exists(path)) return;
        File.Delete(path);
        await Eventually.Until(() => Mesh.NodeHasPolicyAsync("node-1", ns, name), has => !has, TimeSpan.FromSeconds(30),
            () => $"node-1 dropping {ns}/{name}");
    }

    /// <summary>The last lines of the members' logs, for a failing proof's output (never asserted on).</summary>
    public string Diagnostics() => string.Join('\n', new[] { "node-0", "node-1" }.Select(m =>
        $"--- {m} (last 40 lines)\n" + string.Join('\n', Mesh.MemberLog(m).Split('\n').TakeLast(40)))) + "\n--- supervisor\n" + Mesh.SupervisorLog();

    public async Task DisposeAsync() => await Mesh.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ProofMeshCollection : ICollectionFixture<ProofMeshFixture>
{
    public const string Name = "proof mesh";
}
