using Akka.Actor;
using Akka.TestKit.Xunit2;
using Mesh.Node.State;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Node.Tests.State;

/// <summary>The on-disk state cache keeps in-mesh addresses across a restart (within the cache's bound) and not negative answers.</summary>
public sealed class NodeStateCacheSpec : TestKit, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-state-cache-").FullName;

    private static AddressRecord Known(string ip) => new(ip, new Workload($"Kubernetes//Pod/demo/{ip}", "p", "demo",
        ValueList.Of(ip), "", "", TunnelProtocol.Hbone, "cluster.local", "default", null, "node-2", "p", "latest",
        WorkloadType.Pod, "p", "Kubernetes", [], WorkloadStatus.Healthy, [], null), null, ValueList<Workload>.Empty);

    [Fact]
    public void Cached_mesh_addresses_survive_a_restart_and_are_refreshed_negative_answers_do_not()
    {
        var path = Path.Combine(_dir, "node-1.state.json");
        var store = new NodeViewStore("node-1");
        using (var cache = new NodeStateCache(path, store, TimeSpan.FromMilliseconds(20), NullLogger.Instance))
        {
            cache.Start();
            var region = CreateTestProbe();
            var addresses = Sys.ActorOf(Props.Create(() => new AddressCache(region.Ref, store)));
            addresses.Tell(new ResolveAddress("10.244.2.2"));
            addresses.Tell(new ResolveAddress("203.0.113.9"));
            region.ExpectMsg<LookupAddress>();
            region.ExpectMsg<LookupAddress>();
            var entity = CreateTestProbe();
            addresses.Tell(new AddressAnswer(AddressRecord.Unknown("203.0.113.9"), 1), entity.Ref);
            addresses.Tell(new AddressAnswer(Known("10.244.2.2"), 1), entity.Ref);
            AwaitCondition(() => File.Exists(path) && File.ReadAllText(path).Contains("10.244.2.2"), TimeSpan.FromSeconds(5));
            Assert.True(store.TryGetAddress("203.0.113.9", out var negative) && !negative.IsKnown);
            Sys.Stop(addresses);
        }
        Assert.DoesNotContain("203.0.113.9", File.ReadAllText(path));

        // The restarted ztunnel serves the address at once, and asks the control plane to refresh and watch it.
        var restarted = new NodeViewStore("node-1");
        new NodeStateCache(path, restarted, TimeSpan.FromMilliseconds(20), NullLogger.Instance).Load();
        Assert.True(restarted.TryGetAddress("10.244.2.2", out var record) && record.IsKnown);
        Assert.False(restarted.HoldsAddress("203.0.113.9"));
        var newRegion = CreateTestProbe();
        Sys.ActorOf(Props.Create(() => new AddressCache(newRegion.Ref, restarted)));
        newRegion.ExpectMsg<LookupAddress>(l => l.Address == "10.244.2.2" && l.Watch);
    }

    public new void Dispose()
    {
        base.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
