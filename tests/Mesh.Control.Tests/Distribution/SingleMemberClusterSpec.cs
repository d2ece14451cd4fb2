using Akka.TestKit.Xunit2;

namespace Mesh.Control.Tests.Distribution;

/// <summary>A TestKit whose system is a one-member cluster (self-joined) so pub-sub and sharding run for real.</summary>
public abstract class SingleMemberClusterSpec : TestKit
{
    private const string ClusterConfig = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.roles = [control]
        akka.cluster.sharding.state-store-mode = ddata
        akka.cluster.sharding.remember-entities = off
        akka.cluster.sharding.passivate-idle-entity-after = off
        akka.cluster.pub-sub.role = control
        akka.loglevel = INFO
        """;

    protected SingleMemberClusterSpec() : base(ClusterConfig)
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up, TimeSpan.FromSeconds(10));
    }
}
