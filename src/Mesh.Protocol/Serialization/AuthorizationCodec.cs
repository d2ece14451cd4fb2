using Mesh.Protocol.Model;

namespace Mesh.Protocol.Serialization;

/// <summary>Wire layout of <see cref="Authorization"/> and its parts. Field order is the layout: append only, per format version.</summary>
public static class AuthorizationCodec
{
    public static void Write(WireWriter w, Authorization x)
    {
        w.WriteString(x.Name);
        w.WriteString(x.Namespace);
        w.WriteEnum(x.Scope);
        w.WriteEnum(x.Action);
        w.WriteList(x.Rules, static (w2, rule) =>
            w2.WriteList(rule.Clauses, static (w3, clause) => w3.WriteList(clause.Matches, WriteMatch)));
        w.WriteBool(x.DryRun);
    }

    public static Authorization Read(WireReader r) => new(
        Name: r.ReadString(),
        Namespace: r.ReadString(),
        Scope: r.ReadEnum<PolicyScope>(),
        Action: r.ReadEnum<PolicyAction>(),
        Rules: r.ReadList(static r2 => new Rule(r2.ReadList(static r3 => new Clause(r3.ReadList(ReadMatch))))),
        DryRun: r.ReadBool());

    public static void WriteMatch(WireWriter w, Match x)
    {
        w.WriteList(x.Namespaces, WriteStringMatch);
        w.WriteList(x.NotNamespaces, WriteStringMatch);
        w.WriteList(x.Principals, WriteStringMatch);
        w.WriteList(x.NotPrincipals, WriteStringMatch);
        w.WriteList(x.SourceIps, WriteIpBlock);
        w.WriteList(x.NotSourceIps, WriteIpBlock);
        w.WriteList(x.DestinationIps, WriteIpBlock);
        w.WriteList(x.NotDestinationIps, WriteIpBlock);
        w.WriteInt32s(x.DestinationPorts);
        w.WriteInt32s(x.NotDestinationPorts);
        w.WriteList(x.ServiceAccounts, WriteServiceAccount);
        w.WriteList(x.NotServiceAccounts, WriteServiceAccount);
    }

    public static Match ReadMatch(WireReader r) => new(
        Namespaces: r.ReadList(ReadStringMatch),
        NotNamespaces: r.ReadList(ReadStringMatch),
        Principals: r.ReadList(ReadStringMatch),
        NotPrincipals: r.ReadList(ReadStringMatch),
        SourceIps: r.ReadList(ReadIpBlock),
        NotSourceIps: r.ReadList(ReadIpBlock),
        DestinationIps: r.ReadList(ReadIpBlock),
        NotDestinationIps: r.ReadList(ReadIpBlock),
        DestinationPorts: r.ReadInt32s(),
        NotDestinationPorts: r.ReadInt32s(),
        ServiceAccounts: r.ReadList(ReadServiceAccount),
        NotServiceAccounts: r.ReadList(ReadServiceAccount));

    public static void WriteStringMatch(WireWriter w, StringMatch x)
    {
        w.WriteEnum(x.Kind);
        w.WriteString(x.Value);
    }

    public static StringMatch ReadStringMatch(WireReader r) => new(r.ReadEnum<StringMatchKind>(), r.ReadString());

    public static void WriteIpBlock(WireWriter w, IpBlock x)
    {
        w.WriteString(x.Address);
        w.WriteInt32(x.Length);
    }

    public static IpBlock ReadIpBlock(WireReader r) => new(r.ReadString(), r.ReadInt32());

    public static void WriteServiceAccount(WireWriter w, ServiceAccountMatch x)
    {
        w.WriteString(x.Namespace);
        w.WriteString(x.ServiceAccount);
    }

    public static ServiceAccountMatch ReadServiceAccount(WireReader r) => new(r.ReadString(), r.ReadString());
}
