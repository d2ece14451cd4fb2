using Mesh.Testing;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Mesh.Node.Capture;
using Mesh.Node.Dns;
using Mesh.Node.Hosting;
using Mesh.Node.Proxy;
using Mesh.Node.State;
using Mesh.Node.Tests.Capture;
using Mesh.Node.Workloads;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;
using Mesh.Protocol.Zds;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Node.Tests.Workloads;

/// <summary>
/// The ztunnel's capture path on a real two-pod topology: pods are enrolled through the WorkloadManager exactly as
/// ZDS does, an app in the server pod answers with the source address it sees, and the client dials a service VIP.
/// </summary>
public class CapturedTrafficSpec : TestKit
{
    private const string Vip = "10.96.200.10";

    private static Workload Pod(string name, IPAddress ip, params ServiceBinding[] services) => new(
        $"Kubernetes//Pod/demo/{name}", name, "demo", ValueList.Of(ip.ToString()), "", "", TunnelProtocol.Hbone, "cluster.local",
        "default", null, "node-0", name, "latest", WorkloadType.Pod, name, "Kubernetes", services.ToValueList(),
        WorkloadStatus.Healthy, [], null);

    [RootFact]
    public async Task A_client_reaches_a_service_vip_through_capture_and_the_app_sees_the_client_ip()
    {
        await using var topology = await PodTopology.CreateAsync();
        var echo = new Service("echo", "demo", "echo.demo.svc.cluster.local", ValueList.Of(Vip),
            ValueList.Of(new ServicePort(80, 8080, "http", "http")), null, null);
        var client = Pod("client", topology.ClientIp);
        var server = Pod("server", topology.ServerIp, new ServiceBinding(echo.Key, ValueList.Of(new PortMapping(80, 8080))));
        // No HBONE client or server on this node: pod to pod is plain TCP, taken by the server pod's 15006.
        await using var path = new DataPath(hbone: false, serveHbone: false, node: "node-0");
        var store = path.Store;
        store.Apply(new NodeSlice("node-0", [client, server], [echo], []), 1);
        store.PutAddress(new AddressRecord(Vip, null, echo, [server]));
        store.PutAddress(new AddressRecord(echo.Hostname, null, echo, [server]));

        var plane = path.Plane;
        var manager = Sys.ActorOf(Props.Create(() => new WorkloadManager(plane)));

        using var serverSockets = NetnsSocketFactory.Open($"/var/run/netns/{topology.Server}");
        using var app = await serverSockets.ListenAsync(new IPEndPoint(topology.ServerIp, 8080));
        var appTask = AnswerWithPeerAddressAsync(app);

        foreach (var (name, ns, ip) in new[] { ("client", topology.Client, topology.ClientIp), ("server", topology.Server, topology.ServerIp) })
        {
            var result = await manager.Ask<PodResult>(new EnrollPod(new ZdsPod($"Kubernetes//Pod/demo/{name}", "demo", name,
                ip.ToString(), $"/var/run/netns/{ns}")), TimeSpan.FromSeconds(20));
            Assert.Null(result.Error);
        }

        // The app in the client pod does nothing special: a plain connect to the VIP from its own netns.
        using var clientSockets = NetnsSocketFactory.Open($"/var/run/netns/{topology.Client}");
        using (var socket = await clientSockets.CreateTcpAsync(AddressFamily.InterNetwork))
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(Vip), 80), deadline.Token);
            var answer = await ReadAllAsync(socket, deadline.Token);
            Assert.Equal($"hello {topology.ClientIp}", answer);
        }
        Assert.Equal($"hello {topology.ClientIp}", await appTask.WaitAsync(TimeSpan.FromSeconds(10)));

        // DNS from the pod, to any resolver, is captured and mesh names are answered by the ztunnel's DNS proxy.
        var dig = await Sh.RunAsync("ip", "netns", "exec", topology.Client, "dig", "+short", "+time=2", "+tries=1", "@192.0.2.53", "echo.demo.svc.cluster.local", "A");
        Assert.Equal(Vip, dig.Trim());
        var shortName = await Sh.RunAsync("ip", "netns", "exec", topology.Client, "dig", "+short", "+time=2", "+tries=1", "@192.0.2.53", "echo", "A");
        Assert.Equal(Vip, shortName.Trim());

        var pods = await manager.Ask<List<CapturedPod>>(GetCapturedPods.Instance, TimeSpan.FromSeconds(5));
        var capturedClient = pods.Single(p => p.Pod.Name == "client");
        var capturedServer = pods.Single(p => p.Pod.Name == "server");
        AwaitCondition(() => capturedClient.Stats.OutboundClosed == 1 && capturedServer.Stats.InboundClosed == 1, TimeSpan.FromSeconds(5));
        Assert.Equal(1, capturedClient.Stats.OutboundOpened);
        Assert.Equal(0, capturedClient.Stats.InboundOpened);
        // No HBONE server plugged in: the server pod took the connection as PERMISSIVE plaintext on 15006.
        Assert.Equal((1L, 0L), (capturedServer.Stats.InboundPlaintextOpened, capturedServer.Stats.InboundHboneOpened));
        Assert.False(capturedServer.ServesHbone);
        Assert.Equal(Encoding.ASCII.GetByteCount($"hello {topology.ClientIp}"), capturedClient.Stats.BytesReceived);

        // Unenrolled: the client's capture rules are gone, so the VIP (which only the ztunnel knows) is unreachable.
        Assert.Null((await manager.Ask<PodResult>(new UnenrollPod(client.Uid), TimeSpan.FromSeconds(20))).Error);
        var rules = await Sh.IptablesSaveAsync(topology.Client);
        Assert.DoesNotContain(InPodRules.OutputChain, rules);
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
