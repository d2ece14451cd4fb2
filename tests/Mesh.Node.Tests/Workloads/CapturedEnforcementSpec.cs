using Mesh.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Node.Capture;
using Mesh.Node.Hosting;
using Mesh.Node.Proxy;
using Mesh.Node.State;
using Mesh.Node.Telemetry;
using Mesh.Node.Tests.Authz;
using Mesh.Node.Tests.Capture;
using Mesh.Node.Tests.Proxy.Socks5;
using Mesh.Node.Tests.Telemetry;
using Mesh.Node.Workloads;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;
using Mesh.Protocol.Zds;
using Xunit.Abstractions;
using Authorization = Mesh.Protocol.Model.Authorization;

namespace Mesh.Node.Tests.Workloads;

/// <summary>
/// L4 policy on the inbound plaintext port (15006) of a real captured pod: the client pod dials the server pod's IP,
/// its ztunnel carries it as plain TCP (no HBONE client here), the server pod's capture hands it to 15006, where policy
/// decides — at accept, and again whenever the state changes. Telemetry is recorded for both ends.
/// </summary>
public sealed class CapturedEnforcementSpec(ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    private static Workload Pod(string name, IPAddress ip, string sa) => new(
        $"Kubernetes//Pod/demo/{name}", name, "demo", ValueList.Of(ip.ToString()), "", "", TunnelProtocol.Hbone, "cluster.local",
        sa, null, "node-0", name, "v1", WorkloadType.Deployment, name, "Kubernetes", ValueList<ServiceBinding>.Empty,
        WorkloadStatus.Healthy, [], null);

    /// <summary>Two captured pods, an echo app on 8080 and 9090 in the server pod, and the client pod's socket factory.</summary>
    private sealed class Bed : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _owned = [];
        private readonly CancellationTokenSource _stop = new();
        private long _version;

        public required PodTopology Topology { get; init; }
        /// <summary>The node's data path as the ztunnel composes it, without an HBONE client (plain TCP between pods).</summary>
        public DataPath Path { get; } = new(new NodeOptions { ConnectTimeout = TimeSpan.FromSeconds(1) }, hbone: false, node: "node-0");
        public NodeViewStore Store => Path.Store;
        public required Workload Client { get; init; }
        public required Workload Server { get; init; }

        /// <summary>A workload in the state at an address nobody answers on (outbound connects to it fail).</summary>
        public required Workload Ghost { get; init; }
        public RecordingTelemetry Telemetry => Path.Recording;
        public ListLogger Log => Path.Log;
        public NetnsSocketFactory ClientSockets { get; private set; } = null!;
        public PodDataPlane Plane => Path.Plane;

        public static async Task<Bed> StartAsync()
        {
            var topology = await PodTopology.CreateAsync();
            var bed = new Bed
            {
                Topology = topology,
                Client = Pod("client", topology.ClientIp, "client"),
                Server = Pod("server", topology.ServerIp, "server"),
                Ghost = Pod("ghost", IPAddress.Parse(topology.Gateway.ToString()[..^1] + "9"), "ghost"),
            };
            try
            {
                await bed.InitAsync();
                return bed;
            }
            catch
            {
                await bed.DisposeAsync();
                throw;
            }
        }

        private async Task InitAsync()
        {
            Publish(Server);
            var serverSockets = NetnsSocketFactory.Open($"/var/run/netns/{Topology.Server}");
            foreach (var port in new[] { 8080, 9090 })
            {
                var listener = await serverSockets.ListenAsync(new IPEndPoint(Topology.ServerIp, port));
                _ = EchoAsync(listener, _stop.Token);
                _owned.Add(new Disposer(listener.Dispose));
            }
            _owned.Add(new Disposer(serverSockets.Dispose));
            foreach (var (workload, ns) in new[] { (Client, Topology.Client), (Server, Topology.Server) })
            {
                var pod = new CapturedPod(new ZdsPod(workload.Uid, "demo", workload.Name, workload.Addresses[0], $"/var/run/netns/{ns}"), Plane);
                _owned.Insert(0, pod);
                await pod.StartAsync();
            }
            ClientSockets = NetnsSocketFactory.Open($"/var/run/netns/{Topology.Client}");
        }

        /// <summary>A new state: the client, the given server workload, the policies.</summary>
        public void Publish(Workload server, params Authorization[] policies) =>
            Store.Apply(new NodeSlice("node-0", ValueList.Of(Client, server, Ghost), ValueList<Service>.Empty, policies.ToValueList()), ++_version);

        /// <summary>A connection from the client pod's netns, as its app would open it.</summary>
        public async Task<Socket> DialAsync(IPAddress address, int port)
        {
            var socket = await ClientSockets.CreateTcpAsync(AddressFamily.InterNetwork);
            using var deadline = new CancellationTokenSource(Within);
            await socket.ConnectAsync(new IPEndPoint(address, port), deadline.Token);
            return socket;
        }

        private static async Task EchoAsync(Socket listener, CancellationToken ct)
        {
            while (!ct.IsCancellationRequested)
            {
                Socket accepted;
                try { accepted = await listener.AcceptAsync(ct); }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
                _ = Task.Run(async () =>
                {
                    using var s = accepted;
                    var buffer = new byte[4096];
                    try
                    {
                        int read;
                        while ((read = await s.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
                            await s.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, ct);
                        s.Shutdown(SocketShutdown.Send);
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
                }, CancellationToken.None);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            foreach (var owned in _owned) await owned.DisposeAsync();
            ClientSockets?.Dispose();
            await Path.DisposeAsync();
            await Topology.DisposeAsync();
        }

        private sealed class Disposer(Action dispose) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                dispose();
                return ValueTask.CompletedTask;
            }
        }
    }

    private static async Task<string> EchoAsync(Socket socket, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        await socket.SendAsync(bytes, SocketFlags.None).WaitAsync(Within);
        var buffer = new byte[bytes.Length];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(Within);
            if (n == 0) break;
            read += n;
        }
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    /// <summary>True when the peer ended the connection (EOF or reset) before sending anything.</summary>
    private static async Task<bool> ClosedAsync(Socket socket, TimeSpan within)
    {
        try
        {
            using var deadline = new CancellationTokenSource(within);
            var buffer = new byte[64];
            return await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static RecordingTelemetry.Close Inbound(IEnumerable<RecordingTelemetry.Close> closes) =>
        closes.Last(c => c.Record.Direction == ConnectionDirection.Inbound);

    [RootFact]
    public async Task Plaintext_is_admitted_when_permissive_and_refused_by_a_deny_or_strict_with_telemetry_for_each()
    {
        await using var bed = await Bed.StartAsync();
        var server = bed.Topology.ServerIp;

        // PERMISSIVE, no policy: relayed, and both ends report it.
        using (var allowed = await bed.DialAsync(server, 8080))
        {
            Assert.Equal("ping", await EchoAsync(allowed, "ping"));
            allowed.Shutdown(SocketShutdown.Send);
            Assert.True(await ClosedAsync(allowed, Within));
        }
        var first = await bed.Telemetry.ClosedAsync(2);
        var inbound = Inbound(first);
        Assert.Equal((ConnectionProtocol.Tcp, ConnectionSecurityPolicy.None, null), (inbound.Record.Protocol, inbound.Record.SecurityPolicy, inbound.Failure));
        Assert.Equal(("client", "server"), (inbound.Record.SourceWorkload?.Name, inbound.Record.DestinationWorkload?.Name));
        Assert.Equal((4L, 4L), (inbound.Sent, inbound.Received));
        var outbound = first.Single(c => c.Record.Direction == ConnectionDirection.Outbound);
        Assert.Equal((new IPEndPoint(server, 8080), "server", null), (outbound.Record.OriginalDestination, outbound.Record.DestinationWorkload?.Name, outbound.Failure));
        Assert.Equal(4L, outbound.Sent);

        // A DENY for the port: the connection is cut at once, reported as DENY, logged with the policy.
        bed.Publish(bed.Server, PolicyFixtures.DenyPort("deny-8080", 8080));
        using (var denied = await bed.DialAsync(server, 8080))
            Assert.True(await ClosedAsync(denied, Within));
        await bed.Telemetry.ClosedAsync(4);
        Assert.Equal(ResponseFlags.Deny, Inbound(bed.Telemetry.Closed).Failure?.Flags);
        Assert.Contains("policy=demo/deny-8080 rule=0", await bed.Log.WaitForAsync("denied inbound connection pod=demo/server"));

        // STRICT: plaintext is refused whatever the port.
        bed.Publish(bed.Server.Strict(), PolicyFixtures.Strict());
        using (var strict = await bed.DialAsync(server, 9090))
            Assert.True(await ClosedAsync(strict, Within));
        await bed.Telemetry.ClosedAsync(6);
        Assert.Contains("PeerAuthentication STRICT", Inbound(bed.Telemetry.Closed).Failure?.Message);

        // No app on the port: the inbound side cannot connect (CONNECT); an outbound connect that fails is CONNECT too.
        bed.Publish(bed.Server);
        using (var noApp = await bed.DialAsync(server, 7070))
            Assert.True(await ClosedAsync(noApp, Within));
        await bed.Telemetry.ClosedAsync(8);
        Assert.Equal(ResponseFlags.Connect, Inbound(bed.Telemetry.Closed).Failure?.Flags);
        using (var unreachable = await bed.DialAsync(IPAddress.Parse(bed.Ghost.Addresses[0]), 80))
            Assert.True(await ClosedAsync(unreachable, Within));
        var last = (await bed.Telemetry.ClosedAsync(9)).Last();
        Assert.Equal((ConnectionDirection.Outbound, ResponseFlags.Connect), (last.Record.Direction, last.Failure?.Flags));
    }

    [RootFact]
    public async Task A_denying_state_change_closes_the_live_connection_within_a_second_and_keeps_the_other_open()
    {
        await using var bed = await Bed.StartAsync();
        var server = bed.Topology.ServerIp;
        using var doomed = await bed.DialAsync(server, 8080);
        using var kept = await bed.DialAsync(server, 9090);
        Assert.Equal("one", await EchoAsync(doomed, "one"));
        Assert.Equal("two", await EchoAsync(kept, "two"));
        Assert.Equal(2, bed.Path.Enforcement.Connections.Count);

        var published = Stopwatch.StartNew();
        bed.Publish(bed.Server, PolicyFixtures.DenyPort("deny-8080", 8080));
        Assert.True(await ClosedAsync(doomed, TimeSpan.FromSeconds(1)), "the denied connection is still open after 1 s");
        var latency = published.Elapsed;
        output.WriteLine($"denied connection closed {latency.TotalMilliseconds:0.0} ms after the state change");
        Assert.True(latency < TimeSpan.FromSeconds(1), $"closed after {latency}");

        Assert.Equal("still", await EchoAsync(kept, "still"));
        var line = await bed.Log.WaitForAsync("policy re-check closed connection pod=demo/server");
        Assert.Contains($"dst={server}:8080", line);
        Assert.Contains("policy=demo/deny-8080 rule=0", line);
        var closed = await bed.Telemetry.ClosedAsync(2);
        var cut = closed.Single(c => c.Record.Direction == ConnectionDirection.Inbound);
        Assert.Equal(ResponseFlags.Deny, cut.Failure?.Flags);
        Assert.Equal(8080, cut.Record.DestinationAddress.Port);
        Assert.Equal(1, bed.Path.Enforcement.Reevaluator.Closed);
        Assert.Equal(1, bed.Path.Enforcement.Connections.Count);
    }
}
