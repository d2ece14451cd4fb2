using Mesh.Protocol.Model;

namespace Mesh.Protocol.Serialization;

/// <summary>Wire layout of <see cref="Workload"/> and its parts. Field order is the layout: append only, per format version.</summary>
public static class WorkloadCodec
{
    public static void Write(WireWriter w, Workload x)
    {
        w.WriteString(x.Uid);
        w.WriteString(x.Name);
        w.WriteString(x.Namespace);
        w.WriteStrings(x.Addresses);
        w.WriteString(x.Hostname);
        w.WriteString(x.Network);
        w.WriteEnum(x.TunnelProtocol);
        w.WriteString(x.TrustDomain);
        w.WriteString(x.ServiceAccount);
        w.WriteOptional(x.Waypoint, WriteWaypoint);
        w.WriteString(x.Node);
        w.WriteString(x.CanonicalName);
        w.WriteString(x.CanonicalRevision);
        w.WriteEnum(x.WorkloadType);
        w.WriteString(x.WorkloadName);
        w.WriteString(x.ClusterId);
        w.WriteList(x.Services, WriteServiceBinding);
        w.WriteEnum(x.Status);
        w.WriteStrings(x.AuthorizationPolicies);
        w.WriteOptional(x.Locality, WriteLocality);
    }

    public static Workload Read(WireReader r) => new(
        Uid: r.ReadString(),
        Name: r.ReadString(),
        Namespace: r.ReadString(),
        Addresses: r.ReadStrings(),
        Hostname: r.ReadString(),
        Network: r.ReadString(),
        TunnelProtocol: r.ReadEnum<TunnelProtocol>(),
        TrustDomain: r.ReadString(),
        ServiceAccount: r.ReadString(),
        Waypoint: r.ReadOptional(ReadWaypoint),
        Node: r.ReadString(),
        CanonicalName: r.ReadString(),
        CanonicalRevision: r.ReadString(),
        WorkloadType: r.ReadEnum<WorkloadType>(),
        WorkloadName: r.ReadString(),
        ClusterId: r.ReadString(),
        Services: r.ReadList(ReadServiceBinding),
        Status: r.ReadEnum<WorkloadStatus>(),
        AuthorizationPolicies: r.ReadStrings(),
        Locality: r.ReadOptional(ReadLocality));

    public static void WriteWaypoint(WireWriter w, WaypointRef x)
    {
        w.WriteString(x.Namespace);
        w.WriteString(x.Name);
        w.WriteString(x.Hostname);
        w.WriteInt32(x.HboneMtlsPort);
    }

    public static WaypointRef ReadWaypoint(WireReader r) =>
        new(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt32());

    public static void WriteLocality(WireWriter w, Locality x)
    {
        w.WriteString(x.Region);
        w.WriteString(x.Zone);
        w.WriteString(x.Subzone);
    }

    public static Locality ReadLocality(WireReader r) => new(r.ReadString(), r.ReadString(), r.ReadString());

    public static void WriteServiceBinding(WireWriter w, ServiceBinding x)
    {
        w.WriteString(x.ServiceKey);
        w.WriteList(x.Ports, static (w2, p) =>
        {
            w2.WriteInt32(p.ServicePort);
            w2.WriteInt32(p.TargetPort);
        });
    }

    public static ServiceBinding ReadServiceBinding(WireReader r) =>
        new(r.ReadString(), r.ReadList(static r2 => new PortMapping(r2.ReadInt32(), r2.ReadInt32())));
}
