using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mesh.Cli.Local;
using Mesh.Cli.Local.Network;
using Mesh.Integration.Tests.Harness;
using Mesh.Protocol.Admin;
using Xunit.Abstractions;

namespace Mesh.Integration.Tests.Local;

/// <summary>
/// One local mesh (2 nodes, root) shared by <see cref="LocalHboneTests"/>: the client pods and a second echo on node-0, the
/// echo Deployment pinned to node-1 (so Service traffic crosses the node bridges), a pod in a namespace outside the mesh.
/// </summary>
public sealed class HboneMeshFixture : IAsyncLifetime
{
    public const string ClientIdentity = "spiffe://cluster.local/ns/demo/sa/client";
    public const string EchoIdentity = "spiffe://cluster.local/ns/demo/sa/echo";

    private static string Manifest => Manifests.Documents(
        Manifests.AmbientNamespace,
        Manifests.PlainNamespace("legacy"),
        Manifests.ServiceAccount("client"),
        Manifests.ServiceAccount("echo"),
        Manifests.Sleeper("client", "demo", "node-0", "client"),
        // A second client with the same identity: its own netns, so its HBONE connections are its own (pool key has the
        // source address) and the wire test sees them open, whatever ran before.
        Manifests.Sleeper("wire-client", "demo", "node-0", "client"),
        Manifests.Sleeper("outsider", "legacy", "node-0", null),
        $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: echo
          namespace: demo
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: echo
          template:
            metadata:
              labels:
                app: echo
            spec:
              nodeName: node-1
              serviceAccountName: echo
        {Manifests.EchoContainers(6)}
        """,
        Manifests.EchoPod("echo-near", "node-0", "echo"),
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: echo
          namespace: demo
        spec:
          selector:
            app: echo
          ports:
          - name: http
            port: 8080
            targetPort: http
        """);

    public LocalMesh Mesh { get; } = LocalMesh.FromManifests(new Dictionary<string, string> { ["mesh.yaml"] = Manifest });
    public LocalStatus Status { get; private set; } = null!;

    public PodStatus Pod(string name) => Status.Pods.Single(p => p.Name == name);
    public PodStatus Echo => Status.Pods.Single(p => p.Name.StartsWith("echo-", StringComparison.Ordinal) && p.Name != "echo-near");
    public string Vip => Status.Services.Single(s => s.Name == "echo").Vip;

    public async Task InitializeAsync()
    {
        if (new RootFactAttribute().Skip is not null) return; // the tests skip themselves; nothing to start
        await Mesh.UpAsync(nodes: 2);
        Status = await Mesh.StatusAsync();
        // HBONE needs the SVIDs: node-0 serves sa client and sa echo (echo-near), node-1 sa echo.
        await Mesh.WaitForSvidsAsync("node-0", [ClientIdentity, EchoIdentity]);
        await Mesh.WaitForSvidsAsync("node-1", [EchoIdentity]);
    }

    public async Task DisposeAsync() => await Mesh.DisposeAsync();
}

/// <summary>
/// Issue #5's acceptance in the local mesh: captured traffic between ambient pods rides HBONE (HTTP/2 CONNECT over
/// mutual TLS to podIP:15008) across and within nodes — the destination ztunnel logs the client's SPIFFE identity,
/// per-pod counters say HBONE, and tcpdump sees only TLS on 15008 — while a pod outside the mesh still reaches an
/// ambient pod as inbound plaintext (15006), and a pod's DNS is answered by its ztunnel.
/// </summary>
public sealed partial class LocalHboneTests(HboneMeshFixture mesh, ITestOutputHelper output) : IClassFixture<HboneMeshFixture>
{
    private LocalMesh Mesh => mesh.Mesh;

