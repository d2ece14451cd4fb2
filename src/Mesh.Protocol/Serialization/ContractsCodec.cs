using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Protocol.Serialization;

/// <summary>Wire layout of the <see cref="IMeshMessage"/> contracts and the state they carry.</summary>
public static class ContractsCodec
{
    public static void WriteNodeSlice(WireWriter w, NodeSlice x)
    {
        w.WriteString(x.Node);
        w.WriteList(x.Workloads, WorkloadCodec.Write);
        w.WriteList(x.Services, ServiceCodec.Write);
        w.WriteList(x.Policies, AuthorizationCodec.Write);
    }

    public static NodeSlice ReadNodeSlice(WireReader r) => new(
        Node: r.ReadString(),
        Workloads: r.ReadList(WorkloadCodec.Read),
        Services: r.ReadList(ServiceCodec.Read),
        Policies: r.ReadList(AuthorizationCodec.Read));

    public static void WriteAddressRecord(WireWriter w, AddressRecord x)
    {
        w.WriteString(x.Address);
        w.WriteOptional(x.Workload, WorkloadCodec.Write);
        w.WriteOptional(x.Service, ServiceCodec.Write);
        w.WriteList(x.Endpoints, WorkloadCodec.Write);
    }

    public static AddressRecord ReadAddressRecord(WireReader r) => new(
        Address: r.ReadString(),
        Workload: r.ReadOptional(WorkloadCodec.Read),
        Service: r.ReadOptional(ServiceCodec.Read),
        Endpoints: r.ReadList(WorkloadCodec.Read));

    public static void WritePutNodeSlice(WireWriter w, PutNodeSlice x) => WriteNodeSlice(w, x.Slice);
    public static PutNodeSlice ReadPutNodeSlice(WireReader r) => new(ReadNodeSlice(r));

    public static void WriteSubscribeNode(WireWriter w, SubscribeNode x) => w.WriteString(x.Node);
    public static SubscribeNode ReadSubscribeNode(WireReader r) => new(r.ReadString());

    public static void WriteNodeSnapshot(WireWriter w, NodeSnapshot x)
    {
        WriteNodeSlice(w, x.Slice);
        w.WriteInt64(x.Version);
    }

    public static NodeSnapshot ReadNodeSnapshot(WireReader r) => new(ReadNodeSlice(r), r.ReadInt64());

    public static void WriteNeedNodeSlice(WireWriter w, NeedNodeSlice x) => w.WriteString(x.Node);
    public static NeedNodeSlice ReadNeedNodeSlice(WireReader r) => new(r.ReadString());

    public static void WritePutAddress(WireWriter w, PutAddress x) => WriteAddressRecord(w, x.Record);
    public static PutAddress ReadPutAddress(WireReader r) => new(ReadAddressRecord(r));

    public static void WriteLookupAddress(WireWriter w, LookupAddress x)
    {
        w.WriteString(x.Address);
        w.WriteBool(x.Watch);
    }

    public static LookupAddress ReadLookupAddress(WireReader r) => new(r.ReadString(), r.ReadBool());

    public static void WriteAddressAnswer(WireWriter w, AddressAnswer x)
    {
        WriteAddressRecord(w, x.Record);
        w.WriteInt64(x.Version);
    }

    public static AddressAnswer ReadAddressAnswer(WireReader r) => new(ReadAddressRecord(r), r.ReadInt64());

    public static void WriteNeedAddress(WireWriter w, NeedAddress x) => w.WriteString(x.Address);
    public static NeedAddress ReadNeedAddress(WireReader r) => new(r.ReadString());

    public static void WriteUnwatchAddress(WireWriter w, UnwatchAddress x) => w.WriteString(x.Address);
    public static UnwatchAddress ReadUnwatchAddress(WireReader r) => new(r.ReadString());
}
