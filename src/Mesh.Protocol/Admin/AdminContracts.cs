using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Protocol.Admin;

/// <summary>
/// The JSON contract of every member's command endpoint (loopback HTTP, default port 9110), spoken by meshctl.
/// Routes are listed in <see cref="AdminRoutes"/>.
/// </summary>
public static class AdminRoutes
{
    public const int DefaultPort = 9110;
    public const string Cluster = "/v1/cluster";                       // GET  → ClusterView
    public const string Status = "/v1/cluster/status";                 // GET  → MemberStatusView
    public const string Leader = "/v1/cluster/leader";                 // GET  → LeaderView
    public const string Leave = "/v1/cluster/leave";                   // POST ?address= → CommandResult
    public const string Down = "/v1/cluster/down";                     // POST ?address= → CommandResult
    public const string DownUnreachable = "/v1/cluster/down-unreachable"; // POST → CommandResult
    public const string Tail = "/v1/cluster/tail";                     // GET  → NDJSON stream of MemberEventView
    public const string RegionStats = "/v1/sharding/region-stats";     // GET ?type= → RegionStatsView
    public const string NodeState = "/v1/node/state";                  // GET  → NodeStateView (node members)
    public const string ConfigStatus = "/v1/config/status";            // GET  → ConfigStatusView (control members)
    public const string ConfigState = "/v1/config/state";              // GET  → ConfigStateView (control members)
    public const string Waypoints = "/v1/config/waypoints";            // GET  → WaypointView[] (control members)
    public const string Address = "/v1/node/address";                  // GET ?ip= → AddressRecord (node members)
    public const string CapturedPods = "/v1/node/pods";                // GET  → CapturedPodView[] (node members)
    public const string Certificates = "/v1/node/certificates";        // GET  → CertificateView[] (node members)
    public const string Connections = "/v1/node/connections";          // GET  → ConnectionView[] (node members)
}

public sealed record MemberView(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable);

public sealed record ClusterView(string Self, string? Leader, IReadOnlyList<MemberView> Members);

public sealed record MemberStatusView(string Self, string Status, IReadOnlyList<string> Roles, string? Leader, int Members, int Unreachable);

public sealed record LeaderView(string? Leader, IReadOnlyDictionary<string, string?> RoleLeaders);

/// <summary>Answer to a command that changes the cluster; Ok=false carries the reason.</summary>
public sealed record CommandResult(bool Ok, string Message);

/// <summary>One cluster event as streamed by tail ("MemberUp", "MemberRemoved", "UnreachableMember", ...).</summary>
public sealed record MemberEventView(DateTimeOffset Time, string Event, string Address, IReadOnlyList<string> Roles, string Status);

public sealed record RegionView(string Address, IReadOnlyDictionary<string, int> Shards)
{
    public int Entities => Shards.Values.Sum();
}

public sealed record RegionStatsView(string TypeName, IReadOnlyList<RegionView> Regions, IReadOnlyList<string> Failed);

public sealed record NodeStateView(string Node, long Version, bool Synced, NodeSlice Slice);

/// <summary>
/// A pod whose traffic this ztunnel captures, with its connection counters (bytes from the pod's view). Inbound is
/// split by listener: plaintext (15006, PERMISSIVE) and HBONE (15008); OutboundHbone counts the closed outbound
/// connections that went over HBONE. ServesHbone: the pod listens on 15008.
/// </summary>
public sealed record CapturedPodView(
    string Uid, string Namespace, string Name, string Ip, string Netns,
    long OutboundOpened, long OutboundClosed, long OutboundHbone,
    long InboundPlaintextOpened, long InboundPlaintextClosed, long InboundHboneOpened, long InboundHboneClosed,
    long BytesSent, long BytesReceived, long Failed, bool ServesHbone);

/// <summary>
/// One certificate a ztunnel holds, with istioctl's <c>zc certificates</c> columns: a workload SVID ("leaf") or a
/// trust-bundle root ("root"). Status is Available, Pending or Failed; Error is the last problem, if any.
/// </summary>
public sealed record CertificateView(
    string Name, string Type, string Status, bool Valid, string? SerialNumber,
    DateTimeOffset? NotBefore, DateTimeOffset? NotAfter, string? Error);

/// <summary>
/// One open connection through a ztunnel, with istioctl's <c>zc connections</c> columns. <c>Workload</c>/<c>Namespace</c>
/// name the local pod; Local/Remote/RemoteTarget are ip:port ("" when not applicable); Protocol is HBONE or TCP.
/// </summary>
public sealed record ConnectionView(
    long Id, string Workload, string Namespace, string Direction, string Local, string Remote, string RemoteTarget,
    string Protocol, string? SourceIdentity, string? DestinationIdentity, string? Service, DateTimeOffset Started);

/// <summary>The ztunnel admin port's <c>/config_dump</c>: the node's state, certificates and open connections.</summary>
public sealed record ConfigDumpView(
    string Node, long Version, bool Synced,
    IReadOnlyList<Model.Workload> Workloads, IReadOnlyList<Model.Service> Services, IReadOnlyList<Model.Authorization> Policies,
    IReadOnlyList<CertificateView> Certificates, IReadOnlyList<ConnectionView> Connections);

public sealed record ManifestErrorView(string File, int? Document, string Message);

public sealed record ConfigStatusView(string Source, int Files, IReadOnlyDictionary<string, int> Objects, IReadOnlyList<ManifestErrorView> Errors,
    DateTimeOffset? LastApplied, IReadOnlyList<string>? Warnings = null);

/// <summary>
/// The whole computed mesh state a control member holds (what <c>meshctl x authz check</c> evaluates against), with
/// the settings it was computed with and the conversion warnings (e.g. policies only partially applied at L4).
/// </summary>
public sealed record ConfigStateView(
    string RootNamespace,
    string TrustDomain,
    ValueList<Workload> Workloads,
    ValueList<Service> Services,
    ValueList<Authorization> Policies,
    ValueList<string> Warnings);

/// <summary>A Gateway API status condition as <c>kubectl</c> shows it (Status "True"/"False").</summary>
public sealed record ConditionView(string Type, string Status, string Reason, string Message);

/// <summary>
/// One istio-waypoint Gateway as the control plane sees it: <see cref="TrafficType"/> is the effective
/// <c>istio.io/waypoint-for</c> (service when unset), <see cref="Revision"/> its <c>istio.io/rev</c> ("default"), the
/// Gateway's conditions (Accepted, Programmed) and the addresses clients reach it at.
/// </summary>
public sealed record WaypointView(string Namespace, string Name, string Revision, string TrafficType,
    IReadOnlyList<ConditionView> Conditions, IReadOnlyList<string> Addresses);

/// <summary>Serializer settings both sides use.</summary>
public static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