    [RootFact]
    public async Task Curl_by_name_and_cluster_ip_rides_hbone_across_nodes_and_the_destination_logs_the_client_identity()
    {
        var (client, echo, near) = (mesh.Pod("client"), mesh.Echo, mesh.Pod("echo-near"));
        Assert.Equal(("node-0", "node-1", "node-0"), (client.Node, echo.Node, near.Node));
        var before = await PodViewsAsync();
        // Only this test's lines count (the logs are shared with the other tests of the fixture): from here on.
        var (node0From, node1From) = (Mesh.MemberLog("node-0").Length, Mesh.MemberLog("node-1").Length);
        IReadOnlyList<AccessLogLine> Since(string node, int from) => AccessLogLine.Parse(Mesh.MemberLog(node)[from..]);

        // Four requests to the Service (on node-1: across the bridges), one to echo-near's pod IP (same node).
        var requests = new[] { "http://echo:8080/short", "http://echo.demo:8080/name", "http://echo.demo.svc.cluster.local:8080/fqdn",
            $"http://{mesh.Vip}:8080/vip", $"http://{near.Ip}:8080/same-node" };
        foreach (var url in requests)
        {
            var curl = await Mesh.ExecAsync("demo", "client", "curl", "-s", "--max-time", "5", url);
            Assert.True(curl.ExitCode == 0, $"{url}: exit {curl.ExitCode} {curl.Output}\n{Tail(Mesh.MemberLog("node-0"))}");
            var answer = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(curl.Stdout)!;
            Assert.Equal(new Uri(url).AbsolutePath, answer["path"].GetString());
            Assert.Equal(url.Contains(near.Ip, StringComparison.Ordinal) ? near.Name : echo.Name, answer["pod"].GetString());
        }

        // The destination ztunnels' access log has one inbound HBONE line per CONNECT, with the client's SPIFFE id
        // (written at completion: wait for them).
        List<AccessLogLine> InboundHbone(IReadOnlyList<AccessLogLine> lines, string pod) =>
            lines.Where(l => l.Inbound && l.Hbone && l["dst.workload"] == pod && l["src.workload"] == client.Name).ToList();
        var crossNode = await Eventually.Until(() => Task.FromResult(InboundHbone(Since("node-1", node1From), echo.Name)),
            lines => lines.Count >= 4, TimeSpan.FromSeconds(10), () => $"4 inbound HBONE lines for {echo.Name}\n{Tail(Mesh.MemberLog("node-1"))}");
        var sameNode = await Eventually.Until(() => Task.FromResult(InboundHbone(Since("node-0", node0From), near.Name)),
            lines => lines.Count >= 1, TimeSpan.FromSeconds(10), () => $"an inbound HBONE line for echo-near\n{Tail(Mesh.MemberLog("node-0"))}");
        Assert.Equal(4, crossNode.Count);
        Assert.Single(sameNode);
        foreach (var (line, pod) in crossNode.Select(l => (l, echo)).Concat(sameNode.Select(l => (l, near))))
        {
            Assert.Equal(HboneMeshFixture.ClientIdentity, line["src.identity"]);
            Assert.Equal(HboneMeshFixture.EchoIdentity, line["dst.identity"]);
            Assert.Equal("demo", line["src.namespace"]);
            // The tunnel was dialled from the client's own netns: its peer address is the client pod's IP.
            Assert.Equal(client.Ip, line.SourceIp);
            // The CONNECT named the pod's app port, and that is where the ztunnel took it.
            Assert.Equal($"{pod.Ip}:8080", line["dst.hbone_addr"]);
            Assert.Equal($"{pod.Ip}:8080", line["dst.addr"]);
            Assert.True(line.BytesSent > line.BytesReceived, $"echo answered {line.BytesSent} bytes to a {line.BytesReceived}-byte request: {line}");
        }

        // No plaintext inbound from the client anywhere: nothing of it reached 15006 (the whole logs, not just this test's part).
        foreach (var node in new[] { "node-1", "node-0" })
            Assert.DoesNotContain(AccessLogLine.Parse(Mesh.MemberLog(node)), l => l.Inbound && !l.Hbone && l.SourceIp == client.Ip);

        // The source side: each request went out over HBONE to podIP:15008 (one outbound line per curl, from the client's
        // own socket), and both ends count the same bytes: per destination pod, the (sent, received) of the client's
        // lines are the (received, sent) of the echo's lines.
        var outbound = await Eventually.Until(
            () => Task.FromResult(Since("node-0", node0From).Where(l => l.Outbound && l.SourceIp == client.Ip).ToList()),
            lines => lines.Count >= 5, TimeSpan.FromSeconds(10), () => $"5 outbound lines of the client\n{Tail(Mesh.MemberLog("node-0"))}");
        Assert.Equal(5, outbound.Count);
        Assert.Equal(5, outbound.Select(l => l.SourcePort).Distinct().Count());
        foreach (var (pod, inbound) in new[] { (echo, crossNode), (near, sameNode) })
        {
            var towards = outbound.Where(l => l["dst.workload"] == pod.Name).ToList();
            Assert.All(towards, l =>
            {
                Assert.True(l.Hbone, l.Text);
                Assert.Equal($"{pod.Ip}:15008", l["dst.addr"]);
                Assert.Equal($"{pod.Ip}:8080", l["dst.hbone_addr"]);
                Assert.Equal(HboneMeshFixture.ClientIdentity, l["src.identity"]);
                Assert.Equal(HboneMeshFixture.EchoIdentity, l["dst.identity"]);
            });
            Assert.Equal(inbound.Select(l => (l.BytesReceived, l.BytesSent)).Order(), towards.Select(l => (l.BytesSent, l.BytesReceived)).Order());
        }

        // /v1/node/pods: inbound HBONE at the destinations, outbound HBONE at the source.
        var after = await Eventually.Until(PodViewsAsync,
            views => Delta(before, views, echo.Name, v => v.InboundHboneClosed) == 4 && Delta(before, views, near.Name, v => v.InboundHboneClosed) == 1
                && Delta(before, views, client.Name, v => v.OutboundHbone) == 5,
            TimeSpan.FromSeconds(10), () => "HBONE counters moved");
        Assert.Equal(4, Delta(before, after, echo.Name, v => v.InboundHboneOpened));
        Assert.Equal(1, Delta(before, after, near.Name, v => v.InboundHboneOpened));
        Assert.Equal(5, Delta(before, after, client.Name, v => v.OutboundOpened));
        Assert.Equal(0, Delta(before, after, client.Name, v => v.Failed));
        Assert.All(new[] { echo.Name, near.Name, client.Name }, name => Assert.True(after[name].ServesHbone, name));
    }

