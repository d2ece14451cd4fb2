using Mesh.Protocol.Contracts;

namespace Mesh.Control.Distribution;

/// <summary>One per IP address: what is there (workload, or service VIP with endpoints), for on-demand lookups.</summary>
public sealed class AddressStateEntity : RepublishingEntity<AddressRecord>
{
    private readonly string _address;

    public AddressStateEntity(string address, TimeSpan askInterval) : base(askInterval)
    {
        _address = address;
        Receive<PutAddress>(put =>
        {
            Put(put.Record);
            FlushPending();
        });
        Receive<LookupAddress>(lookup =>
        {
            if (lookup.Watch) AddSubscriber(Sender);
            else AnswerOnce(Sender);
        });
    }

    protected override IMeshMessage NeedMessage => new NeedAddress(_address);

    protected override object Answer(AddressRecord value, long version) => new AddressAnswer(value, version);
}
