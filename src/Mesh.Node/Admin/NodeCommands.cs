using Akka.Actor;
using Akka.Hosting;
using Mesh.Hosting.Admin;
using Mesh.Node.AdminServer;
using Mesh.Node.Identity;
using Mesh.Node.State;
using Mesh.Node.Telemetry;
using Mesh.Node.Workloads;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Contracts;

namespace Mesh.Node.Admin;

/// <summary>Node-only views on the command endpoint: this node's state and address lookups.</summary>
public static class NodeCommands
{
    public static WebApplication MapNodeCommands(this WebApplication app)
    {
        app.MapGet(AdminRoutes.NodeState, (NodeViewStore store) =>
        {
            var view = store.View;
            return AdminEndpoints.Json(new NodeStateView(store.Node, view.Version, store.Synced, view.Slice));
        });
        app.MapGet(AdminRoutes.Address, async (IRequiredActor<AddressCache> cache, string? ip, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(ip) || !System.Net.IPAddress.TryParse(ip, out _))
                return AdminEndpoints.Json(new CommandResult(false, $"'{ip}' is not an IP address"), 400);
            var actor = await cache.GetAsync(ct);
            var record = await actor.Ask<AddressRecord>(new ResolveAddress(ip), TimeSpan.FromSeconds(10), ct);
            return AdminEndpoints.Json(record);
        });
        app.MapGet(AdminRoutes.Certificates, (CertificateStore store) =>
            AdminEndpoints.Json(CertificateViews.Of(store, DateTimeOffset.UtcNow)));
        app.MapGet(AdminRoutes.Connections, (LiveConnections live) => AdminEndpoints.Json(ConnectionViews.Of(live)));
        app.MapGet(AdminRoutes.CapturedPods, async (IRequiredActor<WorkloadManager> manager, CancellationToken ct) =>
        {
            var actor = await manager.GetAsync(ct);
            var pods = await actor.Ask<List<CapturedPod>>(GetCapturedPods.Instance, TimeSpan.FromSeconds(5), ct);
            return AdminEndpoints.Json(pods.Select(View).ToList());
        });
        return app;
    }

    /// <summary>A captured pod's counters: outbound, inbound plaintext (15006) and inbound HBONE (15008) apart.</summary>
    internal static CapturedPodView View(CapturedPod pod)
    {
        var stats = pod.Stats;
        return new CapturedPodView(pod.Pod.Uid, pod.Pod.Namespace, pod.Pod.Name, pod.Pod.Ip, pod.Pod.Netns,
            stats.OutboundOpened, stats.OutboundClosed, stats.OutboundHbone,
            stats.InboundPlaintextOpened, stats.InboundPlaintextClosed, stats.InboundHboneOpened, stats.InboundHboneClosed,
            stats.BytesSent, stats.BytesReceived, stats.Failed, pod.ServesHbone);
    }
}
