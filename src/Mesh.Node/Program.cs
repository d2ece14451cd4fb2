using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Mesh.Hosting;
using Mesh.Hosting.Cluster;
using Mesh.Hosting.Sharding;
using Mesh.Node.Admin;
using Mesh.Node.State;
using Mesh.Protocol.Contracts;

// mesh-node: the ztunnel. For now it joins the cluster and keeps its node's view of the mesh state.
var (builder, options) = MeshHost.CreateBuilder(args, MeshRoles.Node, (akka, sp, opts) =>
{
    akka.WithShardRegionProxy<NodeStateRegion>(EntityTypes.NodeState, MeshRoles.Control, new NodeStateExtractor())
        .WithShardRegionProxy<AddressStateRegion>(EntityTypes.AddressState, MeshRoles.Control, new AddressStateExtractor())
        .WithActors((system, registry) =>
        {
            var store = sp.GetRequiredService<NodeViewStore>();
            var nodeRegion = registry.Get<NodeStateRegion>();
            registry.Register<NodeStateSubscriber>(system.ActorOf(
                Props.Create(() => new NodeStateSubscriber(nodeRegion, store, TimeSpan.FromSeconds(2))), "node-state"));
            var addressRegion = registry.Get<AddressStateRegion>();
            registry.Register<AddressCache>(system.ActorOf(
                Props.Create(() => new AddressCache(addressRegion, store)), "address-cache"));
        });
});
builder.Services.AddSingleton(sp => new NodeViewStore(sp.GetRequiredService<MeshMemberOptions>().Name!));

var app = builder.Build();
app.MapMeshCommands();
app.MapNodeCommands();
app.Logger.LogInformation("mesh-node {Node} starting: remoting {Host}:{Port}, command endpoint {Bind}:{AdminPort}",
    options.Name, options.Hostname, options.Port, options.AdminBind, options.AdminPort);
await app.RunAsync();
