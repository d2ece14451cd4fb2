using Akka.Actor;
using Akka.TestKit.Xunit2;
using Mesh.Control.Ca;
using Mesh.Node.Identity;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Node.Tests.Identity;

/// <summary>
/// A certificate actor against the real CA actor (and a real CA) in a one-member cluster: fetch, wait, refusal,
/// and renewal at half-life.
/// </summary>
public sealed class CertificateActorSpec : TestKit, IDisposable
{
    private static readonly SpiffeId Echo = new("cluster.local", "demo", "echo");
    private static readonly CertificateTimings Fast = new(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), 0.05);
    private readonly string _caDir = Directory.CreateTempSubdirectory("mesh-ca-spec-").FullName;

    public CertificateActorSpec() : base("""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.roles = [control, node]
        """)
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up, TimeSpan.FromSeconds(10));
    }

    private void StartCa(TimeSpan ttl)
    {
        var ca = CertificateAuthority.LoadOrCreate(new CaOptions { StateDir = _caDir, WorkloadTtl = ttl, Backdate = TimeSpan.Zero }, NullLogger.Instance);
        Workload[] workloads =
        [
            new("Kubernetes//Pod/demo/echo-1", "echo-1", "demo", ValueList.Of("10.244.0.2"), "", "", TunnelProtocol.Hbone, "cluster.local",
                "echo", null, "node-0", "echo", "latest", WorkloadType.Pod, "echo-1", "Kubernetes", [], WorkloadStatus.Healthy, [], null),
        ];
        Sys.ActorOf(Props.Create(() => new CaActor(ca, _ => true, () => workloads)), "ca");
    }

    [Fact]
    public async Task Fetches_a_verified_svid_that_waiting_connections_receive()
    {
        StartCa(TimeSpan.FromHours(1));
        var store = new CertificateStore();
        var waiting = store.WaitForAsync(Echo, TimeSpan.FromSeconds(15)); // a connection arrives before the certificate
        Sys.ActorOf(Props.Create(() => new CertificateActor(Echo, "node-0", store, Fast)));

        var certificate = await waiting;
        Assert.Equal(Echo, certificate.Id);
        Assert.True(certificate.Leaf.HasPrivateKey);
        Assert.True(SvidVerifier.Verify(certificate.Leaf, certificate.Chain, certificate.Bundle, "cluster.local", DateTimeOffset.UtcNow).Valid);
        Assert.True(store.TryGet(Echo, out var same) && same.SerialNumber == certificate.SerialNumber);
    }

    [Fact]
    public async Task A_refused_identity_is_failed_with_the_cas_reason_and_waiters_time_out_saying_so()
    {
        StartCa(TimeSpan.FromHours(1));
        var store = new CertificateStore();
        var stranger = new SpiffeId("cluster.local", "demo", "stranger");
        Sys.ActorOf(Props.Create(() => new CertificateActor(stranger, "node-0", store, Fast)));

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => store.WaitForAsync(stranger, TimeSpan.FromSeconds(3)));
        Assert.Contains("no pod with service account demo/stranger is scheduled on node node-0", timeout.Message);
        var (_, state, current, error) = store.Snapshot().Single();
        Assert.Equal(CertificateState.Failed, state);
        Assert.Null(current);
        Assert.NotNull(error);
    }

    [Fact]
    public async Task Renews_at_half_life_with_a_new_serial()
    {
        StartCa(TimeSpan.FromSeconds(6));
        var store = new CertificateStore();
        Sys.ActorOf(Props.Create(() => new CertificateActor(Echo, "node-0", store, Fast)));
        var first = await store.WaitForAsync(Echo, TimeSpan.FromSeconds(15));

        AwaitCondition(() => store.TryGet(Echo, out var next) && next.SerialNumber != first.SerialNumber, TimeSpan.FromSeconds(10));
        Assert.True(store.TryGet(Echo, out var renewed));
        Assert.True(renewed.NotAfter > first.NotAfter);
    }

    public new void Dispose()
    {
        base.Dispose();
        Directory.Delete(_caDir, recursive: true);
    }
}
