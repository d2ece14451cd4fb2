using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Event;
using Akka.Remote.Hosting;
using Mesh.Hosting.Cluster.Tls;

namespace Mesh.Hosting.Cluster;

/// <summary>Akka.Hosting composition shared by every mesh member: remoting, clustering, SBR, pub-sub.</summary>
public static class MeshClusterHosting
{
    public static AkkaConfigurationBuilder WithMeshCluster(this AkkaConfigurationBuilder builder, MeshMemberOptions options, string role)
    {
        var seeds = options.SeedAddresses().ToArray();
        if (seeds.Length == 0)
            seeds = [$"{options.Protocol}://{options.SystemName}@{options.PublicHostname ?? options.Hostname}:{options.Port}"];

        // Timings the hosting options do not expose. The keep-majority resolver itself is set explicitly below.
        var hocon = $$"""
            akka.cluster.split-brain-resolver.stable-after = {{(int)options.DownAfter.TotalMilliseconds}}ms
            # When the leader itself dies, SBR responsibility moves to the next member; if that takes longer than
            # stable-after × 1.75 (a busy box), "down-all-when-unstable" downs the whole cluster after a single
            # crash (seen in CI). Keep-majority alone is the decision we want.
            akka.cluster.split-brain-resolver.down-all-when-unstable = off
            akka.cluster.failure-detector.acceptable-heartbeat-pause = {{(int)options.FailureDetectionPause.TotalMilliseconds}}ms
            akka.cluster.log-info-verbose = off
            # A restarted member (same address, new incarnation) is let in only after its old self is removed; retry
            # the join often so it is back within seconds, not Akka's default 10 s.
            akka.cluster.retry-unsuccessful-join-after = 1s
            akka.cluster.seed-node-timeout = 2s
            akka.cluster.sharding.retry-interval = 1s
            akka.remote.dot-netty.tcp.maximum-frame-size = 16MiB
            akka.cluster.sharding.passivate-idle-entity-after = off
            akka.coordinated-shutdown.exit-clr = off
            akka.loglevel = INFO
            akka.loggers = ["Akka.Event.DefaultLogger"]
            """;

        var remoting = new RemoteOptions
        {
            HostName = options.Hostname,
            Port = options.Port,
            PublicHostName = options.PublicHostname,
        };
        if (options.Tls.IsEnabled)
        {
            remoting.EnableSsl = true;
            remoting.Ssl = MemberTls.Load(options.Tls).ToAkka();
        }
        else
        {
            builder.AddStartup((system, _) => system.Log.Warning(
                "Member TLS is OFF: the cluster transport is unauthenticated and unencrypted; any process that can reach " +
                "{0}:{1} can join the mesh. Set Mesh:Tls:Certificate, Mesh:Tls:Key and Mesh:Tls:TrustBundle.",
                options.Hostname, options.Port));
        }

        return builder
            .AddHocon(hocon, HoconAddMode.Prepend)
            .WithRemoting(remoting)
            .WithClustering(new ClusterOptions
            {
                Roles = [role],
                SeedNodes = seeds,
                SplitBrainResolver = new KeepMajorityOption(),
            })
            .WithControlPubSub(role);
    }

    // Pub-sub only connects control members (publishers and state entities); on other members the extension
    // would only log that the member lacks the role.
    private static AkkaConfigurationBuilder WithControlPubSub(this AkkaConfigurationBuilder builder, string role) =>
        role == MeshRoles.Control ? builder.WithDistributedPubSub(MeshRoles.Control) : builder;
}