    [RootFact("tcpdump")]
    public async Task Only_tls_on_15008_crosses_the_wire_between_ambient_pods()
    {
        var (source, echo, near) = (mesh.Pod("wire-client"), mesh.Echo, mesh.Pod("echo-near"));
        var marker = "wire-" + Guid.NewGuid().ToString("N")[..12];
        var pcap = Path.Combine(Mesh.StateDir, "wire.pcap");
        // On the source pod's eth0: everything it exchanges with the echo pods (across the bridges and on its own
        // bridge), and anything addressed to the VIP (which must never leave the pod: the ztunnel resolves it).
        await using var capture = await PacketCapture.StartAsync(LocalNames.Netns("demo", source.Name), "eth0",
            $"host {echo.Ip} or host {near.Ip} or host {mesh.Vip}", pcap);

        long echoBody = 0, nearBody = 0;
        foreach (var url in new[] { $"http://echo.demo:8080/{marker}/name", $"http://{mesh.Vip}:8080/{marker}/vip", $"http://{near.Ip}:8080/{marker}/near" })
        {
            var curl = await Mesh.ExecAsync("demo", source.Name, "curl", "-s", "--max-time", "5", url);
            Assert.True(curl.ExitCode == 0, $"{url}: exit {curl.ExitCode} {curl.Output}");
            Assert.Contains(marker, curl.Stdout);
            if (url.Contains(near.Ip, StringComparison.Ordinal)) nearBody += Encoding.UTF8.GetByteCount(curl.Stdout);
            else echoBody += Encoding.UTF8.GetByteCount(curl.Stdout);
        }

        // Until the encrypted answers are in the file (at least as many bytes as the plaintext bodies), then stop.
        IPAddress sourceIp = IPAddress.Parse(source.Ip), echoIp = IPAddress.Parse(echo.Ip), nearIp = IPAddress.Parse(near.Ip), vip = IPAddress.Parse(mesh.Vip);
        long FromServer(Pcap.Capture c, IPAddress server) =>
            c.Packets.Where(p => p.Source.Equals(server) && p.SourcePort == 15008 && p.Destination.Equals(sourceIp)).Sum(p => (long)p.Payload.Length);
        await Eventually.Until(() => Task.FromResult(Pcap.Read(pcap)), c => FromServer(c, echoIp) >= echoBody && FromServer(c, nearIp) >= nearBody,
            TimeSpan.FromSeconds(10), () => $"the answers in {pcap}");
        var summary = await capture.StopAsync();
        var wire = Pcap.Read(pcap);
        output.WriteLine(summary.Trim());

        // Every packet between the pods is TCP to or from 15008; nothing is addressed to the VIP.
        var strays = wire.Packets.Where(p => p.Involves(vip) || p.Protocol != CapturedPacket.Tcp || (p.SourcePort != 15008 && p.DestinationPort != 15008)).ToList();
        Assert.True(strays.Count == 0, "packets outside HBONE:\n" + string.Join('\n', strays.Take(20)));
        Assert.Matches(@"(^|\n)0 packets dropped by kernel", summary);

        // Each connection opened with a TLS handshake both ways (record type 0x16, version 0x03xx) on 15008.
        foreach (var server in new[] { echoIp, nearIp })
        {
            Assert.Contains(wire.Packets, p => p.Destination.Equals(server) && p.DestinationPort == 15008 && IsTlsHandshake(p.Payload));
            Assert.Contains(wire.Packets, p => p.Source.Equals(server) && p.SourcePort == 15008 && IsTlsHandshake(p.Payload));
        }

        // No plaintext HTTP, neither in a packet nor in a flow's reassembled bytes (a word may straddle segments).
        var flows = wire.Packets.Where(p => p.Payload.Length > 0)
            .GroupBy(p => $"{p.Source}:{p.SourcePort} > {p.Destination}:{p.DestinationPort}")
            .ToDictionary(g => g.Key, g => g.SelectMany(p => p.Payload).ToArray());
        string[] plaintext = ["GET /", "HTTP/1.1", "User-Agent", "\"path\"", "\"namespace\"", "echo.demo", marker];
        foreach (var (flow, bytes) in flows)
            foreach (var word in plaintext)
                Assert.True(bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(word)) < 0, $"plaintext '{word}' in {flow}");

