using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Mesh.Protocol.Admin;

namespace Mesh.Hosting.Admin;

/// <summary>
/// Subscribes to cluster membership events for one <c>cluster tail</c> client and writes them to a channel;
/// the actor owns the subscription, the HTTP response drains the channel.
/// </summary>
internal sealed class ClusterEventFeed : ReceiveActor
{
    private readonly ChannelWriter<MemberEventView> _writer;

    public ClusterEventFeed(ChannelWriter<MemberEventView> writer)
    {
        _writer = writer;
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members)
                Write("Member" + member.Status, member);
        });
        Receive<ClusterEvent.IMemberEvent>(e => Write(e.GetType().Name, e.Member));
        Receive<ClusterEvent.UnreachableMember>(e => Write("UnreachableMember", e.Member));
        Receive<ClusterEvent.ReachableMember>(e => Write("ReachableMember", e.Member));
        Receive<ClusterEvent.LeaderChanged>(e => _writer.TryWrite(new MemberEventView(
            DateTimeOffset.UtcNow, "LeaderChanged", e.Leader?.ToString() ?? "", [], "leader")));
    }

    private void Write(string name, Member member) =>
        _writer.TryWrite(new MemberEventView(DateTimeOffset.UtcNow, name, member.Address.ToString(),
            member.Roles.OrderBy(r => r, StringComparer.Ordinal).ToList(), member.Status.ToString().ToLowerInvariant()));

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        _writer.TryComplete();
    }
}
