using Akka.Configuration;

namespace Mesh.Control.Tests.Distribution;

/// <summary>A one-member cluster (self-joined) so pub-sub and sharding run for real inside a TestKit.</summary>
internal static class ClusterTestKit
{
    public static readonly Akka.Configuration.Config Config = ConfigurationFactory.ParseString("""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.roles = [control]
        akka.cluster.sharding.state-store-mode = ddata
        akka.cluster.sharding.remember-entities = off
        akka.cluster.sharding.passivate-idle-entity-after = off
        akka.cluster.pub-sub.role = control
        akka.loglevel = INFO
        """);
}