        var tlsRecords = wire.Packets.Count(p => p.Payload.Length > 0 && p.Payload[0] is 0x16 or 0x17 && p.Payload.Length > 1 && p.Payload[1] == 0x03);
        output.WriteLine($"{wire.Records} frames ({wire.SkippedFrames} non-IPv4), {wire.Packets.Count} IPv4 packets, {flows.Count} flows " +
            $"[{string.Join(", ", flows.Select(f => $"{f.Key} {f.Value.Length} B"))}], {tlsRecords} segments starting with a TLS record; " +
            $"plaintext bodies {echoBody} + {nearBody} B, none of [{string.Join(", ", plaintext)}] on the wire");
    }

    [RootFact]
    public async Task A_pod_outside_the_mesh_reaches_an_ambient_pod_as_inbound_plaintext()
    {
        var (outsider, echo) = (mesh.Pod("outsider"), mesh.Echo);
        Assert.False(outsider.Ambient);
        var before = await PodViewsAsync();

        var curl = await Mesh.ExecAsync("legacy", "outsider", "curl", "-s", "--max-time", "5", $"http://{echo.Ip}:8080/from-outside");
        Assert.True(curl.ExitCode == 0, curl.Output);
        Assert.Contains("\"path\": \"/from-outside\"", curl.Stdout);

        // Redirected to 15006 in the echo's netns (PERMISSIVE): the access log line is plain TCP from the outsider's own IP.
        var line = await Eventually.Until(
            () => Task.FromResult(AccessLogLine.Parse(Mesh.MemberLog("node-1")).FirstOrDefault(l => l.Inbound && l.SourceIp == outsider.Ip
                && l["dst.workload"] == echo.Name)),
            l => l is not null, TimeSpan.FromSeconds(10), () => $"a plaintext inbound line for {echo.Name} from {outsider.Ip}");
        Assert.False(line!.Hbone, line.Text);
        Assert.Equal($"{echo.Ip}:8080", line["dst.addr"]);
        Assert.Equal(("outsider", "legacy"), (line["src.workload"], line["src.namespace"]));
        Assert.Null(line["src.identity"]); // plaintext: no identity is claimed for either side
        Assert.Null(line["dst.identity"]);
        Assert.True(line.BytesSent > 0 && line.BytesReceived > 0, line.Text);
        // No inbound HBONE line from the outsider.
        Assert.DoesNotContain(AccessLogLine.Parse(Mesh.MemberLog("node-1")), l => l.Inbound && l.Hbone && l.SourceIp == outsider.Ip);

        var after = await Eventually.Until(PodViewsAsync, views => Delta(before, views, echo.Name, v => v.InboundPlaintextClosed) >= 1,
            TimeSpan.FromSeconds(10), () => "the echo's plaintext counter moved");
        Assert.True(Delta(before, after, echo.Name, v => v.InboundPlaintextOpened) >= 1); // ≥: readiness probes also arrive on 15006
        Assert.Equal(0, Delta(before, after, echo.Name, v => v.InboundHboneOpened));
        Assert.DoesNotContain(after.Values, v => v.Name == outsider.Name);
    }

    [RootFact]
    public async Task Dns_in_an_ambient_pod_answers_mesh_names_with_the_vip_and_forwards_other_names()
    {
        var netns = LocalNames.Netns("demo", "client");
        foreach (var name in new[] { "echo", "echo.demo", "echo.demo.svc.cluster.local" })
        {
            foreach (var tcp in new[] { false, true })
            {
                // The pod's resolv.conf names the host's resolver; the capture rules send port 53 to the ztunnel's proxy,
                // which answers mesh names itself (authoritative, the VIP only the mesh knows).
                var dig = await DigAsync(["ip", "netns", "exec", netns], name, tcp);
                Assert.True(dig.Status == "NOERROR", $"{name} (tcp {tcp}): {dig.Output}");
                Assert.Contains("aa", dig.Flags.Split(' '));
                Assert.Equal([(name + ".", "A", mesh.Vip)], dig.Answers);
            }
            var hosts = await Run("ip", "netns", "exec", netns, "getent", "hosts", name);
            Assert.Equal(mesh.Vip, hosts.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault());
        }

        // Anything else goes to the host's resolver unchanged: the pod gets the upstream's own answer (not authoritative
        // from the proxy), or SERVFAIL when the host has no working resolver.
        const string other = "example.com";
        var upstream = UpstreamResolvers().FirstOrDefault();
        var direct = upstream is null ? null : await DigAsync([], other, tcp: false, server: upstream);
        var forwarded = await DigAsync(["ip", "netns", "exec", netns], other, tcp: false);
        output.WriteLine($"{other}: host resolver {upstream ?? "(none)"} said {direct?.Status ?? "nothing"}, the pod got {forwarded.Status} [{forwarded.Flags}]");
        if (direct is { Status.Length: > 0 })
        {
            Assert.Equal(direct.Status, forwarded.Status);
            Assert.Equal(direct.Answers.Select(a => (a.Name, a.Type)).Order(), forwarded.Answers.Select(a => (a.Name, a.Type)).Order());
            Assert.DoesNotContain("aa", forwarded.Flags.Split(' '));
        }
        else
        {
            Assert.Equal("SERVFAIL", forwarded.Status);
        }
    }

    private async Task<Dictionary<string, CapturedPodView>> PodViewsAsync()
    {
        var views = new Dictionary<string, CapturedPodView>();
        foreach (var node in new[] { "node-0", "node-1" })
            foreach (var view in await Mesh.CapturedPodsAsync(node)) views[view.Name] = view;
        return views;
    }

    private static long Delta(Dictionary<string, CapturedPodView> before, Dictionary<string, CapturedPodView> after, string pod, Func<CapturedPodView, long> counter) =>
        counter(after[pod]) - (before.TryGetValue(pod, out var earlier) ? counter(earlier) : 0);

    private static bool IsTlsHandshake(byte[] payload) => payload.Length >= 3 && payload[0] == 0x16 && payload[1] == 0x03;

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(20));

    private sealed record DigResult(string Status, string Flags, List<(string Name, string Type, string Data)> Answers, string Output);

    private static async Task<DigResult> DigAsync(string[] prefix, string name, bool tcp, string? server = null)
    {
        string[] argv = [.. prefix, "dig", .. (server is null ? Array.Empty<string>() : [$"@{server}"]), name, "A", "+time=2", "+tries=1", .. (tcp ? new[] { "+tcp" } : [])];
        var stdout = await Run(argv);
        return new DigResult(DigStatus().Match(stdout).Groups[1].Value, DigFlags().Match(stdout).Groups[1].Value.Trim(),
            DigAnswer().Matches(stdout).Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)).ToList(), stdout);
    }

    private static IEnumerable<string> UpstreamResolvers() => File.Exists("/etc/resolv.conf")
        ? File.ReadLines("/etc/resolv.conf").Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 2 && p[0] == "nameserver").Select(p => p[1])
        : [];

    [GeneratedRegex(@"status: (\w+)")]
    private static partial Regex DigStatus();

    [GeneratedRegex(@";; flags: ([a-z ]+);")]
    private static partial Regex DigFlags();

    [GeneratedRegex(@"^(\S+)\s+\d+\s+IN\s+(A|AAAA|CNAME)\s+(\S+)$", RegexOptions.Multiline)]
    private static partial Regex DigAnswer();

    private static async Task<string> Run(params string[] argv)
    {
        var start = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in argv.Skip(1)) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(deadline.Token);
        await stderr;
        return stdout;
    }
}
