using Mesh.Testing;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Mesh.Node.Capture;
using Mesh.Node.Hosting;
using Mesh.Node.Proxy;
using Mesh.Node.Proxy.Outbound;
using Mesh.Node.State;
using Mesh.Node.Tests.Capture;
using Mesh.Node.Telemetry;
using Mesh.Node.Tests.Proxy.Socks5;
using Mesh.Node.Workloads;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;
using Mesh.Protocol.Zds;

namespace Mesh.Node.Tests.Workloads;

/// <summary>
/// The HBONE path on a real two-pod topology with the real client pool and server: the client dials a service VIP, the
/// planner picks HBONE, the tunnel leaves from the client pod's netns to the server pod's 15008 (not redirected), the
/// inbound pipeline admits it and connects to the app as the client's IP.
/// </summary>
public class CapturedHboneSpec
{
    private const string Vip = "10.96.200.20";
    private static readonly SpiffeId ClientIdentity = new("cluster.local", "demo", "client-sa");

    private static Workload Pod(string name, IPAddress ip, string sa, params ServiceBinding[] services) => new(
        $"Kubernetes//Pod/demo/{name}", name, "demo", ValueList.Of(ip.ToString()), "", "", TunnelProtocol.Hbone, "cluster.local",
        sa, null, "node-0", name, "v1", WorkloadType.Deployment, name, "Kubernetes", services.ToValueList(),
        WorkloadStatus.Healthy, [], null);

    [RootFact]
    public async Task A_vip_connection_between_hbone_pods_goes_over_15008_from_the_source_netns_and_keeps_the_client_ip()
    {
        await using var topology = await PodTopology.CreateAsync();
        var echo = new Service("echo", "demo", "echo.demo.svc.cluster.local", ValueList.Of(Vip),
            ValueList.Of(new ServicePort(80, 8080, "http", "http")), null, null);
        var client = Pod("client", topology.ClientIp, "client-sa");
        var server = Pod("server", topology.ServerIp, "server-sa", new ServiceBinding(echo.Key, ValueList.Of(new PortMapping(80, 8080))));
        var store = new NodeViewStore("node-0");
        store.Apply(new NodeSlice("node-0", [client, server], [echo], []), 1);
        store.PutAddress(new AddressRecord(Vip, null, echo, [server]));

        // One ztunnel (node-0) with the real HBONE client pool and server: the tunnel is mTLS + HTTP/2 CONNECT.
        await using var path = new DataPath(new NodeOptions(), node: "node-0");
        path.Apply([client, server], [echo]);
        path.Store.PutAddress(new AddressRecord(Vip, null, echo, [server]));
        var plane = path.Plane;

        using var serverSockets = NetnsSocketFactory.Open($"/var/run/netns/{topology.Server}");
        using var app = await serverSockets.ListenAsync(new IPEndPoint(topology.ServerIp, 8080));
        var appTask = AnswerWithPeerAddressAsync(app);

        await using var capturedClient = new CapturedPod(new ZdsPod(client.Uid, "demo", "client", topology.ClientIp.ToString(), $"/var/run/netns/{topology.Client}"), plane);
        await using var capturedServer = new CapturedPod(new ZdsPod(server.Uid, "demo", "server", topology.ServerIp.ToString(), $"/var/run/netns/{topology.Server}"), plane);
        await capturedClient.StartAsync();
        await capturedServer.StartAsync();
        Assert.True(capturedServer.ServesHbone);

        using var clientSockets = NetnsSocketFactory.Open($"/var/run/netns/{topology.Client}");
        using (var socket = await clientSockets.CreateTcpAsync(AddressFamily.InterNetwork))
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(Vip), 80), deadline.Token);
            Assert.Equal($"hello {topology.ClientIp}", await ReadAllAsync(socket, deadline.Token));
        }
        Assert.Equal($"hello {topology.ClientIp}", await appTask.WaitAsync(TimeSpan.FromSeconds(10)));

        // The client's ztunnel opened one HBONE tunnel; the server side verified the client pod's SVID, and the tunnel
        // itself came from the client pod's address: it was born in the client's netns.
        var outbound = await path.Recording.ClosedAsync(c => c.Record.Direction == ConnectionDirection.Outbound, "the outbound record");
        Assert.Equal(ConnectionProtocol.Hbone, outbound.Record.Protocol);
        Assert.Equal((new IPEndPoint(topology.ServerIp, 15008), new IPEndPoint(topology.ServerIp, 8080)),
            (outbound.Record.DestinationAddress, outbound.Record.DestinationHboneAddress));
        var inbound = await path.Recording.ClosedAsync(c => c.Record.Direction == ConnectionDirection.Inbound, "the inbound record");
        Assert.Equal(ClientIdentity, inbound.Record.SourceIdentity);
        Assert.Equal(topology.ClientIp, inbound.Record.SourceAddress?.Address);
        Assert.Null(inbound.Failure);

        await Eventually.True(() => capturedClient.Stats.OutboundClosed == 1 && capturedServer.Stats.InboundHboneClosed == 1, "both ends recorded");
        Assert.Equal(1, capturedClient.Stats.OutboundHbone);
        Assert.Equal((1L, 0L, 0L), (capturedServer.Stats.InboundHboneOpened, capturedServer.Stats.InboundPlaintextOpened, capturedServer.Stats.Failed));
    }

    private static async Task<string> AnswerWithPeerAddressAsync(Socket listener)
    {
        using var accepted = await listener.AcceptAsync();
        var peer = ((IPEndPoint)accepted.RemoteEndPoint!).Address.MapToIPv4().ToString();
        await accepted.SendAsync(Encoding.ASCII.GetBytes($"hello {peer}"));
        accepted.Shutdown(SocketShutdown.Send);
        return $"hello {peer}";
    }

    private static async Task<string> ReadAllAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[1024];
        var text = new StringBuilder();
        int read;
        while ((read = await socket.ReceiveAsync(buffer, ct)) > 0) text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        return text.ToString();
    }
}
