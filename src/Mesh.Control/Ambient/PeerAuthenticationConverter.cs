using k8s.Models;
using Mesh.Control.Config;
using Mesh.Control.Config.Crds;
using Mesh.Protocol.Authz;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>
/// PeerAuthentication → DENY policies, as Istio ambient does it:
/// <list type="bullet">
/// <item>one static policy <c>&lt;root&gt;/istio_converted_static_strict</c> (DENY when the peer has no principal,
/// i.e. plaintext), published whenever any PeerAuthentication exists and attached to every workload whose
/// effective mode is STRICT;</item>
/// <item>for a workload-selector PeerAuthentication with portLevelMtls (outside the root namespace) whose ports
/// differ from the effective mode, <c>&lt;ns&gt;/converted_peer_authentication_&lt;name&gt;</c>: STRICT with a
/// PERMISSIVE port denies plaintext except on that port; PERMISSIVE with a STRICT port denies plaintext on that
/// port only. It replaces the static policy for the workloads it selects (every DENY applies, so an exception
/// cannot be a second policy).</item>
/// </list>
/// Precedence: the effective mode is the workload policy's, else the namespace policy's, else the mesh (root
/// namespace, no selector) policy's; UNSET inherits. Several candidates at one level → the oldest wins
/// (then name). Unlike Istio's converter, a namespace policy with mode UNSET inherits the mesh mode when
/// port exceptions are computed too (Istio is inconsistent there). Selector policies in the root namespace
/// are ignored (as in Istio ambient).
/// </summary>
internal sealed class PeerAuthenticationConverter
{
    public const string StaticStrictName = PeerAuthenticationPolicies.StaticStrictName;
    public const string ConvertedPrefix = PeerAuthenticationPolicies.ConvertedPrefix;

    private sealed record Parsed(PeerAuthentication Source, MtlsMode Mode, IReadOnlyList<(int Port, MtlsMode Mode)> Ports)
    {
        public string Namespace => Source.Metadata.NamespaceProperty;
        public string Name => Source.Metadata.Name;
        public IDictionary<string, string>? Selector => Source.Spec?.Selector?.MatchLabels is { Count: > 0 } l ? l : null;
    }

    private readonly AmbientOptions _options;
    private readonly List<Parsed> _all = [];
    private readonly Parsed? _mesh;
    private readonly Dictionary<string, Parsed> _namespaceLevel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Authorization?> _converted = new(StringComparer.Ordinal);

    public PeerAuthenticationConverter(ManifestSet manifests, AmbientOptions options, Warnings warnings)
    {
        _options = options;
        foreach (var pa in manifests.PeerAuthentications) _all.Add(Parse(pa, warnings));
        _all.Sort(Older);
        foreach (var pa in _all.Where(p => p.Selector is null))
        {
            if (pa.Ports.Count > 0)
                warnings.Add($"PeerAuthentication {pa.Namespace}/{pa.Name}: portLevelMtls needs a workload selector; ports ignored");
            if (pa.Namespace == options.RootNamespace) _mesh ??= pa;
            else _namespaceLevel.TryAdd(pa.Namespace, pa);
        }
        foreach (var pa in _all.Where(p => p.Selector is not null && p.Namespace == options.RootNamespace))
            warnings.Add($"PeerAuthentication {pa.Namespace}/{pa.Name}: a workload selector in the root namespace is ignored by ambient");
    }

    /// <summary>All synthetic policies, sorted by key.</summary>
    public IEnumerable<Authorization> Policies()
    {
        if (_all.Count == 0) yield break;
        yield return StaticStrict(_options.RootNamespace);
        foreach (var pa in _all.Where(p => p.Selector is not null && p.Namespace != _options.RootNamespace))
            if (Converted(pa) is { } policy) yield return policy;
    }

