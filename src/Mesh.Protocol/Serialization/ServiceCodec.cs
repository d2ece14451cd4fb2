using Mesh.Protocol.Model;

namespace Mesh.Protocol.Serialization;

/// <summary>Wire layout of <see cref="Service"/> and its parts. Field order is the layout: append only, per format version.</summary>
public static class ServiceCodec
{
    public static void Write(WireWriter w, Service x)
    {
        w.WriteString(x.Name);
        w.WriteString(x.Namespace);
        w.WriteString(x.Hostname);
        w.WriteStrings(x.Addresses);
        w.WriteList(x.Ports, WritePort);
        w.WriteOptional(x.Waypoint, WorkloadCodec.WriteWaypoint);
        w.WriteOptional(x.LoadBalancing, WriteLoadBalancing);
    }

    public static Service Read(WireReader r) => new(
        Name: r.ReadString(),
        Namespace: r.ReadString(),
        Hostname: r.ReadString(),
        Addresses: r.ReadStrings(),
        Ports: r.ReadList(ReadPort),
        Waypoint: r.ReadOptional(WorkloadCodec.ReadWaypoint),
        LoadBalancing: r.ReadOptional(ReadLoadBalancing));

    public static void WritePort(WireWriter w, ServicePort x)
    {
        w.WriteInt32(x.Port);
        w.WriteInt32(x.TargetPort);
        w.WriteString(x.Name);
        w.WriteString(x.AppProtocol);
    }

    public static ServicePort ReadPort(WireReader r) => new(r.ReadInt32(), r.ReadInt32(), r.ReadString(), r.ReadString());

    public static void WriteLoadBalancing(WireWriter w, LoadBalancing x)
    {
        w.WriteList(x.RoutingPreference, static (w2, s) => w2.WriteEnum(s));
        w.WriteEnum(x.Mode);
    }

    public static LoadBalancing ReadLoadBalancing(WireReader r) =>
        new(r.ReadList(static r2 => r2.ReadEnum<LocalityScope>()), r.ReadEnum<LoadBalancingMode>());
}
