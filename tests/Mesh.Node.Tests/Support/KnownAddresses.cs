using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Hosting;
using Mesh.Node.State;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Node.Tests;

/// <summary>
/// What the control plane would answer the node's address cache, without a cluster: an actor answering
/// <see cref="ResolveAddress"/> from <see cref="Records"/> and "nothing there" for any other address (a passthrough
/// destination). Set <see cref="Silent"/> to make it never answer (a control plane that is down).
/// </summary>
internal sealed class KnownAddresses : IRequiredActor<AddressCache>, IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("known-addresses");

    public KnownAddresses()
    {
        ActorRef = _system.ActorOf(Props.Create(() => new Answerer(this)));
    }

    public ConcurrentDictionary<string, AddressRecord> Records { get; } = new(StringComparer.Ordinal);

    public volatile bool Silent;

    public IActorRef ActorRef { get; }

    public Task<IActorRef> GetAsync(CancellationToken cancel = default) => Task.FromResult(ActorRef);

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    private sealed class Answerer : ReceiveActor
    {
        public Answerer(KnownAddresses owner) => Receive<ResolveAddress>(resolve =>
        {
            if (owner.Silent) return;
            Sender.Tell(owner.Records.TryGetValue(resolve.Address, out var record)
                ? record
                : new AddressRecord(resolve.Address, null, null, ValueList<Workload>.Empty));
        });
    }
}
