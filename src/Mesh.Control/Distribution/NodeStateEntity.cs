using Mesh.Protocol.Contracts;

namespace Mesh.Control.Distribution;

/// <summary>One per node: holds the node's <see cref="NodeSlice"/> and pushes every change to its ztunnel.</summary>
public sealed class NodeStateEntity : RepublishingEntity<NodeSlice>
{
    private readonly string _node;

    public NodeStateEntity(string node, TimeSpan askInterval) : base(askInterval)
    {
        _node = node;
        Receive<PutNodeSlice>(put => Put(put.Slice));
        Receive<SubscribeNode>(_ => AddSubscriber(Sender));
    }

    protected override IMeshMessage NeedMessage => new NeedNodeSlice(_node);

    protected override object Answer(NodeSlice value, long version) => new NodeSnapshot(value, version);
}
