using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Mesh.Hbone;
using Mesh.Hbone.Client;
using Mesh.Hbone.Sockets;
using Mesh.Hosting.Cluster;
using Mesh.Hosting.Sharding;
using Mesh.Node.AdminServer;
using Mesh.Node.Authz;
using Mesh.Node.Capture;
using Mesh.Node.Dns;
using Mesh.Node.Identity;
using Mesh.Node.Proxy;
using Mesh.Node.Proxy.Inbound;
using Mesh.Node.Proxy.Outbound;
using Mesh.Node.Proxy.Socks5;
using Mesh.Node.State;
using Mesh.Node.Telemetry;
using Mesh.Node.Workloads;
using Mesh.Node.Zds;
using Mesh.Protocol.Contracts;
using Microsoft.Extensions.Options;

namespace Mesh.Node.Hosting;

/// <summary>
/// The ztunnel's composition, in the Akka.Hosting idiom: <see cref="AddZtunnel"/> registers the services (options
/// bound and validated once, state, identities, the two pipelines, HBONE, enforcement, telemetry, ZDS, SOCKS5);
/// <see cref="WithZtunnel"/> adds the cluster side (shard proxies, state subscriber, address cache, the workload and
/// certificate managers). Everything reads <see cref="NodeOptions"/> through <see cref="IOptions{TOptions}"/>, so no
/// value is captured before it is bound.
/// </summary>
public static class ZtunnelHosting
{
    public static IServiceCollection AddZtunnel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NodeOptions>().Bind(configuration.GetSection(NodeOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<NodeOptions>>().Value.Hbone);
        services.AddOptions<AddressCacheOptions>().Bind(configuration.GetSection(AddressCacheOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AddressCacheOptions>, AddressCacheOptionsValidator>();

        // State and identities.
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
            var store = new NodeViewStore(sp.GetRequiredService<MeshMemberOptions>().Name!);
            if (options.StateCache is { } path)
            {
                var cache = new NodeStateCache(path, store, TimeSpan.FromMilliseconds(20),
                    sp.GetRequiredService<ILoggerFactory>().CreateLogger<NodeStateCache>());
                cache.Load(); // before any actor or listener reads the store
                cache.Start();
            }
            return store;
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
            return new CertificateStore(options.CertificateTimeout, options.CertificateCache is { } dir
                ? new CertificateCache(dir, sp.GetRequiredService<ILoggerFactory>().CreateLogger<CertificateCache>())
                : null);
        });

        // The data path: pod sockets, the HBONE client, the resolvers and the two pipelines.
        services.AddSingleton<PodSockets>();
        services.AddSingleton<AcceptFailures>();
        services.AddSingleton(sp =>
        {
            var pool = new HboneClientPool(sp.GetRequiredService<HboneOptions>(), sp.GetRequiredService<CertificateStore>(),
                sp.GetRequiredService<PodSockets>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<HboneClientPool>());
            sp.GetRequiredService<NodeTelemetrySources>().HbonePoolConnections = () => pool.Snapshot().ConnectionCount;
            return pool;
        });
        services.AddSingleton<IHboneConnector>(sp => sp.GetRequiredService<HboneClientPool>());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
            var store = sp.GetRequiredService<NodeViewStore>();
            return new DestinationResolver(store, sp.GetRequiredService<IRequiredActor<AddressCache>>(), options.LookupTimeout,
                new OutboundPlanner(store.Node, hbonePort: options.InboundHbonePort));
        });
        services.AddSingleton<IMeshNameResolver>(sp => new MeshNameResolver(sp.GetRequiredService<NodeViewStore>(),
            sp.GetRequiredService<IRequiredActor<AddressCache>>(), sp.GetRequiredService<IOptions<NodeOptions>>().Value.LookupTimeout));
        services.AddSingleton(sp =>
        {
            var enforcement = new InboundEnforcement(sp.GetRequiredService<NodeViewStore>(),
                sp.GetRequiredService<IOptions<NodeOptions>>().Value.RootNamespace, sp.GetRequiredService<ILoggerFactory>());
            sp.GetRequiredService<NodeTelemetrySources>().PolicyClosedConnections = () => enforcement.Reevaluator.Closed;
            return enforcement;
        });
        services.AddSingleton(sp => new OutboundPipeline(sp.GetRequiredService<IOptions<NodeOptions>>().Value,
            sp.GetRequiredService<DestinationResolver>(), sp.GetRequiredService<PodSockets>(), sp.GetRequiredService<IConnectionTelemetry>(),
            sp.GetRequiredService<ILogger<OutboundPipeline>>(), sp.GetRequiredService<IHboneConnector>()));
        services.AddSingleton(sp => new InboundPipeline(sp.GetRequiredService<IOptions<NodeOptions>>().Value,
            sp.GetRequiredService<NodeViewStore>(), sp.GetRequiredService<DestinationResolver>(), sp.GetRequiredService<InboundEnforcement>(),
            sp.GetRequiredService<PodSockets>(), sp.GetRequiredService<IConnectionTelemetry>()));
        services.AddSingleton(sp =>
        {
            var sources = sp.GetRequiredService<NodeTelemetrySources>();
            sources.AcceptFailures = sp.GetRequiredService<AcceptFailures>();
            return new PodDataPlane(sp.GetRequiredService<IOptions<NodeOptions>>().Value, sp.GetRequiredService<NodeViewStore>(),
                sp.GetRequiredService<OutboundPipeline>(), sp.GetRequiredService<InboundPipeline>(), sp.GetRequiredService<PodSockets>(),
                sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<CertificateStore>(), sp.GetRequiredService<IMeshNameResolver>(),
                sources, sources.AcceptFailures);
        });

        // Front doors: pods handed over by the node agent (ZDS), and SOCKS5 when configured.
        services.AddHostedService<ZdsClient>();
        services.AddHostedService<Socks5Service>();
        // Telemetry (IConnectionTelemetry for the data path), and the ztunnel's admin 15000 / stats 15020 / readiness 15021.
        services.AddNodeTelemetry(configuration);
        return services;
    }

    public static AkkaConfigurationBuilder WithZtunnel(this AkkaConfigurationBuilder akka, IServiceProvider services)
    {
        return akka
            .WithShardRegionProxy<NodeStateRegion>(EntityTypes.NodeState, MeshRoles.Control, new NodeStateExtractor())
            .WithShardRegionProxy<AddressStateRegion>(EntityTypes.AddressState, MeshRoles.Control, new AddressStateExtractor())
            .WithActors((system, registry) =>
            {
                var store = services.GetRequiredService<NodeViewStore>();
                var nodeRegion = registry.Get<NodeStateRegion>();
                registry.Register<NodeStateSubscriber>(system.ActorOf(
                    Props.Create(() => new NodeStateSubscriber(nodeRegion, store, TimeSpan.FromSeconds(2))), "node-state"));
                var addressRegion = registry.Get<AddressStateRegion>();
                var addressOptions = services.GetRequiredService<IOptions<AddressCacheOptions>>().Value;
                registry.Register<AddressCache>(system.ActorOf(
                    Props.Create(() => new AddressCache(addressRegion, store, addressOptions)), "address-cache"));
                var plane = services.GetRequiredService<PodDataPlane>();
                registry.Register<WorkloadManager>(system.ActorOf(Props.Create(() => new WorkloadManager(plane)), "workloads"));
                var certificates = services.GetRequiredService<CertificateStore>();
                registry.Register<CertificateManager>(system.ActorOf(
                    Props.Create(() => new CertificateManager(store, certificates, CertificateTimings.Default)), "certificates"));
            });
    }
}
