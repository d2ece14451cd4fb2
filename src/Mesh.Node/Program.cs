using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Mesh.Hosting;
using Mesh.Hosting.Cluster;
using Mesh.Hosting.Sharding;
using Mesh.Node.Admin;
using Mesh.Node.Authz;
using Mesh.Node.AdminServer;
using Mesh.Node.Dns;
using Mesh.Node.Hbone;
using Mesh.Node.Hosting;
using Mesh.Node.Identity;
using Mesh.Node.Proxy;
using Mesh.Node.Proxy.Outbound;
using Mesh.Node.Proxy.Socks5;
using Mesh.Node.State;
using Mesh.Node.Telemetry;
using Mesh.Node.Workloads;
using Mesh.Node.Zds;
using Mesh.Protocol.Contracts;

// mesh-node: the ztunnel. Joins the cluster, keeps its node's view of the mesh state, and captures the traffic
// of the pods its node agent hands over (ZDS).
var nodeOptions = new NodeOptions();
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
            var addressCache = system.ActorOf(Props.Create(() => new AddressCache(addressRegion, store)), "address-cache");
            registry.Register<AddressCache>(addressCache);
            var resolver = new DestinationResolver(store, addressCache, nodeOptions.LookupTimeout,
                new OutboundPlanner(store.Node, hbonePort: nodeOptions.InboundHbonePort));
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            var names = new MeshNameResolver(store, addressCache, nodeOptions.LookupTimeout);
            var certificates = sp.GetRequiredService<CertificateStore>();
            // HBONE client and server are optional services: until they are registered, HBONE destinations get plain
            // TCP and no pod listens on 15008.
            var plane = new PodDataPlane(nodeOptions, store, resolver, loggers, names,
                sp.GetService<IHboneConnector>(), sp.GetService<IHboneListenerFactory>(),
                certificates.Source(nodeOptions.CertificateTimeout), sp.GetRequiredService<PodSocketRegistry>(),
                sp.GetRequiredService<IConnectionTelemetry>(), sp.GetRequiredService<NodeTelemetrySources>(),
                sp.GetRequiredService<InboundEnforcement>());
            loggers.CreateLogger("Mesh.Node.Hbone").LogInformation("HBONE client {Client}, HBONE server (15008) {Server}",
                plane.Hbone is null ? "off (plain TCP to HBONE destinations)" : "on", plane.HboneServer is null ? "off" : "on");
            registry.Register<WorkloadManager>(system.ActorOf(Props.Create(() => new WorkloadManager(plane)), "workloads"));
            registry.Register<CertificateManager>(system.ActorOf(
                Props.Create(() => new CertificateManager(store, certificates, CertificateTimings.Default)), "certificates"));
        });
});
builder.Configuration.GetSection(NodeOptions.Section).Bind(nodeOptions);
builder.Services.AddSingleton(nodeOptions);
builder.Services.AddSingleton(nodeOptions.Hbone);
builder.Services.AddSingleton<PodSocketRegistry>();
// HBONE: the pool dials from the source pod's netns; every ambient pod's 15008 gets an HboneServer.
builder.Services.AddSingleton<HboneClientPool>(sp =>
{
    var pool = new HboneClientPool(nodeOptions.Hbone,
        sp.GetRequiredService<CertificateStore>().Source(nodeOptions.CertificateTimeout),
        sp.GetRequiredService<PodSocketRegistry>().ConnectHboneAsync,
        sp.GetRequiredService<ILoggerFactory>().CreateLogger<HboneClientPool>());
    sp.GetRequiredService<NodeTelemetrySources>().HbonePoolConnections = () => pool.Snapshot().ConnectionCount;
    return pool;
});
builder.Services.AddSingleton<IHboneConnector>(sp => sp.GetRequiredService<HboneClientPool>());
builder.Services.AddSingleton<IHboneListenerFactory, HboneListenerFactory>();
builder.Services.AddSingleton(sp =>
{
    var store = new NodeViewStore(sp.GetRequiredService<MeshMemberOptions>().Name!);
    if (nodeOptions.StateCache is { } path)
    {
        var cache = new NodeStateCache(path, store, TimeSpan.FromMilliseconds(20),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<NodeStateCache>());
        cache.Load(); // before any actor or listener reads the store
        cache.Start();
    }
    return store;
});
builder.Services.AddSingleton(sp => nodeOptions.CertificateCache is { } certificateDir
    ? new CertificateStore(new CertificateCache(certificateDir, sp.GetRequiredService<ILoggerFactory>().CreateLogger<CertificateCache>()))
    : new CertificateStore());
// L4 authorization of inbound connections (15008, 15006): checked at accept, re-checked on every state change.
builder.Services.AddSingleton(sp =>
{
    var enforcement = new InboundEnforcement(sp.GetRequiredService<NodeViewStore>(), nodeOptions.RootNamespace,
        sp.GetRequiredService<ILoggerFactory>());
    sp.GetRequiredService<NodeTelemetrySources>().PolicyClosedConnections = () => enforcement.Reevaluator.Closed;
    return enforcement;
});
builder.Services.AddHostedService<ZdsClient>();
builder.Services.AddHostedService<Socks5Service>();
// Telemetry (IConnectionTelemetry for the data path), and the ztunnel's admin 15000 / stats 15020 / readiness 15021.
builder.Services.AddNodeTelemetry(builder.Configuration);

var app = builder.Build();
app.MapMeshCommands();
app.MapNodeCommands();
app.Logger.LogInformation("mesh-node {Node} starting: remoting {Host}:{Port}, command endpoint {Bind}:{AdminPort}, ZDS {Zds}",
    options.Name, options.Hostname, options.Port, options.AdminBind, options.AdminPort, nodeOptions.ZdsSocket ?? "(none)");
await app.RunAsync();