    /// <summary>Keys of the synthetic policies that apply to a pod (empty when it has no STRICT port at all).</summary>
    public IEnumerable<string> KeysFor(V1Pod pod)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var workload = _all.FirstOrDefault(p => p.Namespace == ns && ns != _options.RootNamespace
                                                && p.Selector is not null && LabelSelector.Matches(p.Selector, pod.Metadata.Labels));
        var parentStrict = ParentMode(ns) == MtlsMode.Strict;
        var effectiveStrict = workload is null || workload.Mode == MtlsMode.Unset ? parentStrict : workload.Mode == MtlsMode.Strict;
        var converted = workload is null ? null : Converted(workload);
        if (converted is not null) yield return converted.Key;
        else if (effectiveStrict) yield return $"{_options.RootNamespace}/{StaticStrictName}";
    }

    public static Authorization StaticStrict(string rootNamespace) =>
        new(StaticStrictName, rootNamespace, PolicyScope.WorkloadSelector, PolicyAction.Deny,
            ValueList.Of(new Rule(ValueList.Of(Plaintext()))));

    /// <summary>Namespace mode unless UNSET/absent, then the mesh mode.</summary>
    private MtlsMode ParentMode(string ns)
    {
        if (_namespaceLevel.TryGetValue(ns, out var nsPolicy) && nsPolicy.Mode != MtlsMode.Unset) return nsPolicy.Mode;
        return _mesh?.Mode ?? MtlsMode.Unset;
    }

    private Authorization? Converted(Parsed pa)
    {
        var key = $"{pa.Namespace}/{pa.Name}";
        if (!_converted.TryGetValue(key, out var policy)) _converted[key] = policy = Convert(pa);
        return policy;
    }

    private Authorization? Convert(Parsed pa)
    {
        if (pa.Ports.Count == 0) return null;
        var parentStrict = ParentMode(pa.Namespace) == MtlsMode.Strict;
        var strict = pa.Mode == MtlsMode.Strict || (pa.Mode == MtlsMode.Unset && parentStrict);

        var rules = new List<Rule>();
        var exemptPorts = new List<int>();
        foreach (var (port, mode) in pa.Ports)
        {
            if (mode == MtlsMode.Strict && !strict)
                rules.Add(new Rule(ValueList.Of(Plaintext(port)))); // deny plaintext on this port only
            else if (mode.AllowsPlaintext() && strict)
                exemptPorts.Add(port);
        }
        if (exemptPorts.Count > 0)
        {
            // Deny plaintext AND not one of the exempt ports: one clause per exempt port (clauses AND).
            var clauses = new List<Clause> { Plaintext() };
            clauses.AddRange(exemptPorts.Select(p => new Clause(ValueList.Of(Match.Empty with { NotDestinationPorts = ValueList.Of(p) }))));
            rules.Add(new Rule(clauses.ToValueList()));
        }
        if (rules.Count == 0) return null; // nothing differs from the effective mode: the static policy covers it
        return new Authorization(ConvertedPrefix + pa.Name, pa.Namespace, PolicyScope.WorkloadSelector, PolicyAction.Deny, rules.ToValueList());
    }

    /// <summary>Matches connections without a peer principal (plaintext), optionally on one port.</summary>
    private static Clause Plaintext(int? port = null) =>
        new(ValueList.Of(Match.Empty with
        {
            NotPrincipals = ValueList.Of(new StringMatch(StringMatchKind.Presence, "")),
            DestinationPorts = port is { } p ? ValueList.Of(p) : ValueList<int>.Empty,
        }));

    private static Parsed Parse(PeerAuthentication pa, Warnings warnings)
    {
        var key = $"{pa.Metadata.NamespaceProperty}/{pa.Metadata.Name}";
        MtlsMode ModeOf(string? text, string where)
        {
            if (MtlsModes.Parse(text) is { } mode) return mode;
            warnings.Add($"PeerAuthentication {key}: unknown mTLS mode '{text}'{where}; treated as UNSET");
            return MtlsMode.Unset;
        }
        var ports = new List<(int, MtlsMode)>();
        foreach (var (portText, mtls) in pa.Spec?.PortLevelMtls ?? new Dictionary<string, MutualTls>())
        {
            if (PolicyValues.Port(portText) is not { } port)
            {
                warnings.Add($"PeerAuthentication {key}: invalid port '{portText}' in portLevelMtls; ignored");
                continue;
            }
            ports.Add((port, ModeOf(mtls?.Mode, $" for port {port}")));
        }
        ports.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return new Parsed(pa, ModeOf(pa.Spec?.Mtls?.Mode, ""), ports);
    }

    private static int Older(Parsed a, Parsed b)
    {
        var byTime = Nullable.Compare(a.Source.Metadata.CreationTimestamp, b.Source.Metadata.CreationTimestamp);
        if (byTime != 0) return byTime;
        var byNs = string.CompareOrdinal(a.Namespace, b.Namespace);
        return byNs != 0 ? byNs : string.CompareOrdinal(a.Name, b.Name);
    }
}
